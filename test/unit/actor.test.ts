import { describe, expect, it } from 'vitest';
import {
  type Actor,
  assertAdmin,
  assertVisible,
  canSee,
  resolveCustomer,
  SYSTEM_ACTOR,
} from '../../service/domain/actor.js';
import { OrderError } from '../../service/domain/errors.js';
import { actorFromClaims } from '../../service/http/request.js';

const alice: Actor = { subject: 'sub-alice', customerId: 'cust_alice', isAdmin: false };
const staff: Actor = { subject: 'sub-staff', isAdmin: true };
const adminCustomer: Actor = { subject: 'sub-ops', customerId: 'cust_ops', isAdmin: true };
const unlinked: Actor = { subject: 'sub-nobody', isAdmin: false };

const aliceOrder = { order_id: 'ord_a', customer_id: 'cust_alice' };
const bobOrder = { order_id: 'ord_b', customer_id: 'cust_bob' };

const errorOf = (fn: () => unknown): OrderError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof OrderError) return error;
    throw error;
  }
  throw new Error('expected an OrderError');
};

describe('order visibility', () => {
  it('lets a customer see only their own orders and admins see all', () => {
    // Assess
    expect(canSee(alice, aliceOrder)).toBe(true);
    expect(canSee(alice, bobOrder)).toBe(false);
    expect(canSee(staff, bobOrder)).toBe(true);
    expect(canSee(SYSTEM_ACTOR, bobOrder)).toBe(true);
    expect(canSee(unlinked, aliceOrder)).toBe(false);
  });

  it('assertVisible returns the order itself when visible', () => {
    // Act
    const seen = assertVisible(alice, aliceOrder);

    // Assess
    expect(seen).toBe(aliceOrder);
  });

  it("answers not_found (404), never forbidden, for another customer's order", () => {
    // Act
    const error = errorOf(() => assertVisible(alice, bobOrder));

    // Assess
    expect(error.kind).toBe('not_found');
    expect(error.code).toBe('order_not_found');
    expect(error.message).toBe('order not found');
  });

  it('assertAdmin refuses non-admins with forbidden and names the action', () => {
    // Act
    const error = errorOf(() => assertAdmin(alice, 'fulfill orders'));

    // Assess
    expect(error.kind).toBe('forbidden');
    expect(error.code).toBe('admin_required');
    expect(error.message).toContain('fulfill orders');
    expect(() => assertAdmin(staff, 'fulfill orders')).not.toThrow();
  });
});

describe('resolveCustomer', () => {
  it('gives an admin the customer they name', () => {
    // Assess
    expect(resolveCustomer(staff, 'cust_bob')).toBe('cust_bob');
    expect(resolveCustomer(adminCustomer, 'cust_bob')).toBe('cust_bob');
  });

  it("falls back to an admin's own customer id", () => {
    // Assess
    expect(resolveCustomer(adminCustomer, undefined)).toBe('cust_ops');
  });

  it('requires a pure staff admin to name the customer', () => {
    // Act
    const error = errorOf(() => resolveCustomer(staff, undefined));

    // Assess
    expect(error.kind).toBe('invalid');
    expect(error.code).toBe('customer_required');
    expect(error.details).toEqual({ field: 'customer_id' });
  });

  it('lets a customer act for themself, named or not', () => {
    // Assess
    expect(resolveCustomer(alice, undefined)).toBe('cust_alice');
    expect(resolveCustomer(alice, 'cust_alice')).toBe('cust_alice');
  });

  it('forbids a customer acting for someone else', () => {
    // Act
    const error = errorOf(() => resolveCustomer(alice, 'cust_bob'));

    // Assess
    expect(error.kind).toBe('forbidden');
    expect(error.code).toBe('other_customer');
  });

  it('forbids an identity with no customer link', () => {
    // Act
    const error = errorOf(() => resolveCustomer(unlinked, undefined));

    // Assess
    expect(error.kind).toBe('forbidden');
    expect(error.code).toBe('no_customer');
  });
});

describe('actorFromClaims', () => {
  it('builds a customer identity from sub and custom:customer_id', () => {
    // Act
    const actor = actorFromClaims({ sub: 'sub-1', 'custom:customer_id': 'cust_1' });

    // Assess
    expect(actor).toEqual({ subject: 'sub-1', customerId: 'cust_1', isAdmin: false });
  });

  it.each([
    ['an array', ['other', 'admin']],
    ['a bracketed space list', '[admin other]'],
    ['a bracketed list led by another group', '[other admin]'],
    ['a comma list', 'admin,x'],
    ['a comma-and-space list', 'x, admin'],
    ['a JSON array string', '["x","admin"]'],
    ['a single name', 'admin'],
  ])('recognises admin in groups given as %s', (_label, groups) => {
    // Act
    const actor = actorFromClaims({ sub: 'sub-2', 'cognito:groups': groups });

    // Assess
    expect(actor).toEqual({ subject: 'sub-2', isAdmin: true });
  });

  it.each([
    ['no groups', undefined],
    ['other groups only', '[other staff]'],
    ['a group merely containing admin', 'administrators,sysadmin'],
    ['a non-string, non-array value', 42],
  ])('is not admin with %s', (_label, groups) => {
    // Act
    const actor = actorFromClaims({ sub: 'sub-3', 'cognito:groups': groups });

    // Assess
    expect(actor?.isAdmin).toBe(false);
  });

  it.each([
    ['no claims', undefined],
    ['claims without sub', { 'custom:customer_id': 'cust_1', 'cognito:groups': 'admin' }],
    ['an empty sub', { sub: '' }],
    ['a blank sub', { sub: '   ' }],
    ['a non-string sub', { sub: 7 }],
  ])('is undefined for %s', (_label, claims) => {
    // Assess
    expect(actorFromClaims(claims)).toBeUndefined();
  });

  it('omits a blank customer id', () => {
    // Act
    const actor = actorFromClaims({ sub: 'sub-4', 'custom:customer_id': ' ' });

    // Assess
    expect(actor).toEqual({ subject: 'sub-4', isAdmin: false });
    expect(actor).not.toHaveProperty('customerId');
  });
});
