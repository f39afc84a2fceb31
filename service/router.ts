import type { APIGatewayProxyEvent, Context, EventBridgeEvent } from 'aws-lambda';
import { ORDER_ID_PATTERN } from './adapters/ids.js';
import { OrderError } from './domain/errors.js';
import { cancel } from './handlers/cancel.js';
import { create } from './handlers/create.js';
import { remove } from './handlers/delete.js';
import type { HttpHandler, ServiceDeps } from './handlers/deps.js';
import { type EventOutcome, handleEvent } from './handlers/events.js';
import { fulfill } from './handlers/fulfill.js';
import { get } from './handlers/get.js';
import { health } from './handlers/health.js';
import { history } from './handlers/history.js';
import { list } from './handlers/list.js';
import { status } from './handlers/status.js';
import { track } from './handlers/track.js';
import { update } from './handlers/update.js';
import { type HttpResponse, internalError, json, problem } from './http/problem.js';
import { parseRequest } from './http/request.js';

interface Route {
  readonly method: string;
  /** Path after the `/v1.0/orders` base; `{id}` is the order id segment. */
  readonly path: string;
  readonly operation: string;
  readonly handler: HttpHandler;
}

/** The API's 11 routes: health, the plan's smoke-tested operations, update and delete. */
export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/health', operation: 'health', handler: health },
  { method: 'GET', path: '', operation: 'list', handler: list },
  { method: 'POST', path: '', operation: 'create', handler: create },
  { method: 'GET', path: '/{id}', operation: 'get', handler: get },
  { method: 'PUT', path: '/{id}', operation: 'update', handler: update },
  { method: 'DELETE', path: '/{id}', operation: 'delete', handler: remove },
  { method: 'PUT', path: '/{id}/status', operation: 'status', handler: status },
  { method: 'POST', path: '/{id}/cancel', operation: 'cancel', handler: cancel },
  { method: 'POST', path: '/{id}/fulfill', operation: 'fulfill', handler: fulfill },
  { method: 'GET', path: '/{id}/track', operation: 'track', handler: track },
  { method: 'GET', path: '/{id}/history', operation: 'history', handler: history },
];

/** The API's base path; a custom-domain mapping may strip the `/v1.0` part. */
const BASE = /^(?:\/v1\.0)?\/orders(?<rest>\/.*)?$/;

interface Match {
  route?: Route;
  orderId: string;
  allowed: string[];
}

/** Finds the route for a method and path; `allowed` lists methods when only the path matched. */
export const matchRoute = (method: string, path: string): Match | undefined => {
  const rest = BASE.exec(path)?.groups;
  if (!rest) return undefined;
  const segments = (rest.rest ?? '').split('/').slice(1);
  const candidates: Route[] = [];
  let orderId = '';
  for (const route of ROUTES) {
    const shape = route.path.split('/').slice(1);
    if (shape.length !== segments.length) continue;
    let id = '';
    const same = shape.every((part, i) => {
      if (part === '{id}') {
        id = segments[i] ?? '';
        // `/health` is a literal route, never an order id.
        return id !== 'health' || shape.length > 1;
      }
      return part === segments[i];
    });
    if (!same) continue;
    candidates.push(route);
    orderId = id;
  }
  if (candidates.length === 0) return undefined;
  const route = candidates.find((r) => r.method === method);
  return { ...(route ? { route } : {}), orderId, allowed: candidates.map((r) => r.method) };
};

const isHttpEvent = (event: unknown): event is APIGatewayProxyEvent =>
  typeof event === 'object' && event !== null && 'httpMethod' in event;

const isEventBridgeEvent = (event: unknown): event is EventBridgeEvent<string, unknown> =>
  typeof event === 'object' && event !== null && 'detail-type' in event && 'source' in event;

/**
 * Builds the Lambda entry point: API Gateway proxy events go to the HTTP routes, EventBridge
 * events to the events handler. Every request is timed per operation, failures never leak
 * internals, and EMF metrics are flushed once per invocation.
 */
/**
 * The response time the plan's SLAs and rollback triggers speak of ("p95 > 3 seconds for
 * create"): measured from when API Gateway received the request (`requestTimeEpoch`), so
 * cold starts and waiting for a free instance count, not only the handler's own work.
 * Falls back to the handler's time when the stamp is absent or implausible (clock skew).
 */
const MAX_PLAUSIBLE_MS = 15 * 60_000;
export const responseTimeMs = (
  event: { requestContext?: { requestTimeEpoch?: unknown } },
  handlerMs: number,
): number => {
  const epoch = event.requestContext?.requestTimeEpoch;
  if (typeof epoch !== 'number') return handlerMs;
  const since = Date.now() - epoch;
  return since >= handlerMs && since < MAX_PLAUSIBLE_MS ? since : handlerMs;
};

export const createRouter = (deps: ServiceDeps) => {
  const { logger } = deps.telemetry;

  const http = async (event: APIGatewayProxyEvent, context?: Context): Promise<HttpResponse> => {
    const started = performance.now();
    let operation = 'unknown';
    let requestId = context?.awsRequestId ?? 'unknown';
    let response: HttpResponse;
    let failed = false;
    try {
      const request = parseRequest(event, requestId);
      requestId = request.requestId;
      const match = matchRoute(request.method, request.path);
      if (!match) throw new OrderError('not_found', 'route_not_found', 'no such resource');
      if (!match.route) {
        response = json(
          405,
          {
            error: { code: 'method_not_allowed', message: `use ${match.allowed.join(', ')}` },
            request_id: requestId,
          },
          { allow: match.allowed.join(', ') },
        );
      } else {
        operation = match.route.operation;
        if (match.route.path.includes('{id}') && !ORDER_ID_PATTERN.test(match.orderId)) {
          throw new OrderError('not_found', 'order_not_found', 'order not found');
        }
        response = await match.route.handler({
          request,
          deps,
          orderId: match.orderId,
          ...(context ? { context } : {}),
        });
      }
    } catch (error) {
      if (error instanceof OrderError) {
        response = problem(error, requestId);
      } else {
        failed = true;
        logger.error('request failed', { operation, request_id: requestId, error: error as Error });
        response = internalError(requestId);
      }
    }
    const latencyMs = responseTimeMs(event, performance.now() - started);
    deps.telemetry.operationDone(operation, latencyMs, failed);
    logger.info('request', {
      operation,
      method: event.httpMethod,
      status: response.statusCode,
      latency_ms: Math.round(latencyMs * 10) / 10,
      request_id: requestId,
    });
    response.headers['x-request-id'] = requestId;
    return response;
  };

  const events = async (
    event: EventBridgeEvent<string, unknown>,
    context?: Context,
  ): Promise<EventOutcome> => {
    const started = performance.now();
    try {
      const outcome = await handleEvent(event, deps, context);
      logger.info('event', { type: event['detail-type'], event_id: event.id, ...outcome });
      deps.telemetry.operationDone('events', performance.now() - started, false);
      return outcome;
    } catch (error) {
      deps.telemetry.operationDone('events', performance.now() - started, true);
      logger.error('event processing failed', { event_id: event.id, error: error as Error });
      throw error;
    }
  };

  return async (event: unknown, context?: Context): Promise<HttpResponse | EventOutcome> => {
    if (context) logger.addContext(context);
    try {
      if (isHttpEvent(event)) return await http(event, context);
      if (isEventBridgeEvent(event)) return await events(event, context);
      logger.error('unsupported event shape', { keys: Object.keys(event ?? {}) });
      throw new Error('unsupported event: expected an API Gateway proxy or EventBridge event');
    } finally {
      deps.telemetry.flush();
    }
  };
};
