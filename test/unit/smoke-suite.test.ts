import { describe, expect, it } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import {
  CRITICAL_TEST_IDS,
  dependencyChain,
  READ_ONLY_TEST_IDS,
  SMOKE_SUITE,
  SMOKE_TEST_IDS,
  selectSmokeTests,
} from '../../cli/smoke/smoke-suite.js';

const errorOf = (fn: () => unknown): PromoteError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PromoteError) return error;
    throw error;
  }
  throw new Error('expected a PromoteError');
};

describe('the smoke suite', () => {
  it("has the plan's 11 tests, numbered 1–11 in order, with unique ids", () => {
    // Assess
    expect(SMOKE_SUITE.map((t) => t.number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(SMOKE_SUITE.map((t) => t.id)).toEqual([...SMOKE_TEST_IDS]);
    expect(new Set(SMOKE_TEST_IDS).size).toBe(11);
    expect(SMOKE_SUITE.map((t) => t.title)).toEqual([
      'Health Check',
      'List orders',
      'Create order',
      'Get order by ID',
      'Update order status',
      'Cancel order',
      'Track order',
      'Get order history',
      'Fulfill order',
      'Get orders by customer',
      'Get orders by status',
    ]);
  });

  it('depends only on earlier tests, so running in plan order satisfies every dependency', () => {
    for (const [index, test] of SMOKE_SUITE.entries()) {
      if (!test.dependsOn) continue;
      const depIndex = SMOKE_SUITE.findIndex((t) => t.id === test.dependsOn);
      expect(depIndex, test.id).toBeGreaterThanOrEqual(0);
      expect(depIndex, test.id).toBeLessThan(index);
    }
  });

  it('marks GET tests read-only and writes not, and create + status as critical', () => {
    // Assess
    for (const test of SMOKE_SUITE) expect(test.readOnly, test.id).toBe(test.method === 'GET');
    expect(CRITICAL_TEST_IDS).toEqual(['create', 'status']);
  });

  it('follows dependency chains transitively', () => {
    expect(dependencyChain('fulfill')).toEqual(['status', 'create']);
    expect(dependencyChain('list-by-status')).toEqual(['status', 'create']);
    expect(dependencyChain('cancel')).toEqual(['create']);
    expect(dependencyChain('health')).toEqual([]);
  });
});

describe('selectSmokeTests', () => {
  it('selects all 11 in plan order when nothing is asked', () => {
    // Act
    const selected = selectSmokeTests();

    // Assess
    expect(selected.map((s) => s.spec.id)).toEqual([...SMOKE_TEST_IDS]);
    expect(selected.every((s) => s.selection === 'requested')).toBe(true);
  });

  it('adds what --only needs and marks it as a dependency', () => {
    // Act
    const selected = selectSmokeTests({ only: ['get'] });

    // Assess
    expect(selected.map((s) => [s.spec.id, s.selection])).toEqual([
      ['create', 'as_dependency'],
      ['get', 'requested'],
    ]);
  });

  it('closes over transitive dependencies, keeps plan order and does not duplicate', () => {
    // Act
    const selected = selectSmokeTests({ only: ['list-by-status', 'fulfill', 'create', 'health'] });

    // Assess
    expect(selected.map((s) => [s.spec.id, s.selection])).toEqual([
      ['health', 'requested'],
      ['create', 'requested'],
      ['status', 'as_dependency'],
      ['fulfill', 'requested'],
      ['list-by-status', 'requested'],
    ]);
  });

  it('accepts comma-split input with blanks', () => {
    expect(selectSmokeTests({ only: [' create', '', 'get '] }).map((s) => s.spec.id)).toEqual([
      'create',
      'get',
    ]);
  });

  it('read-only runs health and the authenticated list only: nothing that writes', () => {
    // Act
    const selected = selectSmokeTests({ readOnly: true });

    // Assess
    expect(READ_ONLY_TEST_IDS).toEqual(['health', 'list']);
    expect(selected.map((s) => s.spec.id)).toEqual(['health', 'list']);
    expect(selected.every((s) => s.spec.method === 'GET')).toBe(true);
  });

  it('read-only with --only keeps to the read-only tests named', () => {
    expect(selectSmokeTests({ readOnly: true, only: ['list'] }).map((s) => s.spec.id)).toEqual([
      'list',
    ]);
  });

  it('refuses a read-only run of a test whose chain writes (get needs create)', () => {
    // Act
    const error = errorOf(() => selectSmokeTests({ readOnly: true, only: ['get', 'health'] }));

    // Assess
    expect(error.reason).toBe('usage');
    expect(error.code).toBe('SMOKE_READ_ONLY_CONFLICT');
    expect(error.message).toContain('get');
    expect(error.message).not.toContain('health');
  });

  it('refuses unknown ids and names the known ones', () => {
    // Act
    const error = errorOf(() => selectSmokeTests({ only: ['create', 'delete', 'nope'] }));

    // Assess
    expect(error.reason).toBe('usage');
    expect(error.code).toBe('SMOKE_UNKNOWN_TEST');
    expect(error.message).toBe('unknown smoke tests: delete, nope');
    expect(error.hint).toContain('list-by-customer');
  });
});
