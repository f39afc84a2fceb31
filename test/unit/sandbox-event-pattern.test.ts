import { describe, expect, it } from 'vitest';
import {
  InvalidEventPattern,
  matchesEventPattern,
  parseEventPattern,
} from '../../sandbox/events/event-pattern.js';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'payment.succeeded',
  source: 'payments.stripe',
  account: '815856636111',
  time: '2026-12-01T10:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:x:1', 'arn:aws:y:2'],
  detail: {
    order_id: 'ord_1',
    amount: 25,
    currency: 'EUR',
    tags: ['a', 'b'],
    flag: true,
    gone: null,
  },
};

describe('matchesEventPattern', () => {
  it.each<[string, Record<string, unknown>, boolean]>([
    ['a listed value', { 'detail-type': ['payment.failed', 'payment.succeeded'] }, true],
    ['an unlisted value', { 'detail-type': ['payment.failed'] }, false],
    ['a nested field', { detail: { currency: ['EUR'] } }, true],
    ['a nested field that differs', { detail: { currency: ['USD'] } }, false],
    ['a missing field', { detail: { customer: ['x'] } }, false],
    ['any element of an array in the event', { resources: ['arn:aws:y:2'] }, true],
    ['a number', { detail: { amount: [25] } }, true],
    ['a boolean', { detail: { flag: [true] } }, true],
    ['null', { detail: { gone: [null] } }, true],
    ['prefix', { source: [{ prefix: 'payments.' }] }, true],
    ['prefix that differs', { source: [{ prefix: 'shipping.' }] }, false],
    ['suffix', { source: [{ suffix: '.stripe' }] }, true],
    ['prefix ignoring case', { source: [{ prefix: { 'equals-ignore-case': 'PAYMENTS' } }] }, true],
    ['equals-ignore-case', { detail: { currency: [{ 'equals-ignore-case': 'eur' }] } }, true],
    ['anything-but a value', { detail: { currency: [{ 'anything-but': 'USD' }] } }, true],
    [
      'anything-but a list holding it',
      { detail: { currency: [{ 'anything-but': ['EUR', 'USD'] }] } },
      false,
    ],
    ['anything-but a prefix', { source: [{ 'anything-but': { prefix: 'shipping' } }] }, true],
    ['numeric range', { detail: { amount: [{ numeric: ['>', 10, '<=', 25] }] } }, true],
    ['numeric range missed', { detail: { amount: [{ numeric: ['<', 10] }] } }, false],
    ['exists true', { detail: { order_id: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { customer: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { order_id: [{ exists: false }] } }, false],
    ['wildcard', { source: [{ wildcard: 'pay*.str*' }] }, true],
    [
      '$or with one branch matching',
      { $or: [{ source: ['x'] }, { detail: { amount: [25] } }] },
      true,
    ],
    ['$or with none matching', { $or: [{ source: ['x'] }, { detail: { amount: [1] } }] }, false],
    ['cidr (not covered: never matches)', { source: [{ cidr: '10.0.0.0/24' }] }, false],
    ['the empty pattern', {}, true],
  ])('%s', (_label, pattern, expected) => {
    // Act
    const matched = matchesEventPattern(pattern, event);

    // Assess
    expect(matched).toBe(expected);
  });

  it("does not match a replayed event against the archive's own rule pattern", () => {
    // Prepare: the pattern EventBridge gives an archive's managed rule
    const archiveRule = { 'replay-name': [{ exists: false }] };

    // Act / Assess
    expect(matchesEventPattern(archiveRule, event)).toBe(true);
    expect(matchesEventPattern(archiveRule, { ...event, 'replay-name': 'r1' })).toBe(false);
  });

  it('takes a pattern as JSON text, and refuses one that is not an object', () => {
    // Act / Assess
    expect(matchesEventPattern('{"source":["payments.stripe"]}', event)).toBe(true);
    expect(() => parseEventPattern('["source"]')).toThrow(InvalidEventPattern);
    expect(() => parseEventPattern('{')).toThrow(InvalidEventPattern);
  });
});
