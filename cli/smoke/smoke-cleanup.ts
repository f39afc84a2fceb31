import type { LeftBehindOrder } from './run-smoke.js';
import { expectStatus } from './smoke-checks.js';
import type { Caller } from './smoke-http.js';
import { orderPath } from './smoke-tests.js';

/** The service deletes only these (service/domain/status-machine.ts DELETABLE_STATUSES). */
const DELETABLE = new Set(['pending', 'cancelled']);
/** These can still be cancelled, which makes them deletable. */
const CANCELLABLE = new Set(['confirmed', 'processing']);

export interface Cleanup {
  deleted: string[];
  leftBehind: LeftBehindOrder[];
}

/**
 * Deletes what the run created. The service deletes only pending or cancelled orders, so a
 * confirmed or processing one (a run that stopped half-way) is cancelled first; a shipped
 * one cannot be removed through the API and is reported, never hidden.
 */
export const cleanUp = async (
  call: Caller,
  orders: ReadonlyMap<string, string>,
  redact: (text: string) => string,
): Promise<Cleanup> => {
  const deleted: string[] = [];
  const leftBehind: LeftBehindOrder[] = [];
  for (const [orderId, seen] of orders) {
    let status = seen;
    try {
      if (CANCELLABLE.has(status)) {
        const answer = await call('POST', orderPath(orderId, '/cancel'), {
          auth: 'admin',
          body: { reason: 'smoke test cleanup' },
        });
        const body = expectStatus(answer, 200, 'cleanup cancel');
        status = String(body.status);
      }
      if (!DELETABLE.has(status)) {
        leftBehind.push({
          orderId,
          status,
          reason: `the service deletes only pending or cancelled orders; this one is ${status}`,
        });
        continue;
      }
      const answer = await call('DELETE', orderPath(orderId), { auth: 'admin' });
      expectStatus(answer, 200, 'cleanup delete');
      deleted.push(orderId);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      leftBehind.push({ orderId, status, reason: redact(reason) });
    }
  }
  return { deleted, leftBehind };
};
