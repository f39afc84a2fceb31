import { type Answer, SmokeCheckFailed } from './smoke-http.js';

/** Assertions on one answer: a status, a JSON object, a field; each failure says what it saw. */

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** The service's `{error:{code}}` or API Gateway's `{message}`, for a one-line reason. */
const errorHint = (body: unknown): string => {
  if (!isObject(body)) return '';
  const error = body.error;
  if (isObject(error) && typeof error.code === 'string') return ` (${error.code})`;
  if (typeof body.message === 'string') return ` (${body.message.slice(0, 60)})`;
  return '';
};

export const expectStatus = (answer: Answer, expected: number, what: string): Json => {
  if (answer.status !== expected) {
    throw new SmokeCheckFailed(
      `${what}: expected HTTP ${expected}, got ${answer.status}${errorHint(answer.body)}`,
      answer.status,
    );
  }
  if (!isObject(answer.body)) {
    throw new SmokeCheckFailed(`${what}: response body is not a JSON object`, answer.status);
  }
  return answer.body;
};

export const show = (value: unknown): string =>
  value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 60);

export const expectField = (
  answer: Answer,
  body: Json,
  field: string,
  check: string | number | boolean | null | ((value: unknown) => boolean),
  expectation?: string,
): void => {
  const value = body[field];
  const holds = typeof check === 'function' ? check(value) : value === check;
  if (!holds) {
    const wanted = expectation ?? show(check);
    throw new SmokeCheckFailed(`${field}: expected ${wanted}, got ${show(value)}`, answer.status);
  }
};

export const nonEmptyString = (value: unknown): boolean =>
  typeof value === 'string' && value.length > 0;

export const orderIdsOf = (body: Json): string[] | undefined => {
  if (!Array.isArray(body.orders)) return undefined;
  return body.orders.map((o) => (isObject(o) ? String(o.order_id) : ''));
};
