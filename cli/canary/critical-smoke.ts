import type { LambdaApi } from '../aws/lambda-api.js';
import { runSmoke } from '../smoke/run-smoke.js';
import { planOrder } from '../smoke/smoke-tests.js';
import { proxyEvent, proxyResult } from './proxy-event.js';

/** What the canary's critical check found. */
export interface CriticalSmoke {
  readonly ok: boolean;
  readonly failed: string[];
}

/** The identity the direct calls carry: an admin acting for the plan's test customer. */
const CLAIMS = {
  sub: 'promote-canary-smoke',
  'cognito:groups': 'admin',
  'custom:customer_id': 'cust_test_001',
};

/**
 * Create and process an order on the candidate version itself, invoked directly with API
 * Gateway-shaped events: at a 10% weight a call through the alias mostly reaches the stable
 * version, which may lack what the candidate adds (a new transition) — that is not the
 * candidate's failure, and a pass there would not be the candidate's success. The order is
 * cancelled and deleted afterwards.
 */
export const candidateSmoke = async (
  lambda: LambdaApi,
  candidate: string,
  customerId = 'cust_test_001',
): Promise<CriticalSmoke> => {
  const failed: string[] = [];
  const invoke = async (method: string, path: string, body?: unknown) => {
    const out = await lambda.invoke(
      candidate,
      proxyEvent(method, path, { ...(body !== undefined ? { body } : {}), claims: CLAIMS }),
    );
    if (out.functionError) return { functionError: out.functionError, ...proxyResult(out.payload) };
    return proxyResult(out.payload);
  };
  const created = await invoke('POST', '/v1.0/orders', planOrder(customerId));
  const id = created.body?.order_id;
  if (created.statusCode !== 201 || typeof id !== 'string') {
    return {
      ok: false,
      failed: [`candidate ${candidate}: create → ${created.statusCode ?? 'no answer'}`],
    };
  }
  const path = `/v1.0/orders/${encodeURIComponent(id)}`;
  const processed = await invoke('PUT', `${path}/status`, { status: 'processing' });
  if (processed.statusCode !== 200 || processed.body?.status !== 'processing') {
    const code = (processed.body?.error as { code?: string } | undefined)?.code;
    failed.push(
      `candidate ${candidate}: status → processing → ${processed.statusCode ?? 'no answer'}${code ? ` (${code})` : ''}`,
    );
  }
  // Cleanup is best effort: a leftover test order must not fail the canary.
  await invoke('POST', `${path}/cancel`, { reason: 'canary smoke cleanup' }).catch(() => undefined);
  await invoke('DELETE', path).catch(() => undefined);
  return { ok: failed.length === 0, failed };
};

/**
 * Through the alias, over HTTP, as customers call it: creating an order must work whichever
 * version answers (both must create); transitions are judged on the candidate directly.
 */
export const aliasSmoke = async (options: {
  baseUrl: string;
  token: string;
  adminToken?: string;
  fetch?: typeof fetch;
}): Promise<CriticalSmoke> => {
  const report = await runSmoke({ ...options, only: ['create'] });
  return {
    ok: report.ok,
    failed: report.tests
      .filter((t) => !t.ok)
      .map((t) => `alias: ${t.title}: ${t.reason ?? t.status}`),
  };
};
