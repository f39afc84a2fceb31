import { describe, expect, it } from 'vitest';
import {
  canTransition,
  isOrderStatus,
  nextStatuses,
  ORDER_STATUSES,
  type OrderStatus,
} from '../../service/domain/status-machine.js';

/** The only legal single steps; every other (from, to) pair must be refused. */
const LEGAL: ReadonlySet<string> = new Set([
  'pending→confirmed',
  'pending→processing',
  'pending→cancelled',
  'confirmed→processing',
  'confirmed→cancelled',
  'processing→shipped',
  'processing→cancelled',
  'shipped→delivered',
]);

const ALL_PAIRS: [OrderStatus, OrderStatus, boolean][] = ORDER_STATUSES.flatMap((from) =>
  ORDER_STATUSES.map((to): [OrderStatus, OrderStatus, boolean] => [
    from,
    to,
    LEGAL.has(`${from}→${to}`),
  ]),
);

describe('order status machine', () => {
  it('knows exactly the six statuses', () => {
    // Assess
    expect([...ORDER_STATUSES]).toEqual([
      'pending',
      'confirmed',
      'processing',
      'shipped',
      'delivered',
      'cancelled',
    ]);
    expect(ALL_PAIRS).toHaveLength(36);
  });

  it.each(ALL_PAIRS)('%s → %s is legal: %s', (from, to, legal) => {
    // Act
    const allowed = canTransition(from, to);

    // Assess
    expect(allowed).toBe(legal);
  });

  it('lists the same next statuses canTransition accepts', () => {
    for (const from of ORDER_STATUSES) {
      // Act
      const next = nextStatuses(from);

      // Assess
      expect([...next].sort()).toEqual(
        ORDER_STATUSES.filter((to) => LEGAL.has(`${from}→${to}`)).sort(),
      );
    }
  });

  it('treats delivered and cancelled as terminal', () => {
    // Assess
    expect(nextStatuses('delivered')).toEqual([]);
    expect(nextStatuses('cancelled')).toEqual([]);
  });

  it('recognises only lower-case status strings', () => {
    // Assess
    expect(ORDER_STATUSES.every(isOrderStatus)).toBe(true);
    expect(isOrderStatus('PENDING')).toBe(false);
    expect(isOrderStatus('refunded')).toBe(false);
    expect(isOrderStatus(undefined)).toBe(false);
    expect(isOrderStatus(1)).toBe(false);
  });
});
