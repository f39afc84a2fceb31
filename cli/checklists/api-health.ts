import { fail, type ProbeOutcome, pass } from './probe.js';

/** The service's health route under an API base (the smoke suite's test 1 calls the same). */
export const HEALTH_PATH = '/v1.0/orders/health';

/**
 * GET a health URL: healthy is 200 with `status: healthy`. One reading for the `health` probe
 * and PROD preflight's "verify SIT is stable"; a network failure is an answer, not a throw.
 */
export const readHealth = async (
  url: string,
  fetchImpl: typeof fetch = fetch,
): Promise<ProbeOutcome> => {
  try {
    const res = await fetchImpl(url, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json().catch(() => ({}))) as { status?: string; version?: string };
    const detail = `${url} → ${res.status} ${body.status ?? ''} ${body.version ?? ''}`.trim();
    const value = { url, status: res.status, body: body.status, version: body.version };
    return res.status === 200 && body.status === 'healthy'
      ? pass(detail, value)
      : fail(detail, value);
  } catch (error) {
    return fail(`${url} → ${(error as Error).message}`, { url });
  }
};
