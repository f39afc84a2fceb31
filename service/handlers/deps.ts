import type { Context } from 'aws-lambda';
import type { EventPublisher } from '../adapters/event-publisher.js';
import type { IdempotencyGuard } from '../adapters/idempotency.js';
import type { Clock, IdSource } from '../adapters/ids.js';
import type { OrderRepository } from '../adapters/order-repository.js';
import type { PageTokenCodec } from '../adapters/page-token.js';
import type { Telemetry } from '../adapters/telemetry.js';
import type { HttpResponse } from '../http/problem.js';
import type { HttpRequest } from '../http/request.js';

/** Everything a handler may touch, injected so unit tests need no network. */
export interface ServiceDeps {
  readonly repo: OrderRepository;
  readonly publisher: EventPublisher;
  readonly idempotency: IdempotencyGuard;
  readonly pageTokens: PageTokenCodec;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly telemetry: Telemetry;
  /** Reported by the health endpoint: release tag / git sha / Lambda version. */
  readonly version: string;
}

export interface RouteInput {
  readonly request: HttpRequest;
  readonly deps: ServiceDeps;
  /** The `{id}` path segment, already checked against the id format. */
  readonly orderId: string;
  readonly context?: Context;
}

export type HttpHandler = (input: RouteInput) => Promise<HttpResponse>;
