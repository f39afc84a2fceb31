import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpResponse } from '../../service/http/problem.js';
import {
  admin,
  apiEvent,
  type Caller,
  createServiceHarness,
  customer,
  type ServiceHarness,
} from '../support/service-harness.js';

/**
 * Property-based fuzzing of the whole HTTP surface through the real router, adapters and
 * DynamoDB Local: malformed bodies, paths, methods, query strings and claims. Whatever
 * arrives, the answer is a documented 2xx/4xx with a JSON body, errors have the one error
 * shape and no internals, and no personal data or credential reaches the logs.
 *
 * Most generated requests are invalid and fail before touching DynamoDB, which keeps the
 * run short; a share is valid and does reach the table.
 */

const DOCUMENTED_STATUSES = [200, 201, 400, 401, 403, 404, 405, 409, 413, 422];
const MIN_CASES = 2_000;
const MAX_BODY_BYTES = 64 * 1024;

const OWNER_ID = 'cust_fuzz_owner';
const OTHER_ID = 'cust_fuzz_other';
const OWNER = customer(OWNER_ID);
const OTHER = customer(OTHER_ID);
/** Valid-format id that no order has. */
const MISSING_ID = 'ord_00000000000000000000000000';

const FIELD_NAMES = [
  'customer_id',
  'items',
  'product_id',
  'quantity',
  'price',
  'total',
  'currency',
  'shipping',
  'recipient_name',
  'line1',
  'city',
  'postal_code',
  'country',
  'status',
  'reason',
  'phone',
  'email',
  'tracking_number',
  'carrier',
];

const validCreate = {
  customer_id: OWNER_ID,
  items: [{ product_id: 'prod_fuzz', quantity: 2, price: 10.25 }],
  total: 20.5,
  currency: 'USD',
};

// ---------------------------------------------------------------------------------------
// Log capture: in tests (POWERTOOLS_DEV=true) the Powertools logger and metrics write
// through the global console, so every line the service logs passes through these spies.
// ---------------------------------------------------------------------------------------

const logLines: string[] = [];
const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

const captureConsole = () => {
  for (const method of CONSOLE_METHODS) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      logLines.push(format(...args));
    });
  }
};

// ---------------------------------------------------------------------------------------
// Events: built from plain data, then round-tripped through JSON because that is how
// Lambda delivers them (no undefined, no null prototypes, own "__proto__" keys kept).
// ---------------------------------------------------------------------------------------

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, unknown> | null;
  readonly query?: Record<string, string> | null;
  readonly body?: string | null;
  /** `encode`: sent base64-encoded, as API Gateway sends binary; `raw`: flagged but not encoded. */
  readonly base64?: 'encode' | 'raw';
  /** `undefined`: no authorizer at all. */
  readonly authorizer?: unknown;
}

const claimsOf = (caller: Caller) => ({
  claims: {
    sub: caller.sub,
    ...(caller.customerId ? { 'custom:customer_id': caller.customerId } : {}),
    ...(caller.admin ? { 'cognito:groups': 'admin' } : {}),
  },
});

const toEvent = (request: FuzzRequest): APIGatewayProxyEvent => {
  const body =
    request.body === undefined || request.body === null
      ? null
      : request.base64 === 'encode'
        ? Buffer.from(request.body, 'utf8').toString('base64')
        : request.body;
  return JSON.parse(
    JSON.stringify({
      httpMethod: request.method,
      path: request.path,
      resource: '/{proxy+}',
      headers:
        request.headers === undefined ? { 'content-type': 'application/json' } : request.headers,
      multiValueHeaders: null,
      queryStringParameters: request.query ?? null,
      multiValueQueryStringParameters: null,
      pathParameters: null,
      stageVariables: null,
      isBase64Encoded: request.base64 !== undefined,
      body,
      requestContext: {
        requestId: randomUUID(),
        ...(request.authorizer !== undefined ? { authorizer: request.authorizer } : {}),
      },
    }),
  );
};

/** True when the authorizer established a subject: a non-blank string `sub` claim. */
const hasSubject = (event: APIGatewayProxyEvent): boolean => {
  const authorizer = event.requestContext.authorizer as Record<string, any> | null | undefined;
  const claims = authorizer?.claims ?? authorizer?.jwt?.claims;
  const sub = typeof claims === 'object' && claims !== null ? claims.sub : undefined;
  return typeof sub === 'string' && sub.trim() !== '';
};

// ---------------------------------------------------------------------------------------
// Response properties.
// ---------------------------------------------------------------------------------------

/** A stack frame such as `at fn (/path/file.js:1:2)` or `at /path/file.js:1:2`. */
const STACK_FRAME = /\bat\s+(?:\S+\s+\()?(?:file:\/\/|\/|node:)\S*:\d+:\d+/;

const walk = (value: unknown, visit: (key: string, value: unknown) => void, key = ''): void => {
  visit(key, value);
  if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) walk(v, visit, k);
  }
};

const expectNoInternals = (body: unknown) => {
  walk(body, (key, value) => {
    expect(key).not.toBe('stack');
    if (typeof value === 'string') expect(value).not.toMatch(STACK_FRAME);
  });
};

let cases = 0;

/** Sends one event and checks the properties every answer must have; returns it parsed. */
const sendAndAssess = async (svc: ServiceHarness, event: APIGatewayProxyEvent) => {
  cases += 1;
  const res = (await svc.invoke(event)) as HttpResponse;
  expect(res.statusCode).toBeLessThan(500);
  expect(DOCUMENTED_STATUSES).toContain(res.statusCode);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  let body: any;
  expect(() => {
    body = JSON.parse(res.body);
  }).not.toThrow();
  if (res.statusCode >= 400) {
    expect(Object.keys(body).sort()).toEqual(['error', 'request_id']);
    expect(typeof body.request_id).toBe('string');
    expect(body.request_id).toBe(res.headers['x-request-id']);
    const { code, message, details, ...rest } = body.error;
    expect(rest).toEqual({});
    expect(code).toMatch(/^[a-z_]+$/);
    expect(typeof message).toBe('string');
    expect(message.length).toBeGreaterThan(0);
    if (details !== undefined) expect(typeof details).toBe('object');
    expectNoInternals(body);
  }
  return { status: res.statusCode, body, requestId: res.headers['x-request-id'] ?? '' };
};

// ---------------------------------------------------------------------------------------
// Generators. JSON is produced as text so that it can hold what JSON.stringify never
// writes: -0, 1e999, duplicate and "__proto__" keys, truncations and other syntax errors.
// ---------------------------------------------------------------------------------------

const quote = (s: string) => JSON.stringify(s);
const objectText = (entries: ReadonlyArray<readonly [string, string]>) =>
  `{${entries.map(([k, v]) => `${quote(k)}:${v}`).join(',')}}`;

const numberText = fc.oneof(
  fc.constantFrom(
    '-0',
    '0',
    '1',
    '2',
    '10.25',
    '20.5',
    '1e309',
    '-1e309',
    '1e-400',
    '-1',
    '0.001',
    '1E2',
    '0.30000000000000004',
    '123456789012345678901234567890',
    '9007199254740993',
    '1000001',
  ),
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
);

const longString = fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n));

const stringText = fc
  .oneof(
    fc.constantFrom(
      'NaN',
      'Infinity',
      '-Infinity',
      '-0',
      '',
      '   ',
      'null',
      'undefined',
      '__proto__',
      'constructor',
      'USD',
      'usd',
      'ZA',
      'pending',
      'shipped',
      'bogus',
      'Ω≈ç√ ünïcödé',
      '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🎉👩‍👩‍👧',
      '\u0000',
      '\ud800',
      'a\u202eb',
      '<script>alert(1)</script>',
      "'; DROP TABLE orders; --",
      '$' + '{jndi:ldap://x}',
      '../../etc/passwd',
      'prod_fuzz',
    ),
    fc.string({ unit: 'binary', maxLength: 40 }),
    longString,
  )
  .map(quote);

const keyText = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', ...FIELD_NAMES),
  fc.string({ maxLength: 12 }),
);

const { jsonText } = fc.letrec<{ jsonText: string; arrayText: string; objText: string }>((tie) => ({
  jsonText: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    numberText,
    stringText,
    fc.constantFrom('true', 'false', 'null'),
    tie('arrayText'),
    tie('objText'),
  ),
  arrayText: fc.array(tie('jsonText'), { maxLength: 4 }).map((xs) => `[${xs.join(',')}]`),
  objText: fc.array(fc.tuple(keyText, tie('jsonText')), { maxLength: 5 }).map(objectText),
}));

/** Deep nesting (arrays or objects), within the 64 KiB limit. */
const deepText = fc
  .tuple(fc.integer({ min: 100, max: 6_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays
      ? '['.repeat(depth) + ']'.repeat(depth)
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Prototype-pollution attempts at the top level and inside nested fields. */
const pollutionText = fc
  .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.boolean())
  .map(([key, nested]) => {
    const payload =
      key === 'constructor'
        ? '{"prototype":{"polluted":true}}'
        : '{"polluted":true,"isAdmin":true}';
    return nested
      ? `{"items":[{"product_id":"p","quantity":1,"price":1,${quote(key)}:${payload}}],"total":1,"currency":"USD","shipping":{${quote(key)}:${payload}}}`
      : `{${quote(key)}:${payload},"items":[{"product_id":"p","quantity":1,"price":1}],"total":1,"currency":"USD"}`;
  });

/** Texts that are not JSON at all, or broken JSON. */
const malformedText = fc.oneof(
  fc.constantFrom(
    '',
    '   ',
    '{',
    '}',
    '{"a":1,}',
    "{'items':[]}",
    '{"total": NaN}',
    '{"total": Infinity}',
    '{"total": 0x10}',
    '{"total": .5}',
    '{"total": 01}',
    'undefined',
    '\ufeff{}',
    '{} {}',
    '/* c */ {}',
    '{"a":"\\x41"}',
    '\u0000',
    'null',
    '[]',
    '"just a string"',
    '42',
    'true',
  ),
  fc
    .tuple(jsonText, fc.nat())
    .map(([text, cut]) => (text.length > 1 ? text.slice(0, cut % text.length) : `${text}{`)),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** A field value: usually valid, sometimes any JSON, sometimes a wrong type. */
const field = (valid: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: jsonText });

/** An object with some of its fields, possibly extra (junk) keys. */
const objectOf = (fields: Record<string, fc.Arbitrary<string>>) =>
  fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.oneof(
        { weight: 4, arbitrary: fc.constant([] as Array<[string, string]>) },
        { weight: 1, arbitrary: fc.array(fc.tuple(keyText, jsonText), { maxLength: 2 }) },
      ),
    )
    .map(([known, extra]) =>
      objectText([...(Object.entries(known) as Array<[string, string]>), ...extra]),
    );

const validText = (...values: unknown[]) =>
  fc.constantFrom(...values.map((v) => JSON.stringify(v)));

const itemText = objectOf({
  product_id: field(validText('prod_fuzz', 'p-2', 'SKU:1.2')),
  quantity: field(validText(1, 2, 10_000)),
  price: field(validText(10.25, 0, 1_000_000, 29.99)),
});

const shippingText = objectOf({
  recipient_name: field(validText('A Person')),
  line1: field(validText('1 Main Road')),
  city: field(validText('Cape Town')),
  postal_code: field(validText('8001')),
  country: field(validText('ZA', 'za', 'ZAF')),
  phone: field(validText('+27 21 555 0100')),
  email: field(validText('a@example.com', 'not-an-email')),
});

const itemsText = fc.oneof(
  { weight: 3, arbitrary: fc.array(itemText, { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`) },
  { weight: 1, arbitrary: jsonText },
  {
    weight: 1,
    arbitrary: fc.constant(`[${Array(101).fill(JSON.stringify(validCreate.items[0])).join(',')}]`),
  },
);

const createText = objectOf({
  customer_id: field(validText(OWNER_ID, OTHER_ID, 'has space', '')),
  items: itemsText,
  total: field(validText(20.5, 0, 21)),
  currency: field(validText('USD', 'ZAR', 'JPY', 'XXX', 'AAA', 'usd')),
  shipping: field(shippingText),
});

const updateText = objectOf({
  items: itemsText,
  total: field(validText(20.5, 30.75)),
  shipping: field(shippingText),
});

const statusText = objectOf({
  status: field(validText('confirmed', 'processing', 'shipped', 'cancelled', 'bogus', 'PENDING')),
  reason: field(validText('because', '')),
});

const cancelText = objectOf({ reason: field(validText('changed my mind', '', ' ')) });

const fulfillText = objectOf({
  tracking_number: field(validText('TRK-1', 'has space', 'x'.repeat(65))),
  carrier: field(validText('DHL', '')),
});

/** Any body at all. */
const anyBody = fc.oneof(
  { weight: 3, arbitrary: jsonText },
  { weight: 2, arbitrary: malformedText },
  { weight: 1, arbitrary: deepText },
  { weight: 1, arbitrary: pollutionText },
);

const bodyFor = (valid: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 2, arbitrary: anyBody });

/** How the body travels: plain, base64 (as API Gateway sends binary), or absent. */
const transport = fc.oneof(
  { weight: 6, arbitrary: fc.constant('plain' as const) },
  { weight: 2, arbitrary: fc.constant('base64' as const) },
  { weight: 1, arbitrary: fc.constant('absent' as const) },
  { weight: 1, arbitrary: fc.constant('bad-base64' as const) },
);

const withTransport = (
  body: string,
  how: 'plain' | 'base64' | 'absent' | 'bad-base64',
): Pick<FuzzRequest, 'body' | 'base64'> => {
  if (how === 'absent') return { body: null };
  if (how === 'base64') return { body, base64: 'encode' };
  // Flagged as base64 but is not: decodes to bytes that are not the JSON that was sent.
  return how === 'bad-base64' ? { body, base64: 'raw' } : { body };
};

const idText = (known: readonly string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known, MISSING_ID) },
    { weight: 1, arbitrary: fc.stringMatching(/^ord_[0-9A-Z]{26}$/) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom(
          '.',
          '..',
          '%2e%2e',
          '..%2F..',
          '%2F',
          'health',
          'ord_',
          'ORD_00000000000000000000000000',
          'ord_0000000000000000000000000O',
          'ord_00000000000000000000000000%00',
          'ord_00000000000000000000000000.json',
          '%6Frd_00000000000000000000000000',
        ),
        fc.string({ maxLength: 30 }),
        fc.string({ maxLength: 20 }).map(encodeURIComponent),
        fc.nat({ max: 5_000 }).map((n) => `ord_${'A'.repeat(n)}`),
      ),
    },
  );

const PREFIXES = [
  '/v1.0/orders',
  '/orders',
  '/v2.0/orders',
  '/v1x0/orders',
  '/V1.0/ORDERS',
  '/v1.0/orders%2F',
  '/v1.0',
  '/v1.0/order',
  '/v1.0/ordersx',
  '',
  '/',
  '//v1.0/orders',
  '/v1.0/./orders',
  '/v1.0/../v1.0/orders',
];
const SUFFIXES = [
  '',
  '/',
  '//',
  '/status',
  '/cancel',
  '/fulfill',
  '/track',
  '/history',
  '/unknown',
  '/status/extra',
  '/%73tatus',
  '/STATUS',
  '/track/',
  '/..',
];

const pathText = (known: readonly string[]) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...PREFIXES), fc.option(idText(known)), fc.constantFrom(...SUFFIXES))
        .map(([prefix, id, suffix]) => `${prefix}${id === null ? '' : `/${id}`}${suffix}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('/v1.0/orders/health', '/orders/health', '/health') },
    { weight: 1, arbitrary: fc.webPath() },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  );

const methodText = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('get', 'post', 'Put', 'TRACE', 'CONNECT', 'PROPFIND', '', ' GET'),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
);

const knownCaller = fc.constantFrom<Caller | undefined>(
  OWNER,
  OTHER,
  admin,
  { ...admin, customerId: OWNER_ID },
  undefined,
);

/** Longer than a DynamoDB key may be (2,048 bytes), in characters or only in bytes. */
const oversizedClaim = fc.oneof(
  fc.integer({ min: 65, max: 3_000 }).map((n) => 'c'.repeat(n)),
  fc.integer({ min: 700, max: 1_200 }).map((n) => '€'.repeat(n)),
);

const claimsText = fc.record(
  {
    sub: fc.oneof(
      { weight: 4, arbitrary: fc.uuid() },
      fc.constantFrom('', '   ', 'sub-admin-1'),
      fc.string({ maxLength: 40 }),
      fc.integer(),
      fc.constant(null),
      fc.constant(['a']),
    ),
    'custom:customer_id': fc.oneof(
      fc.constantFrom(OWNER_ID, OTHER_ID, '', ' ', 'has space', 'ünï', '__proto__'),
      fc.string({ maxLength: 80 }),
      oversizedClaim,
      fc.integer(),
      fc.constant(null),
      fc.constant({ nested: OWNER_ID }),
    ),
    'cognito:groups': fc.oneof(
      fc.constantFrom('admin', '[admin]', '[admin ops]', '["admin"]', 'admin,ops', 'ADMIN', ''),
      fc.constantFrom('administrators', ' admin ', '[]', '[[admin]]', 'null'),
      fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constant('admin')), { maxLength: 3 }),
      fc.array(
        jsonText.map((t) => JSON.parse(t) as unknown),
        { maxLength: 2 },
      ),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant({ admin: true }),
    ),
  },
  { requiredKeys: [] },
);

/** Authorizer payloads: valid callers, and every malformed shape we can think of. */
const authorizerText = fc.oneof(
  { weight: 3, arbitrary: knownCaller.map((c) => (c ? claimsOf(c) : undefined)) },
  { weight: 3, arbitrary: claimsText.map((claims) => ({ claims })) },
  { weight: 1, arbitrary: claimsText.map((claims) => ({ jwt: { claims } })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.uuid(), oversizedClaim, fc.boolean())
      .map(([sub, customerId, isAdmin]) => ({
        claims: {
          sub,
          'custom:customer_id': customerId,
          ...(isAdmin ? { 'cognito:groups': 'admin' } : {}),
        },
      })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      null,
      {},
      { claims: null },
      { claims: 'sub=x' },
      { claims: 42 },
      { claims: [] },
      { claims: [{ sub: 'x' }] },
      { jwt: null },
      { jwt: 'eyJ.x.y' },
      { jwt: { claims: null } },
      { principalId: 'user', claims: { sub: '' } },
    ),
  },
);

/** Sometimes adds own `__proto__` / `constructor` keys, as JSON.parse would produce them. */
const withOwnKeys = <T extends Record<string, unknown>>(record: fc.Arbitrary<T>) =>
  fc
    .tuple(record, fc.subarray(['__proto__', 'constructor', 'hasOwnProperty']))
    .map(([fields, keys]) =>
      Object.fromEntries([...Object.entries(fields), ...keys.map((k) => [k, 'x'])]),
    );

const headersText = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(null) },
  {
    weight: 2,
    arbitrary: withOwnKeys(
      fc.record(
        {
          'content-type': fc.constantFrom('application/json', 'text/plain', '', 'application/xml'),
          'Idempotency-Key': fc.oneof(
            fc.constantFrom('', ' ', 'k'.repeat(256), 'key with space', 'ключ'),
            fc.string({ maxLength: 20 }),
          ),
          Authorization: fc.oneof(fc.constant('Bearer junk'), fc.string({ maxLength: 30 })),
          'X-Forwarded-For': fc.constant('127.0.0.1'),
          'CONTENT-TYPE': fc.constant('x'),
          'x-null': fc.constant(null),
        },
        { requiredKeys: [] },
      ),
    ),
  },
);

// ---------------------------------------------------------------------------------------

describe('API fuzzing against DynamoDB Local', () => {
  let svc: ServiceHarness;
  /** Real orders, so that generated ids sometimes hit existing items. */
  const known: string[] = [];

  beforeAll(async () => {
    captureConsole();
    svc = await createServiceHarness();
    for (const caller of [OWNER, OWNER, OTHER]) {
      const res = await svc.call(
        apiEvent('POST', '/v1.0/orders', {
          caller,
          body: { ...validCreate, customer_id: caller.customerId },
        }),
      );
      expect(res.status).toBe(201);
      known.push(res.body.order_id);
    }
    // One order far enough along for fulfill to be possible.
    for (const status of ['confirmed', 'processing']) {
      const res = await svc.call(
        apiEvent('PUT', `/v1.0/orders/${known[0]}/status`, { caller: admin, body: { status } }),
      );
      expect(res.status).toBe(200);
    }
  });

  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('malformed bodies on every body-taking route never cause a 5xx or an unshaped error', async () => {
    // Prepare
    const target = fc.oneof(
      fc.record({
        method: fc.constant('POST'),
        path: fc.constant('/v1.0/orders'),
        body: bodyFor(createText),
      }),
      fc.record({
        method: fc.constant('PUT'),
        path: idText(known).map((id) => `/v1.0/orders/${id}`),
        body: bodyFor(updateText),
      }),
      fc.record({
        method: fc.constant('PUT'),
        path: idText(known).map((id) => `/v1.0/orders/${id}/status`),
        body: bodyFor(statusText),
      }),
      fc.record({
        method: fc.constant('POST'),
        path: idText(known).map((id) => `/v1.0/orders/${id}/cancel`),
        body: bodyFor(cancelText),
      }),
      fc.record({
        method: fc.constant('POST'),
        path: idText(known).map((id) => `/v1.0/orders/${id}/fulfill`),
        body: bodyFor(fulfillText),
      }),
    );
    const property = fc.asyncProperty(
      target,
      fc.constantFrom(OWNER, OTHER, admin),
      transport,
      // A few reuse a small set of Idempotency-Keys, so replays and mismatches happen too.
      fc.option(fc.constantFrom('k1', 'k2', 'k3'), { freq: 4 }),
      async ({ method, path, body }, caller, how, key) => {
        // Act
        const event = toEvent({
          method,
          path,
          authorizer: claimsOf(caller),
          headers: {
            'content-type': 'application/json',
            ...(key !== null ? { 'Idempotency-Key': key } : {}),
          },
          ...withTransport(body, how),
        });
        const res = await sendAndAssess(svc, event);

        // Assess: the caller is authenticated, so never 401 (405 is possible: an empty id
        // makes the path the collection's).
        expect(res.status).not.toBe(401);
      },
    );

    // Act + Assess
    await fc.assert(property, { numRuns: 800 });
  });

  it('random methods and paths answer 2xx/4xx with JSON, never a 5xx', async () => {
    // Prepare
    const property = fc.asyncProperty(
      methodText,
      pathText(known),
      authorizerText,
      fc.option(anyBody, { freq: 3 }),
      headersText,
      async (method, path, authorizer, body, headers) => {
        // Act
        const res = await sendAndAssess(svc, toEvent({ method, path, authorizer, body, headers }));

        // Assess
        const tooLarge = body !== null && Buffer.byteLength(body) > MAX_BODY_BYTES;
        if (tooLarge) expect(res.status).toBe(413);
        else if (!/^(?:\/v1\.0)?\/orders(?:\/|$)/.test(path.replace(/\/+$/, '') || '/')) {
          expect(res.status).toBe(404);
          expect(res.body.error.code).toBe('route_not_found');
        } else expect(res.status).not.toBe(413);
      },
    );

    // Act + Assess
    await fc.assert(property, { numRuns: 600 });
  });

  it('random list query strings are validated (400) or answered (200), never a 5xx', async () => {
    // Prepare
    const query = withOwnKeys(
      fc.record(
        {
          limit: fc.oneof(
            fc.constantFrom(
              '-1',
              '0',
              'abc',
              '101',
              '1e2',
              '',
              ' 5',
              '1.5',
              '0x10',
              'NaN',
              '1',
              '100',
            ),
            fc.integer().map(String),
            fc.string({ maxLength: 8 }),
          ),
          next_token: fc.oneof(
            fc.constantFrom('', '.', 'a.b', 'a.b.c', 'eyJ9.x', 'null', 'x'.repeat(3_000)),
            fc.base64String({ maxLength: 80 }),
            fc
              .tuple(fc.base64String({ maxLength: 40 }), fc.base64String({ maxLength: 44 }))
              .map(([a, b]) => `${a}.${b}`),
            fc.string({ maxLength: 40 }),
          ),
          status: fc.oneof(
            fc.constantFrom('bogus', 'PENDING', 'pending', 'shipped', 'cancelled', ''),
            fc.string({ maxLength: 10 }),
          ),
          customer_id: fc.oneof(
            fc.constantFrom(OWNER_ID, OTHER_ID, '', 'a b', 'x'.repeat(65)),
            fc.string({ maxLength: 10 }),
          ),
          date: fc.oneof(
            fc.constantFrom('2024-01-01', '2024-13-01', '2024-02-30', 'today', ''),
            fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
            fc.string({ maxLength: 10 }),
          ),
          junk: fc.string({ maxLength: 10 }),
        },
        { requiredKeys: [] },
      ),
    );
    const property = fc.asyncProperty(knownCaller, query, async (caller, q) => {
      // Act
      const res = await sendAndAssess(
        svc,
        toEvent({
          method: 'GET',
          path: '/v1.0/orders',
          query: q as Record<string, string>,
          ...(caller ? { authorizer: claimsOf(caller) } : {}),
        }),
      );

      // Assess
      if (res.status === 200) {
        // Whatever the query, a customer only ever sees their own orders.
        if (caller && !caller.admin) {
          for (const order of res.body.orders) expect(order.customer_id).toBe(caller.customerId);
        }
        expect(res.body.count).toBe(res.body.orders.length);
      }
      if (!caller) expect(res.status).toBe(401);
    });

    // Act + Assess
    await fc.assert(property, { numRuns: 300 });
  });

  it('random and malformed claims on every route never cause a 5xx', async () => {
    // Prepare
    // Create and list use the customer claim directly, so they are drawn most often; the
    // create body names no customer, so the claim decides whose order it is.
    const { customer_id: _owner, ...selfCreate } = validCreate;
    const route = fc.oneof(
      { weight: 4, arbitrary: fc.constant(['POST', '/v1.0/orders', JSON.stringify(selfCreate)]) },
      { weight: 2, arbitrary: fc.constant(['GET', '/v1.0/orders', '']) },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          ['GET', `/v1.0/orders/${MISSING_ID}`, ''],
          [
            'PUT',
            `/v1.0/orders/${MISSING_ID}`,
            JSON.stringify({ total: 1, items: validCreate.items }),
          ],
          ['DELETE', `/v1.0/orders/${MISSING_ID}`, ''],
          ['PUT', `/v1.0/orders/${MISSING_ID}/status`, '{"status":"confirmed"}'],
          ['POST', `/v1.0/orders/${MISSING_ID}/cancel`, ''],
          [
            'POST',
            `/v1.0/orders/${MISSING_ID}/fulfill`,
            '{"tracking_number":"T1","carrier":"DHL"}',
          ],
          ['GET', `/v1.0/orders/${MISSING_ID}/track`, ''],
          ['GET', `/v1.0/orders/${MISSING_ID}/history`, ''],
          ['GET', '/v1.0/orders/health', ''],
        ),
      },
    );
    const property = fc.asyncProperty(
      route,
      authorizerText,
      async ([method = '', path = '', body], auth) => {
        // Act
        const event = toEvent({ method, path, body, authorizer: auth });
        const res = await sendAndAssess(svc, event);

        // Assess
        if (path.endsWith('/health')) expect(res.status).toBe(200);
        else if (!hasSubject(event)) expect(res.status).toBe(401);
        else expect(res.status).not.toBe(401);
      },
    );

    // Act + Assess
    await fc.assert(property, { numRuns: 250 });
  });

  it.each([
    ['longer than 64 characters', 'c'.repeat(65)],
    ['longer than a DynamoDB key (2,049 bytes)', 'c'.repeat(2_049)],
    ['multi-byte, over 2,048 bytes', '€'.repeat(700)],
    ['not an identifier', 'has space'],
  ])('a customer claim %s links to no customer: create is 403, not a 5xx', async (_, claim) => {
    // Prepare
    const { customer_id: _owner, ...selfCreate } = validCreate;
    const event = toEvent({
      method: 'POST',
      path: '/v1.0/orders',
      body: JSON.stringify(selfCreate),
      authorizer: { claims: { sub: 'sub-odd-claim', 'custom:customer_id': claim } },
    });

    // Act
    const res = await sendAndAssess(svc, event);

    // Assess
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('no_customer');
  });

  it('bodies over 64 KiB are refused with 413 on any route, whoever asks', async () => {
    // Prepare
    const property = fc.asyncProperty(
      methodText,
      pathText(known),
      authorizerText,
      // Multi-byte fillers: fewer than 64 Ki characters can still be more than 64 KiB.
      fc.constantFrom('x', 'é', '€', '🎉'),
      fc.integer({ min: 1, max: 3 * MAX_BODY_BYTES }),
      fc.constantFrom(undefined, 'encode' as const),
      async (method, path, authorizer, filler, extra, base64) => {
        const bytesPerChar = Buffer.byteLength(filler);
        const chars = Math.ceil((MAX_BODY_BYTES + extra) / bytesPerChar);
        const body = `{"items":"${filler.repeat(chars)}"}`;

        // Act
        const res = await sendAndAssess(
          svc,
          toEvent({ method, path, authorizer, body, ...(base64 ? { base64 } : {}) }),
        );

        // Assess
        expect(res.status).toBe(413);
        expect(res.body.error.code).toBe('body_too_large');
      },
    );

    // Act + Assess
    await fc.assert(property, { numRuns: 60 });
  });

  it('a body of exactly 64 KiB is accepted for parsing; one byte more is 413', async () => {
    // Prepare
    const wrapper = '{"reason":""}';
    const atLimit = `{"reason":"${'x'.repeat(MAX_BODY_BYTES - wrapper.length)}"}`;
    const overLimit = `${atLimit} `;
    const send = (body: string) =>
      sendAndAssess(
        svc,
        toEvent({
          method: 'POST',
          path: `/v1.0/orders/${MISSING_ID}/cancel`,
          authorizer: claimsOf(OWNER),
          body,
        }),
      );

    // Act
    const at = await send(atLimit);
    const over = await send(overLimit);

    // Assess
    expect(Buffer.byteLength(atLimit)).toBe(MAX_BODY_BYTES);
    expect(at.status).toBe(400);
    expect(at.body.error.code).toBe('validation_failed');
    expect(over.status).toBe(413);
  });

  it('no personal data or credential from a request ever reaches the logs', async () => {
    // Prepare
    const pii = fc.record({
      first: fc.constantFrom('Thandiwe', 'Sipho', 'Annelie', 'Pieter', 'Zanele', 'Nomsa'),
      last: fc.constantFrom('Zulu', 'Van der Merwe', 'Naidoo', 'Botha', 'Dlamini'),
      tag: fc.stringMatching(/^[a-z]{10}$/),
      streetNo: fc.integer({ min: 1, max: 999 }),
      phoneDigits: fc.stringMatching(/^[0-9]{9}$/),
      spacedPhone: fc.boolean(),
      jwtParts: fc.tuple(
        fc.base64String({ minLength: 20, maxLength: 40 }),
        fc.base64String({ minLength: 20, maxLength: 40 }),
      ),
    });
    const variant = fc.constantFrom(
      'valid-create',
      'valid-update',
      'wrong-total',
      'bad-currency',
      'extra-shipping-key',
      'long-phone',
      'bad-email',
      'bad-country',
      'other-customer-update',
      'anonymous',
      'malformed-json',
    );
    const mine = await svc.call(
      apiEvent('POST', '/v1.0/orders', { caller: OWNER, body: validCreate }),
    );
    expect(mine.status).toBe(201);
    const editable = mine.body.order_id as string;
    const property = fc.asyncProperty(pii, variant, async (p, kind) => {
      const tag = `pii${p.tag}`;
      const name = `${p.first} ${p.last} ${tag[0]!.toUpperCase()}${tag.slice(1)}`;
      const street = `${p.streetNo} ${tag} Street`;
      const email = `${p.first.toLowerCase()}.${tag}@example.co.za`;
      const d = p.phoneDigits;
      const phone = p.spacedPhone
        ? `+27 ${d.slice(0, 2)} ${d.slice(2, 5)} ${d.slice(5)}`
        : `+27${d}`;
      const payload = p.jwtParts[0].replace(/[+/=]/g, 'A');
      const jwt = `eyJhbGciOiJSUzI1NiJ9.${payload}.${p.jwtParts[1].replace(/[+/=]/g, 'B')}`;
      const shipping: Record<string, unknown> = {
        recipient_name: name,
        line1: street,
        city: 'Johannesburg',
        postal_code: '2001',
        country: 'ZA',
        phone,
        email,
      };
      let body: unknown = { ...validCreate, shipping };
      let method = 'POST';
      let path = '/v1.0/orders';
      let caller: Caller | undefined = OWNER;
      let raw: string | undefined;
      switch (kind) {
        case 'valid-update':
          method = 'PUT';
          path = `/v1.0/orders/${editable}`;
          body = { shipping };
          break;
        case 'other-customer-update':
          method = 'PUT';
          path = `/v1.0/orders/${known[2]}`;
          body = { shipping };
          break;
        case 'wrong-total':
          body = { ...validCreate, total: 99.99, shipping };
          break;
        case 'bad-currency':
          body = { ...validCreate, currency: 'usd', shipping };
          break;
        case 'extra-shipping-key':
          body = { ...validCreate, shipping: { ...shipping, note: `call ${name} on ${phone}` } };
          break;
        case 'long-phone':
          body = { ...validCreate, shipping: { ...shipping, phone: `${phone} ext ${d}${d}${d}` } };
          break;
        case 'bad-email':
          body = { ...validCreate, shipping: { ...shipping, email: `${name} <${email}>` } };
          break;
        case 'bad-country':
          body = { ...validCreate, shipping: { ...shipping, country: street } };
          break;
        case 'anonymous':
          caller = undefined;
          break;
        case 'malformed-json':
          raw = JSON.stringify({ ...validCreate, shipping }).slice(0, -1);
          break;
      }
      const event = apiEvent(method, path, {
        ...(caller ? { caller } : {}),
        ...(raw !== undefined ? { rawBody: raw } : { body }),
        headers: { Authorization: `Bearer ${jwt}`, 'X-Api-Key': `key-${tag}` },
      });
      const firstLine = logLines.length;

      // Act
      const res = await sendAndAssess(svc, event);

      // Assess
      if (kind === 'valid-create') expect(res.status).toBe(201);
      if (kind === 'valid-update') expect(res.status).toBe(200);
      const logged = logLines.slice(firstLine).join('\n');
      // The capture works: the request's own access-log line is there.
      expect(logged).toContain(res.requestId);
      // (Bare digit runs are not checked: metric values and timestamps are digits too.)
      for (const secret of [name, street, email, phone, jwt, payload, `key-${tag}`]) {
        expect(logged).not.toContain(secret);
      }
      expect(logged.toLowerCase()).not.toContain(tag);
    });

    // Act + Assess
    await fc.assert(property, { numRuns: 200 });
  });

  it('no request polluted Object.prototype', () => {
    // Assess
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(probe.isAdmin).toBeUndefined();
    expect(Object.keys(Object.prototype)).toEqual([]);
  });

  it(`sent at least ${MIN_CASES} generated requests`, () => {
    // Assess
    expect(cases).toBeGreaterThanOrEqual(MIN_CASES);
  });
});
