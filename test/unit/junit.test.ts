import { describe, expect, it } from 'vitest';
import { toJUnit, xmlEscape } from '../../cli/reports/junit.js';
import type { SmokeReport, SmokeTestResult } from '../../cli/smoke/run-smoke.js';

const result = (overrides: Partial<SmokeTestResult> & Pick<SmokeTestResult, 'id'>) =>
  ({
    number: 1,
    title: 'Health Check',
    ok: true,
    status: 200,
    durationMs: 12,
    selection: 'requested',
    critical: false,
    ...overrides,
  }) as SmokeTestResult;

const report = (tests: SmokeTestResult[], extra: Partial<SmokeReport> = {}): SmokeReport => ({
  ok: tests.every((t) => t.ok),
  passed: tests.filter((t) => t.ok).length,
  failed: tests.filter((t) => !t.ok && !t.skipped).length,
  skipped: tests.filter((t) => t.skipped).length,
  tests,
  createdOrders: [],
  deletedOrders: [],
  leftBehind: [],
  baseUrl: 'https://api.sit.kimmyai.io',
  readOnly: false,
  durationMs: 100,
  ...extra,
});

/**
 * A small well-formedness check (no XML parser is a dependency): one root, every element
 * closed in order, no raw `<` or stray `&` in text or attribute values.
 */
const assertWellFormed = (xml: string): void => {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let roots = 0;
  for (let m = tag.exec(body); m; m = tag.exec(body)) {
    const text = body.slice(last, m.index);
    expect(text).not.toMatch(/[<>]|&(?!(amp|lt|gt|quot|apos);)/);
    for (const value of (m[3] ?? '').matchAll(/="([^"]*)"/g)) {
      expect(value[1]).not.toMatch(/&(?!(amp|lt|gt|quot|apos);)/);
    }
    const [, closing, name, , selfClosing] = m;
    if (closing) expect(stack.pop()).toBe(name);
    else if (!selfClosing) {
      if (stack.length === 0) roots += 1;
      stack.push(name!);
    } else if (stack.length === 0) roots += 1;
    last = m.index + m[0].length;
  }
  expect(body.slice(last).trim()).toBe('');
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
};

describe('toJUnit', () => {
  it('renders one testcase per test with counts and times in seconds', () => {
    // Prepare
    const r = report([
      result({ id: 'health', durationMs: 1234 }),
      result({ id: 'list', number: 2, title: 'List orders', durationMs: 5 }),
    ]);

    // Act
    const xml = toJUnit(r, 'smoke-sit');

    // Assess
    assertWellFormed(xml);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(xml).toContain(
      '<testsuite name="smoke-sit" tests="2" failures="0" errors="0" skipped="0" time="1.239">',
    );
    expect(xml).toContain(
      '<testcase name="1. Health Check" classname="smoke-sit.health" time="1.234"/>',
    );
    expect(xml).toContain(
      '<testcase name="2. List orders" classname="smoke-sit.list" time="0.005"/>',
    );
    expect(xml).not.toContain('<failure');
    expect(xml).not.toContain('<skipped');
  });

  it('marks failures with the reason and status, and dependency skips as skipped', () => {
    // Prepare
    const r = report([
      result({
        id: 'create',
        number: 3,
        title: 'Create order',
        ok: false,
        status: 500,
        reason: 'create: expected HTTP 201, got 500 (internal_error)',
      }),
      result({
        id: 'get',
        number: 4,
        title: 'Get order by ID',
        ok: false,
        status: undefined,
        durationMs: 0,
        skipped: 'dependency_failed',
        reason: 'not run: create failed',
      }),
    ]);

    // Act
    const xml = toJUnit(r, 'smoke');

    // Assess
    assertWellFormed(xml);
    expect(xml).toContain('tests="2" failures="1" errors="0" skipped="1"');
    expect(xml).toContain(
      '<failure message="create: expected HTTP 201, got 500 (internal_error)" type="HTTP 500">',
    );
    expect(xml).toContain('<skipped message="not run: create failed"/>');
    const getCase = xml.slice(xml.indexOf('name="4. Get order by ID"'));
    expect(getCase.indexOf('<skipped')).toBeLessThan(getCase.indexOf('</testcase>'));
    expect(getCase.slice(0, getCase.indexOf('</testcase>'))).not.toContain('<failure');
  });

  it('escapes markup and drops control characters from reasons, names and urls', () => {
    // Prepare
    const r = report(
      [
        result({
          id: 'health',
          ok: false,
          reason: `status: expected "healthy", got <b>'x' & y</b>\u0007`,
        }),
      ],
      {
        baseUrl: 'http://127.0.0.1:4566/a&b',
        leftBehind: [{ orderId: 'ord_1', status: 'shipped', reason: 'is <shipped> & stays' }],
      },
    );

    // Act
    const xml = toJUnit(r, 'suite "<x>"');

    // Assess
    assertWellFormed(xml);
    expect(xml).toContain(
      'message="status: expected &quot;healthy&quot;, got &lt;b&gt;&apos;x&apos; &amp; y&lt;/b&gt;"',
    );
    expect(xml).toContain('name="suite &quot;&lt;x&gt;&quot;"');
    expect(xml).toContain('value="http://127.0.0.1:4566/a&amp;b"');
    expect(xml).toContain('left behind: ord_1 (is &lt;shipped&gt; &amp; stays)');
    expect(xml).not.toContain('\u0007');
  });

  it('reports the cleanup in system-out and is pure', () => {
    // Prepare
    const r = report([result({ id: 'health' })], {
      createdOrders: ['ord_a', 'ord_b'],
      deletedOrders: ['ord_b'],
      leftBehind: [{ orderId: 'ord_a', status: 'shipped', reason: 'shipped' }],
    });

    // Act
    const first = toJUnit(r, 's');
    const second = toJUnit(r, 's');

    // Assess
    expect(first).toBe(second);
    expect(first).toContain(
      '<system-out>created orders: ord_a, ord_b\ndeleted orders: ord_b\nleft behind: ord_a (shipped)</system-out>',
    );
  });

  it('xmlEscape escapes the five special characters', () => {
    expect(xmlEscape(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;',
    );
  });
});
