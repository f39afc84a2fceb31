import { randomUUID } from 'node:crypto';
import type { SandboxRequest, SandboxResponse, ServiceHandler } from '../gateway/types.js';
import { checkAliasRouting } from './alias-routing.js';
import {
  functionNotFound,
  invalidParameter,
  preconditionFailed,
  resourceConflict,
} from './errors.js';
import { functionArn, parseFunctionRef } from './function-ref.js';
import { maxItemsOf, pageOf } from './list-paging.js';

/**
 * Lambda's control plane as AWS runs it, on top of moto's: what moto accepts and AWS
 * refuses is refused here first, worded as AWS words it (recorded answers in
 * test/fixtures/aws/lambda/), and what AWS reports that moto does not is added to moto's
 * answers:
 *
 * - RevisionId on every function configuration, version and alias, new on every change
 *   (and when a creation or an update finishes, as AWS does); a stale one → 412;
 * - asynchronous changes: CreateFunction answers `State: Pending`, UpdateFunctionCode /
 *   UpdateFunctionConfiguration answer `LastUpdateStatus: InProgress`, for `updateMs`;
 *   meanwhile another update, or a PublishVersion after an update, is refused (409);
 * - PublishVersion's CodeSha256 guard; alias routing validation; a version an alias
 *   references (primary or weighted) cannot be deleted, so no alias ever dangles;
 * - ListVersionsByFunction / ListAliases paging (MaxItems, Marker → NextMarker).
 *
 * State kept here (revisions, timers) is in memory: after a restart every function is
 * settled (Active, Successful) with new RevisionIds, as if its last change had finished.
 */

export interface ControlPlaneOptions {
  /** How long a new function stays Pending and an update InProgress, in ms. */
  readonly updateMs: number;
  readonly now?: () => number;
  readonly uuid?: () => string;
}

/** AWS takes from well under a second to minutes; the sandbox's default is a short wait. */
export const DEFAULT_UPDATE_MS = 500;

/** `SANDBOX_LAMBDA_UPDATE_MS` (ms ≥ 0), else the default. */
export const updateMsFromEnv = (env: NodeJS.ProcessEnv = process.env): number => {
  const raw = env.SANDBOX_LAMBDA_UPDATE_MS?.trim();
  if (!raw) return DEFAULT_UPDATE_MS;
  const ms = Number(raw);
  if (!Number.isFinite(ms) || ms < 0) {
    throw new Error(`SANDBOX_LAMBDA_UPDATE_MS must be a number of milliseconds ≥ 0, got "${raw}"`);
  }
  return ms;
};

/** ListVersionsByFunction returns at most 50 versions per call, whatever MaxItems says. */
const VERSIONS_PAGE_CAP = 50;
/** Not documented for ListAliases; the same cap as Lambda's other lists. */
const ALIASES_PAGE_CAP = 50;

type Json = Record<string, any>;

interface FunctionState {
  revision: string;
  /** Pending (being created) until then. */
  pendingUntil?: number;
  /** LastUpdateStatus InProgress until then. */
  updatingUntil?: number;
  /** Published version → its RevisionId (fixed once published). */
  readonly versions: Map<string, string>;
  /** Alias → its RevisionId. */
  readonly aliases: Map<string, string>;
}

/** A call the control plane looks at, parsed from the REST path. */
interface Call {
  readonly operation: string;
  readonly name: string;
  readonly qualifier?: string;
  readonly alias?: string;
}

const FUNCTION_PATH = /^\/2015-03-31\/functions(?:\/([^/]+))?(\/.*)?$/;

const routeOf = (request: SandboxRequest): Call | undefined => {
  const match = FUNCTION_PATH.exec(request.path);
  if (!match) return undefined;
  const [, segment, tail] = match;
  const rest = tail === '/' ? '' : (tail ?? '');
  const method = request.method;
  if (!segment) {
    if (method === 'POST' && !rest) return { operation: 'CreateFunction', name: '' };
    if (method === 'GET' && !rest) return { operation: 'ListFunctions', name: '' };
    return undefined;
  }
  let ref: ReturnType<typeof parseFunctionRef>;
  try {
    ref = parseFunctionRef(
      decodeURIComponent(segment),
      request.query.get('Qualifier') ?? undefined,
    );
  } catch {
    return undefined; // moto answers malformed names its own way
  }
  const base = { name: ref.name, ...(ref.qualifier ? { qualifier: ref.qualifier } : {}) };
  const aliasMatch = /^\/aliases\/([^/]+)\/?$/.exec(rest);
  const table: Record<string, string | undefined> = {
    'GET ': 'GetFunction',
    'DELETE ': 'DeleteFunction',
    'GET /configuration': 'GetFunctionConfiguration',
    'PUT /configuration': 'UpdateFunctionConfiguration',
    'PUT /code': 'UpdateFunctionCode',
    'POST /versions': 'PublishVersion',
    'GET /versions': 'ListVersionsByFunction',
    'POST /aliases': 'CreateAlias',
    'GET /aliases': 'ListAliases',
  };
  if (aliasMatch?.[1]) {
    const alias = decodeURIComponent(aliasMatch[1]);
    const operation = { GET: 'GetAlias', PUT: 'UpdateAlias', DELETE: 'DeleteAlias' }[method];
    return operation ? { operation, ...base, alias } : undefined;
  }
  const operation = table[`${method} ${rest.replace(/\/$/, '')}`];
  return operation ? { operation, ...base } : undefined;
};

const parse = (body: Buffer | string | undefined): Json | undefined => {
  try {
    const value = JSON.parse(
      Buffer.isBuffer(body) ? body.toString('utf8') : (body ?? ''),
    ) as unknown;
    return value && typeof value === 'object' ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
};

const ok = (response: { readonly status: number }) =>
  response.status >= 200 && response.status < 300;

const withBody = (response: SandboxResponse, body: Json): SandboxResponse => ({
  status: response.status,
  headers: { ...response.headers, 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Version order as Lambda lists them: `$LATEST` first, then by number. */
const versionRank = (version: string) => (version === '$LATEST' ? -1 : Number(version));

const STATE_FIELDS = [
  'State',
  'StateReason',
  'StateReasonCode',
  'LastUpdateStatus',
  'LastUpdateStatusReason',
  'LastUpdateStatusReasonCode',
] as const;

export class LambdaControlPlane {
  private readonly functions = new Map<string, FunctionState>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly now: () => number;
  private readonly uuid: () => string;

  constructor(private readonly options: ControlPlaneOptions) {
    this.now = options.now ?? Date.now;
    this.uuid = options.uuid ?? randomUUID;
  }

  /**
   * Answers one Lambda control-plane request, forwarding it to moto when AWS would accept
   * it. Requests it does not know are forwarded untouched.
   *
   * @throws LambdaServiceError when AWS would refuse the call
   */
  async handle(request: SandboxRequest, forward: ServiceHandler): Promise<SandboxResponse> {
    const call = routeOf(request);
    if (!call) return forward(request);
    const scope = `${request.identity.account}/${request.region}`;
    const ctx = { request, forward, call, key: `${scope}/${call.name}` };
    switch (call.operation) {
      case 'CreateFunction':
        return this.createFunction(ctx);
      case 'ListFunctions':
        return this.listFunctions(ctx);
      case 'GetFunction':
      case 'GetFunctionConfiguration':
        return this.getFunction(ctx);
      case 'UpdateFunctionCode':
      case 'UpdateFunctionConfiguration':
        return this.locked(ctx.key, () => this.updateFunction(ctx));
      case 'PublishVersion':
        return this.locked(ctx.key, () => this.publishVersion(ctx));
      case 'DeleteFunction':
        return this.locked(ctx.key, () => this.deleteFunction(ctx));
      case 'ListVersionsByFunction':
        return this.listVersions(ctx);
      case 'CreateAlias':
      case 'UpdateAlias':
        return this.locked(ctx.key, () => this.putAlias(ctx));
      case 'GetAlias':
        return this.getAlias(ctx);
      case 'DeleteAlias':
        return this.locked(ctx.key, () => this.deleteAlias(ctx));
      case 'ListAliases':
        return this.listAliases(ctx);
      default:
        return forward(request);
    }
  }

  // ---- operations -------------------------------------------------------------------

  private async createFunction({ request, forward }: Ctx): Promise<SandboxResponse> {
    const response = await forward(request);
    const config = ok(response) ? parse(response.body) : undefined;
    if (!config?.FunctionName) return response;
    const key = `${request.identity.account}/${request.region}/${config.FunctionName}`;
    const state = this.fresh(key);
    state.pendingUntil = this.now() + this.options.updateMs;
    // `Publish: true` published version 1 along with the function.
    if (parse(request.body)?.Publish === true) state.versions.set('1', this.uuid());
    return withBody(response, this.decorate(state, config, 'creating'));
  }

  private async listFunctions({ request, forward }: Ctx): Promise<SandboxResponse> {
    const response = await forward(request);
    const body = ok(response) ? parse(response.body) : undefined;
    if (!Array.isArray(body?.Functions)) return response;
    const scope = `${request.identity.account}/${request.region}`;
    body.Functions = body.Functions.map((config: Json) =>
      this.decorate(this.known(`${scope}/${config.FunctionName}`), config),
    );
    return withBody(response, body);
  }

  private async getFunction({ request, forward, call, key }: Ctx): Promise<SandboxResponse> {
    const response = await forward(request);
    const body = ok(response) ? parse(response.body) : undefined;
    if (!body) return response;
    const state = this.known(key);
    if (call.operation === 'GetFunction' && body.Configuration) {
      body.Configuration = this.decorate(state, body.Configuration);
      return withBody(response, body);
    }
    return withBody(response, this.decorate(state, body));
  }

  private async updateFunction({ request, forward, call, key }: Ctx): Promise<SandboxResponse> {
    const state = await this.existing({ request, forward, call, key });
    if (!state) return forward(request); // moto answers the 404
    const input = parse(request.body) ?? {};
    if (input.RevisionId && input.RevisionId !== state.revision) throw preconditionFailed();
    if (state.pendingUntil !== undefined || state.updatingUntil !== undefined) {
      throw this.updateInProgress(request, call);
    }
    const response = await forward(request);
    const config = ok(response) ? parse(response.body) : undefined;
    if (!config) return response;
    state.revision = this.uuid();
    state.updatingUntil = this.now() + this.options.updateMs;
    return withBody(response, this.decorate(state, config, 'updating'));
  }

  private async publishVersion(ctx: Ctx): Promise<SandboxResponse> {
    const { request, forward, call } = ctx;
    const state = await this.existing(ctx);
    if (!state) return forward(request);
    const input = parse(request.body) ?? {};
    if (input.RevisionId && input.RevisionId !== state.revision) throw preconditionFailed();
    // Publishing a function still being created is allowed (the version starts Pending
    // on AWS); publishing while an update runs is not.
    if (state.updatingUntil !== undefined) throw this.updateInProgress(request, call);
    if (typeof input.CodeSha256 === 'string' && input.CodeSha256) {
      const latest = await this.read(
        ctx,
        `/2015-03-31/functions/${encodeURIComponent(call.name)}/configuration`,
      );
      const current = latest.body?.CodeSha256;
      if (ok(latest) && current !== input.CodeSha256) {
        throw invalidParameter(
          `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`,
        );
      }
    }
    const response = await forward(request);
    const config = ok(response) ? parse(response.body) : undefined;
    if (!config?.Version) return response;
    if (!state.versions.has(config.Version)) {
      state.versions.set(config.Version, this.uuid());
      // Publishing changes $LATEST's RevisionId too (recorded).
      state.revision = this.uuid();
    }
    return withBody(response, this.decorate(state, config));
  }

  private async deleteFunction(ctx: Ctx): Promise<SandboxResponse> {
    const { request, forward, call, key } = ctx;
    const qualifier = call.qualifier;
    if (qualifier === '$LATEST') {
      throw invalidParameter('$LATEST version cannot be deleted without deleting the function.');
    }
    if (qualifier && /^\d+$/.test(qualifier)) {
      const aliases = await this.aliasesOf(ctx);
      const referencing = (aliases ?? [])
        .filter(
          (a) =>
            a.FunctionVersion === qualifier ||
            Object.hasOwn(a.RoutingConfig?.AdditionalVersionWeights ?? {}, qualifier),
        )
        .map((a) => String(a.Name))
        .sort();
      if (referencing.length) {
        throw resourceConflict(
          `Unable to delete version because the following aliases reference it: [${referencing.join(', ')}]`,
        );
      }
    }
    const response = await forward(request);
    if (ok(response)) {
      if (qualifier) this.functions.get(key)?.versions.delete(qualifier);
      else this.functions.delete(key);
    }
    return response;
  }

  private async listVersions(ctx: Ctx): Promise<SandboxResponse> {
    const { request, forward, key } = ctx;
    const maxItems = maxItemsOf(request.query, VERSIONS_PAGE_CAP);
    const response = await forward(request);
    const body = ok(response) ? parse(response.body) : undefined;
    if (!Array.isArray(body?.Versions)) return response;
    const state = this.known(key);
    const all = (body.Versions as Json[])
      .map((config) => this.decorate(state, config))
      .sort((a, b) => versionRank(a.Version) - versionRank(b.Version));
    const page = pageOf(
      all,
      (c) => String(c.Version),
      versionRank,
      request.query.get('Marker'),
      maxItems,
    );
    const { NextMarker: _ignored, ...rest } = body;
    return withBody(response, {
      ...rest,
      Versions: page.items,
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  }

  private async putAlias(ctx: Ctx): Promise<SandboxResponse> {
    const { request, forward, call, key } = ctx;
    const creating = call.operation === 'CreateAlias';
    const input = parse(request.body) ?? {};
    const name = String(creating ? (input.Name ?? '') : (call.alias ?? ''));
    const arn = functionArn(request.region, request.identity.account, call.name);
    const versions = await this.versionsOf(ctx);
    let current: Json | undefined;
    if (!creating) {
      const alias = await this.read(
        ctx,
        `/2015-03-31/functions/${encodeURIComponent(call.name)}/aliases/${encodeURIComponent(name)}`,
      );
      if (!versions) throw functionNotFound(`Function not found: ${arn}`);
      if (!ok(alias) || !alias.body) throw functionNotFound(`Alias not found: ${arn}:${name}`);
      current = alias.body;
      const state = this.known(key);
      if (input.RevisionId && input.RevisionId !== this.aliasRevision(state, name)) {
        throw preconditionFailed();
      }
    }
    const functionVersion = String(input.FunctionVersion ?? current?.FunctionVersion ?? '');
    if (!versions) throw functionNotFound(`Function not found: ${arn}:${functionVersion}`);
    const weights =
      'RoutingConfig' in input
        ? input.RoutingConfig?.AdditionalVersionWeights
        : current?.RoutingConfig?.AdditionalVersionWeights;
    checkAliasRouting({ functionArn: arn, functionVersion, weights, versions });
    const response = await forward(request);
    const alias = ok(response) ? parse(response.body) : undefined;
    if (!alias) return response;
    this.known(key).aliases.set(String(alias.Name ?? name), this.uuid());
    return withBody(response, this.decorateAlias(this.known(key), alias));
  }

  private async getAlias({ request, forward, key }: Ctx): Promise<SandboxResponse> {
    const response = await forward(request);
    const alias = ok(response) ? parse(response.body) : undefined;
    return alias ? withBody(response, this.decorateAlias(this.known(key), alias)) : response;
  }

  private async deleteAlias({ request, forward, call, key }: Ctx): Promise<SandboxResponse> {
    const response = await forward(request);
    if (ok(response) && call.alias) this.functions.get(key)?.aliases.delete(call.alias);
    return response;
  }

  private async listAliases(ctx: Ctx): Promise<SandboxResponse> {
    const { request, forward, key } = ctx;
    const maxItems = maxItemsOf(request.query, ALIASES_PAGE_CAP);
    const response = await forward(request);
    const body = ok(response) ? parse(response.body) : undefined;
    if (!Array.isArray(body?.Aliases)) return response;
    const state = this.known(key);
    const only = request.query.get('FunctionVersion');
    const all = (body.Aliases as Json[])
      .filter((a) => !only || a.FunctionVersion === only)
      .map((a) => this.decorateAlias(state, a))
      .sort((a, b) => String(a.Name).localeCompare(String(b.Name)));
    const page = pageOf(
      all,
      (a) => String(a.Name),
      (name) => name,
      request.query.get('Marker'),
      maxItems,
    );
    const { NextMarker: _ignored, ...rest } = body;
    return withBody(response, {
      ...rest,
      Aliases: page.items,
      ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}),
    });
  }

  // ---- state ------------------------------------------------------------------------

  private fresh(key: string): FunctionState {
    const state: FunctionState = { revision: this.uuid(), versions: new Map(), aliases: new Map() };
    this.functions.set(key, state);
    return state;
  }

  /** The state of a function moto knows (settled if it was never seen here). */
  private known(key: string): FunctionState {
    const state = this.functions.get(key) ?? this.fresh(key);
    this.settle(state);
    return state;
  }

  /** The state of a function, or undefined when moto does not have it. */
  private async existing(ctx: Ctx): Promise<FunctionState | undefined> {
    if (this.functions.has(ctx.key)) return this.known(ctx.key);
    const config = await this.read(
      ctx,
      `/2015-03-31/functions/${encodeURIComponent(ctx.call.name)}/configuration`,
    );
    return ok(config) ? this.known(ctx.key) : undefined;
  }

  /** Finishes a creation or an update whose time is up; each finish is a new revision. */
  private settle(state: FunctionState): void {
    const now = this.now();
    if (state.pendingUntil !== undefined && now >= state.pendingUntil) {
      state.pendingUntil = undefined;
      state.revision = this.uuid();
    }
    if (state.updatingUntil !== undefined && now >= state.updatingUntil) {
      state.updatingUntil = undefined;
      state.revision = this.uuid();
    }
  }

  private aliasRevision(state: FunctionState, alias: string): string {
    let revision = state.aliases.get(alias);
    if (!revision) {
      revision = this.uuid();
      state.aliases.set(alias, revision);
    }
    return revision;
  }

  /** A function configuration as AWS reports it: RevisionId, State, LastUpdateStatus. */
  private decorate(state: FunctionState, config: Json, moment?: 'creating' | 'updating'): Json {
    const out: Json = { ...config };
    for (const field of STATE_FIELDS) delete out[field];
    const version = String(config.Version ?? '$LATEST');
    if (version !== '$LATEST') {
      let revision = state.versions.get(version);
      if (!revision) {
        revision = this.uuid();
        state.versions.set(version, revision);
      }
      return { ...out, RevisionId: revision, State: 'Active', LastUpdateStatus: 'Successful' };
    }
    out.RevisionId = state.revision;
    if (moment === 'creating' || (moment === undefined && state.pendingUntil !== undefined)) {
      return {
        ...out,
        State: 'Pending',
        StateReason: 'The function is being created.',
        StateReasonCode: 'Creating',
      };
    }
    out.State = 'Active';
    if (moment === 'updating' || state.updatingUntil !== undefined) {
      return {
        ...out,
        LastUpdateStatus: 'InProgress',
        LastUpdateStatusReason: 'The function is being created.',
        LastUpdateStatusReasonCode: 'Creating',
      };
    }
    return { ...out, LastUpdateStatus: 'Successful' };
  }

  /** An alias as AWS reports it: its own RevisionId, no RoutingConfig when unweighted. */
  private decorateAlias(state: FunctionState, alias: Json): Json {
    const out: Json = { ...alias, RevisionId: this.aliasRevision(state, String(alias.Name)) };
    const weights = out.RoutingConfig?.AdditionalVersionWeights;
    if (!weights || Object.keys(weights).length === 0) delete out.RoutingConfig;
    return out;
  }

  private updateInProgress(request: SandboxRequest, call: Call) {
    return resourceConflict(
      `The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(request.region, request.identity.account, call.name)}`,
    );
  }

  // ---- reading moto -----------------------------------------------------------------

  /** A GET to moto in the caller's account and region (nothing journaled). */
  private async read(ctx: Ctx, path: string): Promise<{ status: number; body?: Json }> {
    const headers = Object.fromEntries(
      Object.entries(ctx.request.headers).filter(
        ([name]) => !['content-type', 'content-length', 'content-encoding'].includes(name),
      ),
    );
    const response = await ctx.forward({
      ...ctx.request,
      method: 'GET',
      path,
      query: new URLSearchParams(),
      headers,
      body: Buffer.alloc(0),
    });
    const body = parse(response.body);
    return { status: response.status, ...(body ? { body } : {}) };
  }

  /** Published version numbers, or undefined when the function does not exist. */
  private async versionsOf(ctx: Ctx): Promise<Set<string> | undefined> {
    const answer = await this.read(
      ctx,
      `/2015-03-31/functions/${encodeURIComponent(ctx.call.name)}/versions`,
    );
    const versions = (answer.body?.Versions ?? []) as Json[];
    // moto answers an unknown function with an empty list; a function always has $LATEST.
    if (!ok(answer) || !versions.some((v) => v.Version === '$LATEST')) return undefined;
    return new Set(versions.map((v) => String(v.Version)).filter((v) => v !== '$LATEST'));
  }

  private async aliasesOf(ctx: Ctx): Promise<Json[] | undefined> {
    const answer = await this.read(
      ctx,
      `/2015-03-31/functions/${encodeURIComponent(ctx.call.name)}/aliases`,
    );
    return ok(answer) ? ((answer.body?.Aliases ?? []) as Json[]) : undefined;
  }

  /** Runs one change to a function at a time, so checks and the change cannot interleave. */
  private async locked<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => {});
    this.locks.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}

interface Ctx {
  readonly request: SandboxRequest;
  readonly forward: ServiceHandler;
  readonly call: Call;
  readonly key: string;
}
