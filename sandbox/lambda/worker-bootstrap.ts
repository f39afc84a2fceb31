/**
 * The runtime inside each warm instance (a `worker_threads` Worker): loads the handler once
 * (the init phase), then runs one invocation per `invoke` message.
 *
 * It is JavaScript source evaluated by the Worker rather than a module on disk, because the
 * sandbox runs from TypeScript (tsx, vitest) and may later be bundled: a separate worker
 * file would need a TypeScript loader or a path that survives bundling. Keep it small.
 */

/** A function error as Lambda reports it in the response payload. */
export interface ErrorBody {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** What `context` carries besides `getRemainingTimeInMillis`. */
export interface ContextFields {
  readonly awsRequestId: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly clientContext?: unknown;
}

/** Parent → worker. */
export interface InvokeMessage {
  readonly type: 'invoke';
  /** The payload as the caller sent it (JSON text). */
  readonly event: string;
  readonly context: ContextFields;
  /** Epoch ms when the invocation times out; drives `getRemainingTimeInMillis`. */
  readonly deadline: number;
  /** Injected fault latency, spent inside the measured duration. */
  readonly delayMs: number;
  /** Injected fault: fail with this instead of running the handler. */
  readonly injectedError?: ErrorBody;
}

/** Worker → parent. All travel on one port, so output always precedes its result. */
export type WorkerMessage =
  | { readonly type: 'output'; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly type: 'ready' }
  | { readonly type: 'init-error'; readonly error: ErrorBody }
  | {
      readonly type: 'result';
      readonly ok: boolean;
      readonly payload?: string;
      readonly error?: ErrorBody;
      readonly durationMs: number;
    };

/** `workerData` of a warm instance. */
export interface BootstrapData {
  readonly taskRoot: string;
  readonly handler: string;
}

export const WORKER_BOOTSTRAP = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const { existsSync } = require('node:fs');
const { resolve, sep } = require('node:path');
const { pathToFileURL } = require('node:url');

const post = (message) => parentPort.postMessage(message);

// Output goes over the same port as results: the worker's own stdout pipe is a separate
// channel, and a line written just before the handler returns could arrive after it.
const capture = (stream) =>
  function write(chunk, encoding, callback) {
    const text =
      typeof chunk === 'string'
        ? chunk
        : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8');
    post({ type: 'output', stream, text });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') process.nextTick(done);
    return true;
  };
process.stdout.write = capture('stdout');
process.stderr.write = capture('stderr');

const describe = (error) => {
  if (error && typeof error === 'object' && 'message' in error) {
    return {
      errorType: String(error.name || 'Error'),
      errorMessage: String(error.message),
      trace: String(error.stack || '').split('\n').slice(1).map((l) => l.trim()).filter(Boolean),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
};

const named = (name, message) => Object.assign(new Error(message), { name });

const load = async ({ taskRoot, handler }) => {
  const match = /^(.+)\.([^./]+)$/.exec(handler);
  if (!match) throw named('Runtime.MalformedHandlerName', 'Bad handler ' + handler);
  const [, modulePath, exportName] = match;
  const file = ['.mjs', '.js', '.cjs']
    .map((ext) => resolve(taskRoot, modulePath + ext))
    .find((candidate) => candidate.startsWith(taskRoot + sep) && existsSync(candidate));
  if (!file) {
    throw named('Runtime.ImportModuleError', "Error: Cannot find module '" + modulePath + "'");
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) throw named('Runtime.UserCodeSyntaxError', String(error));
    throw error;
  }
  const fn = mod[exportName] ?? (mod.default && mod.default[exportName]);
  if (typeof fn !== 'function') {
    throw named('Runtime.HandlerNotFound', handler + ' is undefined or not exported');
  }
  return fn;
};

// Callback-style handlers (three parameters) are still supported by nodejs20.x.
const call = (fn, event, context) =>
  fn.length >= 3
    ? new Promise((resolvePromise, reject) => {
        const done = (error, value) => (error == null ? resolvePromise(value) : reject(error));
        Object.assign(context, { done, succeed: resolvePromise, fail: reject });
        const returned = fn(event, context, done);
        if (returned && typeof returned.then === 'function') returned.then(resolvePromise, reject);
      })
    : Promise.resolve().then(() => fn(event, context));

let handler;
load(workerData).then(
  (fn) => {
    handler = fn;
    post({ type: 'ready' });
  },
  (error) => post({ type: 'init-error', error: describe(error) }),
);

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke') return;
  const started = performance.now();
  const context = {
    ...message.context,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
  try {
    if (message.delayMs > 0) {
      // Said in the function's log, so an injected slowdown is never mistaken for a real one.
      console.log('SANDBOX FAULT: adding ' + message.delayMs + ' ms of latency');
      await new Promise((r) => setTimeout(r, message.delayMs));
    }
    if (message.injectedError) {
      throw named(message.injectedError.errorType, message.injectedError.errorMessage);
    }
    const result = await call(handler, JSON.parse(message.event), context);
    const payload = JSON.stringify(result === undefined ? null : result);
    post({ type: 'result', ok: true, payload, durationMs: performance.now() - started });
  } catch (error) {
    post({ type: 'result', ok: false, error: describe(error), durationMs: performance.now() - started });
  }
});
`;
