import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Actor } from '../domain/actor.js';
import { OrderError } from '../domain/errors.js';

/** Request bodies above this size are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The parts of an API Gateway proxy event the handlers use, normalised. */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  /** Header names lower-cased (API Gateway keeps the client's casing). */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly rawBody: string | undefined;
  readonly requestId: string;
  /** Present when the authorizer established an identity. */
  readonly actor: Actor | undefined;
}

type Claims = Record<string, unknown>;

const claimsOf = (event: APIGatewayProxyEvent): Claims | undefined => {
  const authorizer = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  if (!authorizer) return undefined;
  // REST API + Cognito authorizer puts claims under `claims`; HTTP API JWT under `jwt.claims`.
  const direct = authorizer.claims;
  const jwt = (authorizer.jwt as { claims?: unknown } | undefined)?.claims;
  const claims = direct ?? jwt;
  return typeof claims === 'object' && claims !== null ? (claims as Claims) : undefined;
};

/** Cognito sends groups as an array, a JSON-ish "[a b]" string, or "a,b" depending on path. */
const parseGroups = (raw: unknown): string[] => {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') return [];
  return raw
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .map((g) => g.replace(/^"|"$/g, ''))
    .filter(Boolean);
};

const nonEmpty = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value : undefined;

/**
 * Customer ids follow the same identifier rule as `customer_id` in bodies and queries. A claim
 * that does not is ignored (the identity is then linked to no customer, so 403 where one is
 * needed): an oversized one would otherwise reach DynamoDB as a GSI key and fail there (500).
 */
const CUSTOMER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Builds the caller's identity from authorizer claims; undefined when there is none. */
export const actorFromClaims = (claims: Claims | undefined): Actor | undefined => {
  const subject = nonEmpty(claims?.sub);
  if (!claims || !subject) return undefined;
  const claimed = claims['custom:customer_id'];
  const customerId = typeof claimed === 'string' && CUSTOMER_ID.test(claimed) ? claimed : undefined;
  return {
    subject,
    isAdmin: parseGroups(claims['cognito:groups']).includes('admin'),
    ...(customerId ? { customerId } : {}),
  };
};

/**
 * Normalises a proxy event and refuses oversized bodies (measured in bytes after base64
 * decoding). Undecodable bodies are left to `jsonBody`, which answers 400 malformed_json.
 */
export const parseRequest = (
  event: APIGatewayProxyEvent,
  fallbackRequestId: string,
): HttpRequest => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (typeof value === 'string') headers[name.toLowerCase()] = value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (typeof value === 'string') query[name] = value;
  }
  const requestId = event.requestContext?.requestId ?? fallbackRequestId;
  let rawBody: string | undefined;
  if (typeof event.body === 'string' && event.body.length > 0) {
    const bytes = event.isBase64Encoded
      ? Buffer.from(event.body, 'base64')
      : Buffer.from(event.body, 'utf8');
    if (bytes.length > MAX_BODY_BYTES) {
      throw new OrderError(
        'too_large',
        'body_too_large',
        `request body exceeds ${MAX_BODY_BYTES} bytes`,
      );
    }
    rawBody = bytes.toString('utf8');
  }
  const path = (event.path ?? '/').replace(/\/+$/, '') || '/';
  return {
    method: (event.httpMethod ?? 'GET').toUpperCase(),
    path,
    headers,
    query,
    rawBody,
    requestId,
    actor: actorFromClaims(claimsOf(event)),
  };
};

/** The identity or 401. */
export const requireActor = (request: HttpRequest): Actor => {
  if (!request.actor) {
    throw new OrderError('unauthenticated', 'unauthenticated', 'a valid bearer token is required');
  }
  return request.actor;
};

/** Parses the JSON body (or `{}` when absent) with a 400 on malformed JSON. */
export const jsonBody = (request: HttpRequest, required: boolean): unknown => {
  if (request.rawBody === undefined) {
    if (required) throw new OrderError('invalid', 'body_required', 'a JSON body is required');
    return {};
  }
  try {
    return JSON.parse(request.rawBody);
  } catch {
    throw new OrderError('invalid', 'malformed_json', 'the request body is not valid JSON');
  }
};
