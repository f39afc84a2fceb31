import type { FailureKind, OrderError } from '../domain/errors.js';

/** The one HTTP status each failure kind maps to (documented in the README). */
export const STATUS_BY_KIND: Readonly<Record<FailureKind, number>> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
  unavailable: 503,
};

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export const json = (
  statusCode: number,
  payload: unknown,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { ...BASE_HEADERS, ...headers },
  body: JSON.stringify(payload),
});

/** `{"error":{"code","message"},"request_id"}`: the only error shape clients ever see. */
export const problem = (error: OrderError, requestId: string): HttpResponse =>
  json(STATUS_BY_KIND[error.kind], {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    },
    request_id: requestId,
  });

/** An unexpected failure: a 500 with no internals (the log has them, masked). */
export const internalError = (requestId: string): HttpResponse =>
  json(500, {
    error: { code: 'internal_error', message: 'the request could not be completed' },
    request_id: requestId,
  });
