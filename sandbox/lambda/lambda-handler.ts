import type { SandboxRequest, SandboxResponse, ServiceHandler } from '../gateway/types.js';
import type { CodeStore } from './code-store.js';
import { LambdaControlPlane, updateMsFromEnv } from './control-plane.js';
import { errorResponse, invalidParameter, LambdaServiceError, serviceException } from './errors.js';
import { parseFunctionRef } from './function-ref.js';
import type { InvocationType, LambdaRuntime } from './lambda-runtime.js';

/** The part of the runtime the front door uses. */
export type LambdaInvoker = Pick<LambdaRuntime, 'invoke' | 'invalidate'>;

export interface LambdaHandlerDeps {
  /** moto, already scoped to the caller's account by the gateway. */
  readonly forward: ServiceHandler;
  readonly runtime: LambdaInvoker;
  readonly codeStore: CodeStore;
  /**
   * How long CreateFunction stays Pending and an update InProgress (ms); default
   * `SANDBOX_LAMBDA_UPDATE_MS`, else 500.
   */
  readonly updateMs?: number;
}

/** `/<api-version>/functions[/<name>[/<rest>]]`, the shape of every function-scoped call. */
const FUNCTION_PATH = /^\/(\d{4}-\d{2}-\d{2})\/functions(?:\/([^/]+))?(\/.*)?$/;
const INVOCATION_TYPES = new Set<InvocationType>(['RequestResponse', 'Event', 'DryRun']);

const jsonBody = (request: SandboxRequest): Record<string, unknown> | undefined => {
  try {
    const body = JSON.parse(request.body.toString('utf8')) as unknown;
    return typeof body === 'object' && body !== null
      ? (body as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

/** The base64 zip of CreateFunction (`Code.ZipFile`) or UpdateFunctionCode (`ZipFile`). */
const zipOf = (body: Record<string, unknown> | undefined, nested: boolean): Buffer | undefined => {
  const holder = nested ? (body?.Code as Record<string, unknown> | undefined) : body;
  const zip = holder?.ZipFile;
  return typeof zip === 'string' && zip.length > 0 ? Buffer.from(zip, 'base64') : undefined;
};

/** The function name in a path segment (a name or a URL-encoded ARN). */
const nameOf = (segment: string): string | undefined => {
  try {
    return parseFunctionRef(decodeURIComponent(segment)).name;
  } catch {
    return undefined;
  }
};

/**
 * The sandbox's Lambda endpoint (signing name `lambda`). The control plane is moto's; this
 * front door adds what moto cannot do:
 * - CreateFunction / UpdateFunctionCode: the zip is kept in the code store (keyed by the
 *   SHA-256 moto also reports as CodeSha256), then the request goes on;
 * - what AWS refuses and moto accepts is refused as AWS refuses it, and what AWS reports
 *   and moto does not (RevisionId, Pending / InProgress, paging) is added: see
 *   {@link LambdaControlPlane};
 * - Invoke: run locally by the runtime;
 * - any other change to a function: forwarded, then the runtime's cached view of that
 *   function is dropped so aliases, weights and concurrency apply to the next invocation.
 *
 * @example
 * gateway.register('lambda', createLambdaHandler({ forward: moto.handle, runtime, codeStore }));
 */
export const createLambdaHandler = (deps: LambdaHandlerDeps): ServiceHandler => {
  const controlPlane = new LambdaControlPlane({ updateMs: deps.updateMs ?? updateMsFromEnv() });
  return async (request) => {
    try {
      const [, apiVersion, segment, tail] = FUNCTION_PATH.exec(request.path) ?? [];
      // `/functions/` and `/functions/x/` are `/functions` and `/functions/x` to Lambda.
      const rest = tail === '/' ? undefined : tail;
      if (apiVersion === '2015-03-31') {
        if (request.method === 'POST' && segment && rest === '/invocations') {
          return await invoke(deps, request, decodeURIComponent(segment));
        }
        const creating = request.method === 'POST' && !segment && !rest;
        const updating = request.method === 'PUT' && segment && rest === '/code';
        if (creating || updating) {
          const zip = zipOf(jsonBody(request), creating);
          if (zip) await deps.codeStore.put(zip);
        }
      }
      const response = await controlPlane.handle(request, deps.forward);
      const mutating = !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
      const name = segment ? nameOf(segment) : undefined;
      if (apiVersion && name && mutating && response.status < 300) {
        deps.runtime.invalidate(request.identity.account, request.region, name);
      }
      return response;
    } catch (error) {
      if (error instanceof LambdaServiceError) return errorResponse(error);
      return errorResponse(serviceException((error as Error).message));
    }
  };
};

const invoke = async (
  deps: LambdaHandlerDeps,
  request: SandboxRequest,
  functionName: string,
): Promise<SandboxResponse> => {
  const invocationType = (request.headers['x-amz-invocation-type'] ??
    'RequestResponse') as InvocationType;
  if (!INVOCATION_TYPES.has(invocationType)) {
    throw invalidParameter(`Invalid InvocationType: ${invocationType}`);
  }
  const logType = request.headers['x-amz-log-type'] === 'Tail' ? 'Tail' : 'None';
  const qualifier = request.query.get('Qualifier') ?? undefined;
  const clientContext = request.headers['x-amz-client-context'];
  const result = await deps.runtime.invoke({
    account: request.identity.account,
    region: request.region,
    functionName,
    ...(qualifier ? { qualifier } : {}),
    payload: request.body,
    invocationType,
    logType,
    ...(clientContext ? { clientContext } : {}),
  });
  const headers: Record<string, string> = { 'x-amzn-requestid': result.requestId };
  if (result.statusCode === 200) headers['content-type'] = 'application/json';
  if (result.executedVersion) headers['x-amz-executed-version'] = result.executedVersion;
  if (result.functionError) headers['x-amz-function-error'] = result.functionError;
  if (result.logResult) headers['x-amz-log-result'] = result.logResult;
  return { status: result.statusCode, headers, body: result.payload };
};
