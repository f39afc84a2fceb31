import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * Faults injected into one function version, so a bad canary can be demonstrated and
 * rolled back: the version starts failing or slowing down while the baseline stays well.
 */
const faultSchema = z.object({
  account: z.string().regex(/^\d{12}$/),
  functionName: z.string().min(1),
  /** `$LATEST` or a published version number. */
  version: z.string().regex(/^(\$LATEST|\d+)$/),
  /** Share of invocations (0..1) that fail as a function error instead of running. */
  errorRate: z.number().min(0).max(1).default(0),
  /** Added before the handler runs; counts toward Duration and the timeout. */
  latencyMs: z.number().int().min(0).max(900_000).default(0),
  /** Only API Gateway requests matching `METHOD /path` (`*` or `{x}` = any segment). */
  route: z
    .string()
    .regex(/^[A-Z]+ \/\S*$/)
    .optional(),
});

export type Fault = z.infer<typeof faultSchema>;
export type FaultInput = z.input<typeof faultSchema>;

/** What the matching faults do to one invocation, combined. */
export interface FaultEffect {
  readonly errorRate: number;
  readonly latencyMs: number;
}

/** Saves go through rename, so the inode changes on every save even within one mtime tick. */
const fileStamp = (stat: { ino: number; mtimeMs: number; size: number }) =>
  `${stat.ino}/${stat.mtimeMs}/${stat.size}`;

const sameTarget = (a: Fault, b: Fault) =>
  a.account === b.account &&
  a.functionName === b.functionName &&
  a.version === b.version &&
  a.route === b.route;

/** `METHOD /path` of an API Gateway proxy event (REST v1 or HTTP API v2), else undefined. */
export const routeOf = (event: unknown): string | undefined => {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as {
    httpMethod?: unknown;
    path?: unknown;
    rawPath?: unknown;
    requestContext?: { http?: { method?: unknown } };
  };
  if (typeof e.httpMethod === 'string' && typeof e.path === 'string') {
    return `${e.httpMethod} ${e.path}`;
  }
  const method = e.requestContext?.http?.method;
  if (typeof method === 'string' && typeof e.rawPath === 'string') return `${method} ${e.rawPath}`;
  return undefined;
};

/** True when a `METHOD /path` filter covers a request's route. */
export const routeMatches = (filter: string, route: string | undefined): boolean => {
  if (!route) return false;
  const [filterMethod, filterPath = ''] = filter.split(' ');
  const [method, path = ''] = route.split(' ');
  if (filterMethod !== method) return false;
  const want = filterPath.replace(/\/$/, '').split('/');
  const got = path.replace(/\/$/, '').split('/');
  return (
    want.length === got.length &&
    want.every((part, i) => part === '*' || /^\{.+\}$/.test(part) || part === got[i])
  );
};

/**
 * The fault table, persisted as JSON so that `promote sandbox fault …` in one process and
 * the sandbox daemon in another share it: every read checks the file's mtime and reloads
 * when another process changed it.
 *
 * @example
 * const faults = new FaultRegistry(sandboxPaths().faults);
 * faults.set({ account: '815856636111', functionName: 'order-handler-sit', version: '7', errorRate: 0.5 });
 */
export class FaultRegistry {
  private faults: Fault[] = [];
  private loadedStamp = '';

  constructor(private readonly path?: string) {
    this.reload();
  }

  /** Adds a fault or replaces the one for the same account/function/version/route. */
  set(input: FaultInput): Fault {
    const fault = faultSchema.parse(input);
    this.reload();
    this.faults = [...this.faults.filter((f) => !sameTarget(f, fault)), fault];
    this.save();
    return fault;
  }

  /** Removes matching faults (every field given must match); returns how many went. */
  clear(filter: { account: string; functionName?: string; version?: string; route?: string }) {
    this.reload();
    const matches = (f: Fault) =>
      f.account === filter.account &&
      (filter.functionName === undefined || f.functionName === filter.functionName) &&
      (filter.version === undefined || f.version === filter.version) &&
      (filter.route === undefined || f.route === filter.route);
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => !matches(f));
    if (this.faults.length !== before) this.save();
    return before - this.faults.length;
  }

  list(filter: { account?: string; functionName?: string } = {}): Fault[] {
    this.reload();
    return this.faults.filter(
      (f) =>
        (filter.account === undefined || f.account === filter.account) &&
        (filter.functionName === undefined || f.functionName === filter.functionName),
    );
  }

  /**
   * The combined effect on one invocation: latencies add up, error rates combine as
   * independent failures (1 − Π(1 − rate)).
   */
  effect(account: string, functionName: string, version: string, event: unknown): FaultEffect {
    const route = routeOf(event);
    let pass = 1;
    let latencyMs = 0;
    for (const f of this.list({ account, functionName })) {
      if (f.version !== version) continue;
      if (f.route !== undefined && !routeMatches(f.route, route)) continue;
      pass *= 1 - f.errorRate;
      latencyMs += f.latencyMs;
    }
    return { errorRate: 1 - pass, latencyMs };
  }

  private reload(): void {
    if (!this.path) return;
    let stamp: string;
    try {
      const stat = statSync(this.path);
      stamp = fileStamp(stat);
    } catch {
      stamp = 'absent';
    }
    if (stamp === this.loadedStamp) return;
    this.loadedStamp = stamp;
    if (stamp === 'absent') {
      this.faults = [];
      return;
    }
    let content: unknown;
    try {
      content = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch {
      content = undefined;
    }
    const parsed = z.array(faultSchema).safeParse(content);
    // A hand-edited file that no longer validates disables faults rather than the sandbox.
    this.faults = parsed.success ? parsed.data : [];
  }

  private save(): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.faults, null, 2)}\n`);
    renameSync(temp, this.path);
    this.loadedStamp = fileStamp(statSync(this.path));
  }
}
