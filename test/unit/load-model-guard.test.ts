import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import { IoHost, type IoOptions } from '../../cli/io/io-host.js';
import { checkSharedToken, guardProd } from '../../cli/load/load-guard.js';
import { DEFAULT_LOAD_MIX, type LoadMix } from '../../cli/load/load-mix.js';
import { createLoadModel, loadCustomerIds } from '../../cli/load/load-model.js';
import { seededRandom } from '../../sandbox/api/traffic-model.js';

const mixOf = (partial: Partial<LoadMix>): LoadMix => ({
  create: 0,
  get: 0,
  list: 0,
  status: 0,
  cancel: 0,
  burst: 0,
  ...partial,
});

const customers = new Map(loadCustomerIds('t1', 3).map((id) => [id, `token-${id}`]));
const model = (mix: LoadMix, burstSize = 4) =>
  createLoadModel({ customers, adminToken: 'admin', mix, burstSize, random: seededRandom(7) });

describe('createLoadModel', () => {
  it('names its test customers loadtest_<run>_NNN', () => {
    // Assess
    expect([...customers.keys()]).toEqual([
      'loadtest_t1_001',
      'loadtest_t1_002',
      'loadtest_t1_003',
    ]);
  });

  it('a burst is N creates for one customer with distinct idempotency keys', () => {
    // Act
    const arrival = model(mixOf({ burst: 1 })).next();

    // Assess
    expect(arrival.operation).toBe('burst');
    expect(arrival.requests).toHaveLength(4);
    const bodies = arrival.requests.map(
      (r) => JSON.parse(r.body ?? '{}') as { customer_id: string },
    );
    expect(new Set(bodies.map((b) => b.customer_id)).size).toBe(1);
    expect(bodies[0]?.customer_id).toMatch(/^loadtest_t1_00\d$/);
    expect(new Set(arrival.requests.map((r) => r.headers['idempotency-key'])).size).toBe(4);
    expect(new Set(arrival.requests.map((r) => r.token))).toEqual(
      new Set([`token-${bodies[0]?.customer_id}`]),
    );
  });

  it('lists are always scoped to one test customer (an admin token would list the table)', () => {
    // Act
    const m = model(mixOf({ list: 1 }));
    const paths = Array.from({ length: 20 }, () => m.next().requests[0]?.path);

    // Assess
    for (const path of paths)
      expect(path).toMatch(/^\/v1\.0\/orders\?customer_id=loadtest_t1_00\d$/);
  });

  it('remembers every order a create or a burst was answered 201 for, and nothing else', () => {
    // Prepare
    const m = model(mixOf({ create: 1, burst: 1 }));
    const arrivals = Array.from({ length: 10 }, () => m.next());
    let n = 0;

    // Act
    for (const arrival of arrivals) {
      for (const request of arrival.requests) {
        n += 1;
        if (n % 3 === 0) request.settle(500, '{"title":"boom"}');
        else request.settle(201, JSON.stringify({ order_id: `ord_${n}` }));
      }
    }

    // Assess
    const expected = Array.from({ length: n }, (_, i) => i + 1)
      .filter((i) => i % 3 !== 0)
      .map((i) => `ord_${i}`);
    expect([...m.created].sort()).toEqual(expected.sort());
  });

  it('an operation that needs an order falls back to a create before one exists', () => {
    // Act
    const arrival = model(mixOf({ get: 1 })).next();

    // Assess
    expect(arrival.operation).toBe('create');
    expect(arrival.requests[0]?.method).toBe('POST');
  });

  it('the default mix runs the plan operations', () => {
    // Prepare
    const m = model(DEFAULT_LOAD_MIX);

    // Act
    const ops = new Set(
      Array.from({ length: 300 }, () => {
        const arrival = m.next();
        for (const r of arrival.requests) {
          r.settle(
            r.method === 'POST' ? 201 : 200,
            JSON.stringify({ order_id: `o${Math.random()}` }),
          );
        }
        return arrival.operation;
      }),
    );

    // Assess
    expect([...ops].sort()).toEqual(['burst', 'create', 'get', 'list', 'status']);
  });
});

const jwt = (claims: Record<string, unknown>) =>
  ['{"alg":"none"}', JSON.stringify(claims)]
    .map((part) => Buffer.from(part).toString('base64url'))
    .join('.')
    .concat('.');

describe('checkSharedToken', () => {
  const until = new Date('2026-01-15T11:00:00Z');
  const later = Math.floor(new Date('2026-01-15T12:00:00Z').getTime() / 1000);

  it('accepts an admin token that outlives the run', () => {
    // Assess
    expect(() =>
      checkSharedToken(jwt({ sub: 'a', 'cognito:groups': ['admin'], exp: later }), 'sit', until),
    ).not.toThrow();
  });

  it.each([
    [
      'a customer token',
      { sub: 'c', 'custom:customer_id': 'cust_1', exp: later },
      'LOAD_NEEDS_ADMIN_TOKEN',
    ],
    [
      'an admin token expiring mid-run',
      { sub: 'a', 'cognito:groups': 'admin', exp: later - 7200 },
      'LOAD_TOKEN_EXPIRES',
    ],
  ])('refuses %s (exit 2)', (_name, claims, code) => {
    // Act
    let error: unknown;
    try {
      checkSharedToken(jwt(claims), 'sit', until);
    } catch (e) {
      error = e;
    }

    // Assess
    expect(error).toBeInstanceOf(PromoteError);
    expect(error).toMatchObject({ code, exitCode: 2 });
  });
});

const host = (options: Partial<IoOptions>) =>
  new IoHost(
    {
      json: false,
      ci: true,
      yes: false,
      verbose: false,
      color: false,
      interactive: false,
      ...options,
    },
    new PassThrough(),
    new PassThrough(),
  );

describe('guardProd', () => {
  const input = { actor: 'ops', what: '50 req/s for 60 s' };

  it('sit needs no approval', async () => {
    // Act
    const approval = await guardProd({ ...input, env: 'sit', allowProd: false, io: host({}) });

    // Assess
    expect(approval).toBeUndefined();
  });

  it('prod without --allow-prod is refused before any question', async () => {
    // Prepare
    const io = host({ yes: true });

    // Act
    const guarded = guardProd({ ...input, env: 'prod', allowProd: false, io });

    // Assess
    await expect(guarded).rejects.toMatchObject({ code: 'LOAD_PROD_NOT_ALLOWED', exitCode: 2 });
    expect(io.messages).toEqual([]);
  });

  it('prod with --allow-prod asks the PROD approver; with no terminal and no --yes it is refused', async () => {
    // Act
    const guarded = guardProd({ ...input, env: 'prod', allowProd: true, io: host({}) });

    // Assess
    await expect(guarded).rejects.toMatchObject({ code: 'PROMPT_NOT_INTERACTIVE', exitCode: 4 });
  });

  it('prod with --allow-prod and --yes records who approved, as what', async () => {
    // Prepare
    const io = host({ yes: true });

    // Act
    const approval = await guardProd({ ...input, env: 'prod', allowProd: true, io });

    // Assess
    expect(approval).toMatchObject({
      by: 'ops',
      via: '--yes',
      role: 'Product Owner and stakeholders ("GO")',
    });
    expect(io.messages[0]?.text).toContain('Load test PROD: 50 req/s for 60 s');
  });
});
