import type { SmokeReport } from '../smoke/run-smoke.js';

/**
 * XML 1.0 forbids most control characters even when escaped; a server message could carry
 * one, and CI parsers reject the whole file over it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for an XML attribute or element body. */
export const xmlEscape = (text: string): string =>
  text
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** JUnit times are seconds; three decimals keep the millisecond the report measured. */
const seconds = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

const attrs = (values: Record<string, string | number>): string =>
  Object.entries(values)
    .map(([key, value]) => ` ${key}="${xmlEscape(String(value))}"`)
    .join('');

/**
 * Renders a smoke report as JUnit XML (one `testsuite`, one `testcase` per test) for CI.
 * Failed tests get `<failure>`, tests skipped for a failed dependency get `<skipped>`. The
 * cleanup outcome (created, deleted, left-behind orders) goes in the suite's `system-out`,
 * so a leftover order is visible in CI too. Pure: same report, same text.
 */
export const toJUnit = (report: SmokeReport, suiteName: string): string => {
  const totalMs = report.tests.reduce((sum, t) => sum + t.durationMs, 0);
  const counts = {
    tests: report.tests.length,
    failures: report.failed,
    errors: 0,
    skipped: report.skipped,
    time: seconds(totalMs),
  };
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: suiteName, ...counts })}>`,
    `  <testsuite${attrs({ name: suiteName, ...counts })}>`,
    '    <properties>',
    `      <property${attrs({ name: 'baseUrl', value: report.baseUrl })}/>`,
    `      <property${attrs({ name: 'readOnly', value: String(report.readOnly) })}/>`,
    '    </properties>',
  ];
  for (const test of report.tests) {
    const head = `    <testcase${attrs({
      name: `${test.number}. ${test.title}`,
      classname: `${suiteName}.${test.id}`,
      time: seconds(test.durationMs),
    })}`;
    const reason = test.reason ?? 'failed';
    if (test.skipped) {
      lines.push(`${head}>`, `      <skipped${attrs({ message: reason })}/>`, '    </testcase>');
    } else if (!test.ok) {
      const type = test.status !== undefined ? `HTTP ${test.status}` : 'no answer';
      lines.push(
        `${head}>`,
        `      <failure${attrs({ message: reason, type })}>${xmlEscape(reason)}</failure>`,
        '    </testcase>',
      );
    } else {
      lines.push(`${head}/>`);
    }
  }
  const out = [
    `created orders: ${report.createdOrders.join(', ') || 'none'}`,
    `deleted orders: ${report.deletedOrders.join(', ') || 'none'}`,
    ...report.leftBehind.map((o) => `left behind: ${o.orderId} (${o.reason})`),
  ];
  lines.push(
    `    <system-out>${xmlEscape(out.join('\n'))}</system-out>`,
    '  </testsuite>',
    '</testsuites>',
    '',
  );
  return lines.join('\n');
};
