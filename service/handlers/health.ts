import { json } from '../http/problem.js';
import type { HttpHandler } from './deps.js';

const PING_TIMEOUT_MS = 2_000;

/** GET /v1.0/orders/health: no auth; version and DynamoDB reachability (503 if unreachable). */
export const health: HttpHandler = async ({ deps }) => {
  let timer: NodeJS.Timeout | undefined;
  const reachable = await Promise.race([
    deps.repo.ping().then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  return json(reachable ? 200 : 503, {
    status: reachable ? 'healthy' : 'degraded',
    version: deps.version,
    dynamodb: reachable ? 'reachable' : 'unreachable',
    checked_at: deps.clock.now().toISOString(),
  });
};
