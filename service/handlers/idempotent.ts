import { OrderError } from '../domain/errors.js';
import type { HttpResponse } from '../http/problem.js';
import type { RouteInput } from './deps.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Runs a mutating operation under the `Idempotency-Key` header when the client sent one:
 * the first response is stored and replayed verbatim (marked `idempotent-replayed: true`).
 * Without the header the operation simply runs.
 */
export const withIdempotency = async (
  input: RouteInput,
  operation: string,
  payload: unknown,
  run: () => Promise<HttpResponse>,
): Promise<HttpResponse> => {
  const key = input.request.headers['idempotency-key'];
  if (key === undefined) return run();
  if (!KEY_PATTERN.test(key)) {
    throw new OrderError(
      'invalid',
      'invalid_idempotency_key',
      'Idempotency-Key must be 1-255 printable ASCII characters',
    );
  }
  const actor = input.request.actor;
  const { result, replayed } = await input.deps.idempotency.run(
    { caller: actor?.subject ?? 'anonymous', operation, target: input.orderId, key },
    payload,
    run,
    input.context,
  );
  return replayed
    ? { ...result, headers: { ...result.headers, 'idempotent-replayed': 'true' } }
    : result;
};
