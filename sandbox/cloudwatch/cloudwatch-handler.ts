import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { queryParams } from '../gateway/query-protocol.js';
import type { SandboxRequest, SandboxResponse, ServiceHandler } from '../gateway/types.js';
import { alarmOperations } from './alarm-operations.js';
import type { AlarmStore } from './alarm-store.js';
import { CloudWatchError, serializationError, unknownOperation } from './cloudwatch-error.js';
import { dashboardOperations } from './dashboard-operations.js';
import type { DashboardStore } from './dashboard-store.js';
import { metricOperations } from './metric-operations.js';
import type { MetricStore } from './metric-store.js';
import type { Operation } from './operation-context.js';
import { decodeQueryForm, jsonError, jsonResponse, xmlError, xmlResponse } from './wire-codec.js';

/**
 * CloudWatch (signing name `monitoring`) answered by the sandbox itself, in both of the wire
 * protocols the service accepts: AWS JSON 1.0 (`x-amz-target:
 * GraniteServiceVersion20100801.<Operation>`), which the JS SDK v3 and current botocore
 * speak, and awsQuery (`Action=<Operation>` form, XML answers), which older clients speak.
 * The operations themselves are protocol-neutral; this module only decodes, dispatches and
 * encodes, and answers errors in the caller's protocol.
 */

/** The JSON 1.0 target prefix of CloudWatch (its Smithy service shape). */
export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801';

export interface CloudWatchHandlerDeps {
  readonly metrics: MetricStore;
  readonly alarms: AlarmStore;
  readonly dashboards: DashboardStore;
  /** Clock for timestamps written by the operations; defaults to `Date.now`. */
  readonly now?: () => number;
}

/** A decoded request: which operation, its raw input, and how to answer. */
interface Call {
  readonly operation: string;
  /** Set when the body could not even be read far enough to name the operation. */
  readonly unreadable?: CloudWatchError;
  readonly input: () => unknown;
  readonly ok: (output: unknown, requestId: string) => SandboxResponse;
  readonly fail: (error: CloudWatchError, requestId: string) => SandboxResponse;
}

/** Largest body accepted after decompression (PutMetricData's own limit is 1 MB). */
const MAX_INFLATED = 16 * 1024 * 1024;

/**
 * The body as sent before compression. Clients gzip large PutMetricData bodies (the
 * operation's `requestCompression` trait: the JS SDK above 10 KiB, botocore likewise).
 */
const requestBody = (request: SandboxRequest): Buffer => {
  const encoding = request.headers['content-encoding']?.toLowerCase() ?? '';
  if (!encoding.includes('gzip')) return request.body;
  try {
    return gunzipSync(request.body, { maxOutputLength: MAX_INFLATED });
  } catch {
    throw serializationError('The request body is not valid gzip data.');
  }
};

const jsonCall = (request: SandboxRequest, target: string): Call => {
  const dot = target.lastIndexOf('.');
  const prefix = dot < 0 ? '' : target.slice(0, dot);
  // A foreign target prefix names another service's operation, never a CloudWatch one.
  const operation = prefix === CLOUDWATCH_TARGET_PREFIX ? target.slice(dot + 1) : target;
  return {
    operation,
    input: () => {
      const body = requestBody(request);
      if (body.length === 0) return {};
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        throw serializationError('The request body is not valid JSON.');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw serializationError('The request body must be a JSON object.');
      }
      return parsed;
    },
    ok: (output, requestId) => jsonResponse(output, requestId),
    fail: jsonError,
  };
};

const queryCall = (request: SandboxRequest): Call => {
  let params = new URLSearchParams();
  let unreadable: CloudWatchError | undefined;
  try {
    params = queryParams(requestBody(request), request.query);
  } catch (error) {
    if (!(error instanceof CloudWatchError)) throw error;
    unreadable = error;
  }
  const operation = params.get('Action') ?? '';
  return {
    operation,
    ...(unreadable ? { unreadable } : {}),
    input: () => decodeQueryForm(params),
    ok: (output, requestId) => xmlResponse(operation, output, requestId),
    fail: xmlError,
  };
};

/**
 * The `monitoring` service handler. Metrics and alarms are scoped by the caller's account
 * (from its access key) and the region of its signature; dashboards by account only.
 * Validation failures answer 400 in the protocol's own error shape (JSON `__type` plus
 * `x-amzn-query-error`, or an XML `<ErrorResponse>`); anything unexpected is rethrown so
 * the gateway logs it and answers 500.
 */
export const createCloudWatchHandler = (deps: CloudWatchHandlerDeps): ServiceHandler => {
  const operations: Readonly<Record<string, Operation>> = {
    ...metricOperations(deps.metrics),
    ...alarmOperations(deps.alarms),
    ...dashboardOperations(deps.dashboards),
  };
  const clock = deps.now ?? Date.now;

  return async (request) => {
    const requestId = randomUUID();
    const target = request.headers['x-amz-target'];
    const call = target !== undefined ? jsonCall(request, target) : queryCall(request);
    try {
      if (call.unreadable) throw call.unreadable;
      // Own properties only: `toString` or `constructor` must not resolve to an operation.
      const operation = Object.hasOwn(operations, call.operation)
        ? operations[call.operation]
        : undefined;
      if (!operation) throw unknownOperation(call.operation || '(none)');
      const output = operation(call.input(), {
        account: request.identity.account,
        region: request.region,
        now: clock(),
      });
      return call.ok(output, requestId);
    } catch (error) {
      if (error instanceof CloudWatchError) return call.fail(error, requestId);
      throw error;
    }
  };
};
