import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../scripts/project-root.js';
import { type SandboxPaths, sandboxPaths } from './paths.js';
import { SandboxError } from './sandbox-error.js';

/**
 * The CLI side of `promote sandbox up|down|status`: starts the daemon detached, finds it
 * again through its state file, and talks to it over the unsigned `/_sandbox/` control API.
 */

/** What the daemon writes to `.promote/sandbox/state.json` once it is ready. */
export interface SandboxState {
  readonly pid: number;
  readonly endpoint: string;
  readonly port: number;
  /** Each environment's API front in its primary region (`http://127.0.0.1:<port+1..3>`). */
  readonly apiUrls: Readonly<Record<string, string>>;
  /**
   * The API front of an environment's failover region: `{ prod: 'http://127.0.0.1:<port+4>' }`
   * (PROD's eu-west-1, invoking that region's `live`). Empty from a daemon older than it.
   */
  readonly failoverApiUrls: Readonly<Record<string, string>>;
  readonly startedAt: string;
  readonly coldStartMs: number;
}

/**
 * The sandbox front serving `env`'s API in `region`: the primary front for the environment's
 * own region, the failover front for its failover region, else undefined. This is how "the
 * API of prod in eu-west-1" resolves in the sandbox; in AWS it is the regional API Gateway
 * domain that the Route53 failover record's alias target names (the SECONDARY record's
 * `AliasTarget.DNSName` is `d-….execute-api.<failover region>.amazonaws.com`, see
 * `regionOfApiTarget` in infra/api-gateway-domain.ts).
 *
 * @example
 * sandboxApiUrl(state, ENVIRONMENTS.prod, 'eu-west-1'); // → state.failoverApiUrls.prod
 */
export const sandboxApiUrl = (
  state: Pick<SandboxState, 'apiUrls' | 'failoverApiUrls'>,
  env: { readonly name: string; readonly region: string; readonly failoverRegion?: string },
  region: string = env.region,
): string | undefined => {
  if (region === env.region) return state.apiUrls[env.name];
  if (region === env.failoverRegion) return state.failoverApiUrls?.[env.name];
  return undefined;
};

const root = projectRoot(import.meta.url);

/**
 * How to run the daemon: the bundled `dist/cli/sandbox-daemon.mjs` when this code is itself
 * the bundle (the CLI as installed), else the TypeScript source through tsx (tests, tsx).
 */
const daemonCommand = (): string[] => {
  if ((globalThis as { __PROMOTE_BUNDLED__?: boolean }).__PROMOTE_BUNDLED__) {
    return [join(root, 'dist', 'cli', 'sandbox-daemon.mjs')];
  }
  // Not import.meta.resolve: vitest's module runner (tests start daemons too) lacks it.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  return ['--import', tsx, join(root, 'sandbox', 'daemon.ts')];
};

export const readState = (paths: SandboxPaths = sandboxPaths()): SandboxState | undefined => {
  try {
    const state = JSON.parse(readFileSync(paths.state, 'utf8')) as SandboxState;
    return { ...state, failoverApiUrls: state.failoverApiUrls ?? {} };
  } catch {
    return undefined;
  }
};

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Calls the daemon's control API; undefined when nothing answers. */
export const control = async <T>(
  endpoint: string,
  path: string,
  init: { method?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<T | undefined> => {
  try {
    const res = await fetch(`${endpoint}/_sandbox/${path}`, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined
        ? { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }
        : {}),
      signal: AbortSignal.timeout(init.timeoutMs ?? 5_000),
    });
    const text = await res.text();
    const payload = text ? JSON.parse(text) : {};
    if (!res.ok) {
      throw new SandboxError(
        'SANDBOX_REQUEST_REJECTED',
        payload.error ?? `sandbox answered ${res.status}`,
      );
    }
    return payload as T;
  } catch (error) {
    if (error instanceof SandboxError) throw error;
    return undefined;
  }
};

/** The running sandbox, or undefined (stale state files are cleaned up). */
export const findRunning = async (
  paths: SandboxPaths = sandboxPaths(),
): Promise<SandboxState | undefined> => {
  const state = readState(paths);
  if (!state) return undefined;
  if (alive(state.pid) && (await control(state.endpoint, 'status', { timeoutMs: 3_000 })))
    return state;
  if (!alive(state.pid)) rmSync(paths.state, { force: true });
  return undefined;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the daemon in the background unless one is running (idempotent) and waits until
 * it reports ready. Its output goes to `.promote/sandbox/daemon.log`.
 */
export const startDaemon = async (options: {
  port: number;
  fresh: boolean;
  paths?: SandboxPaths;
  timeoutMs?: number;
}): Promise<{ state: SandboxState; alreadyRunning: boolean }> => {
  const paths = options.paths ?? sandboxPaths();
  const running = await findRunning(paths);
  if (running && !options.fresh) return { state: running, alreadyRunning: true };
  if (running) await stopDaemon(paths);
  mkdirSync(paths.root, { recursive: true });
  rmSync(paths.state, { force: true });
  const log = openSync(paths.daemonLog, 'a');
  const child = spawn(
    process.execPath,
    [
      ...daemonCommand(),
      '--port',
      String(options.port),
      '--home',
      dirname(paths.root),
      ...(options.fresh ? ['--fresh'] : []),
    ],
    { detached: true, stdio: ['ignore', log, log], env: process.env },
  );
  child.unref();
  closeSync(log);
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const state = readState(paths);
    if (state && (await control(state.endpoint, 'status'))) return { state, alreadyRunning: false };
    await sleep(250);
  }
  const tail = existsSync(paths.daemonLog)
    ? readFileSync(paths.daemonLog, 'utf8').split('\n').slice(-15).join('\n')
    : '';
  // The daemon exits with 3 after logging "cannot start: <what to install>", with 4 after
  // "cannot start: <who holds the data directory>".
  const why = /cannot start: (.*)$/m.exec(tail)?.[1];
  if (child.exitCode === 3 && why) {
    throw new SandboxError('SANDBOX_PREREQUISITE_MISSING', `cannot start the sandbox: ${why}`);
  }
  if (child.exitCode === 4 && why) {
    throw new SandboxError('SANDBOX_DATA_DIR_BUSY', `cannot start the sandbox: ${why}`);
  }
  throw new SandboxError(
    'SANDBOX_START_FAILED',
    `the sandbox did not start${child.exitCode !== null ? ` (exit code ${child.exitCode})` : ' in time'}`,
    tail ? `last lines of ${paths.daemonLog}:\n${tail}` : `see ${paths.daemonLog}`,
  );
};

/** Asks the daemon to stop and waits for its process to exit. */
export const stopDaemon = async (paths: SandboxPaths = sandboxPaths()): Promise<boolean> => {
  const state = readState(paths);
  if (!state) return false;
  await control(state.endpoint, 'shutdown', { method: 'POST' });
  const deadline = Date.now() + 20_000;
  while (alive(state.pid) && Date.now() < deadline) await sleep(100);
  if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
  rmSync(paths.state, { force: true });
  return true;
};
