import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { OrderError } from '../../service/domain/errors.js';
import {
  type HttpRequest,
  jsonBody,
  MAX_BODY_BYTES,
  parseRequest,
  requireActor,
} from '../../service/http/request.js';

/** A minimal REST API proxy event; only the fields parseRequest reads matter. */
const event = (overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent =>
  ({
    httpMethod: 'GET',
    path: '/v1.0/orders',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: false,
    body: null,
    resource: '/v1.0/orders/{proxy+}',
    requestContext: { requestId: 'req-1' },
    ...overrides,
  }) as unknown as APIGatewayProxyEvent;

const errorOf = (fn: () => unknown): OrderError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof OrderError) return error;
    throw error;
  }
  throw new Error('expected an OrderError');
};

const withBody = (rawBody: string | undefined): HttpRequest => ({
  method: 'POST',
  path: '/v1.0/orders',
  headers: {},
  query: {},
  rawBody,
  requestId: 'req-1',
  actor: undefined,
});

describe('parseRequest', () => {
  it('lower-cases header names and keeps their values', () => {
    // Act
    const request = parseRequest(
      event({ headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'Key-ABC' } }),
      'fallback',
    );

    // Assess
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      'idempotency-key': 'Key-ABC',
    });
  });

  it('drops absent query values and keeps the rest', () => {
    // Act
    const request = parseRequest(
      event({
        queryStringParameters: { limit: '5', status: undefined },
      }),
      'fallback',
    );

    // Assess
    expect(request.query).toEqual({ limit: '5' });
  });

  it('upper-cases the method and takes the gateway request id', () => {
    // Act
    const request = parseRequest(event({ httpMethod: 'post' }), 'fallback');

    // Assess
    expect(request.method).toBe('POST');
    expect(request.requestId).toBe('req-1');
  });

  it('falls back to the given request id without a request context', () => {
    // Act
    const request = parseRequest(
      event({ requestContext: undefined as unknown as APIGatewayProxyEvent['requestContext'] }),
      'lambda-req-9',
    );

    // Assess
    expect(request.requestId).toBe('lambda-req-9');
    expect(request.actor).toBeUndefined();
  });

  it.each([
    ['/v1.0/orders/', '/v1.0/orders'],
    ['/v1.0/orders/ord_1//', '/v1.0/orders/ord_1'],
    ['/', '/'],
    ['', '/'],
  ])('strips trailing slashes: %j → %j', (path, expected) => {
    // Act
    const request = parseRequest(event({ path }), 'fallback');

    // Assess
    expect(request.path).toBe(expected);
  });

  it('decodes a base64 body', () => {
    // Prepare
    const json = '{"total":59.98,"note":"café"}';

    // Act
    const request = parseRequest(
      event({ body: Buffer.from(json, 'utf8').toString('base64'), isBase64Encoded: true }),
      'fallback',
    );

    // Assess
    expect(request.rawBody).toBe(json);
  });

  it('treats an empty body as absent', () => {
    // Assess
    expect(parseRequest(event({ body: '' }), 'fallback').rawBody).toBeUndefined();
    expect(parseRequest(event({ body: null }), 'fallback').rawBody).toBeUndefined();
  });

  it('accepts a body of exactly 64 KiB', () => {
    // Act
    const request = parseRequest(event({ body: 'a'.repeat(MAX_BODY_BYTES) }), 'fallback');

    // Assess
    expect(request.rawBody).toHaveLength(64 * 1024);
  });

  it.each([
    ['plain ASCII', { body: 'a'.repeat(MAX_BODY_BYTES + 1) }],
    // 32 Ki two-byte characters: 32,768 UTF-16 units but 65,538 bytes.
    ['multi-byte UTF-8 counted in bytes', { body: `${'é'.repeat(32 * 1024)}a` }],
    [
      'base64 counted after decoding',
      {
        body: Buffer.alloc(MAX_BODY_BYTES + 1, 'a').toString('base64'),
        isBase64Encoded: true,
      },
    ],
  ])('refuses a body over 64 KiB (%s) as too_large', (_label, overrides) => {
    // Act
    const error = errorOf(() => parseRequest(event(overrides), 'fallback'));

    // Assess
    expect(error.kind).toBe('too_large');
    expect(error.code).toBe('body_too_large');
  });

  it('reads REST API Cognito claims', () => {
    // Act
    const request = parseRequest(
      event({
        requestContext: {
          requestId: 'req-2',
          authorizer: {
            claims: { sub: 'sub-1', 'custom:customer_id': 'cust_1', 'cognito:groups': 'admin' },
          },
        } as unknown as APIGatewayProxyEvent['requestContext'],
      }),
      'fallback',
    );

    // Assess
    expect(request.actor).toEqual({ subject: 'sub-1', customerId: 'cust_1', isAdmin: true });
  });

  it('reads HTTP API JWT claims', () => {
    // Act
    const request = parseRequest(
      event({
        requestContext: {
          requestId: 'req-3',
          authorizer: { jwt: { claims: { sub: 'sub-2', 'cognito:groups': '[admin]' } } },
        } as unknown as APIGatewayProxyEvent['requestContext'],
      }),
      'fallback',
    );

    // Assess
    expect(request.actor).toEqual({ subject: 'sub-2', isAdmin: true });
  });

  it('requireActor refuses an anonymous request as unauthenticated', () => {
    // Act
    const error = errorOf(() => requireActor(parseRequest(event(), 'fallback')));

    // Assess
    expect(error.kind).toBe('unauthenticated');
  });
});

describe('jsonBody', () => {
  it('parses a JSON body', () => {
    // Assess
    expect(jsonBody(withBody('{"a":[1,2]}'), true)).toEqual({ a: [1, 2] });
  });

  it('refuses malformed JSON as invalid', () => {
    // Act
    const error = errorOf(() => jsonBody(withBody('{"a":'), false));

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('malformed_json');
  });

  it('answers {} for an absent optional body and refuses an absent required one', () => {
    // Assess
    expect(jsonBody(withBody(undefined), false)).toEqual({});
    const error = errorOf(() => jsonBody(withBody(undefined), true));
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('body_required');
  });
});
