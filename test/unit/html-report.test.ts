import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAN_THRESHOLDS } from '../../cli/canary/assess.js';
import type { RunJournal } from '../../cli/journal/run-journal.js';
import { type ReportData, renderRunHtml } from '../../cli/reports/html-report.js';
import { externalRefs, runDataOf } from '../support/report-html.js';

const FIXTURES = join(process.cwd(), 'test', 'fixtures', 'journals');
const journalOf = (name: string): RunJournal =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as RunJournal;

const dataOf = (html: string): ReportData => runDataOf<ReportData>(html);

describe('renderRunHtml', () => {
  it('holds every analysis of a healthy canary in the chart data, canary against stable', () => {
    // Prepare
    const journal = journalOf('prod-canary-healthy');
    const analyses = journal.canary?.analyses ?? [];

    // Act
    const html = renderRunHtml(journal);
    const data = dataOf(html);

    // Assess
    expect(analyses.length).toBeGreaterThan(10);
    expect(data.canary?.x).toEqual(analyses.map((a) => Date.parse(a.at) / 1000));
    const byId = new Map(data.canary?.charts.map((c) => [c.id, c]));
    expect([...byId.keys()]).toEqual(['error-rate', 'p95-create', 'p95-status', 'invocations']);
    expect(byId.get('p95-create')?.series[0]?.values).toEqual(
      analyses.map((a) => a.canary.p95?.create),
    );
    expect(byId.get('p95-status')?.series[1]?.values).toEqual(
      analyses.map((a) => a.baseline.p95?.status),
    );
    expect(byId.get('invocations')?.series.map((s) => s.values)).toEqual([
      analyses.map((a) => a.canary.invocations),
      analyses.map((a) => a.baseline.invocations),
    ]);
    expect(byId.get('error-rate')?.series[0]?.values[0]).toBeCloseTo(
      (analyses[0]!.canary.errors / analyses[0]!.canary.invocations) * 100,
      2,
    );
    expect(data.canary?.bands.map((b) => b.label)).toEqual(['weight 10%', 'weight 50%']);
    expect(data.canary?.failingIndex).toBeUndefined();
    expect(html).toContain('status-succeeded');
    expect(html).toContain('Qm3v0bH5u0rj8cVZr2kqC1fQ5c2xvGmJv9b8N7q1mXo=');
  });

  it("draws the plan's thresholds, taken from the gate", () => {
    // Prepare
    const journal = journalOf('prod-canary-healthy');

    // Act
    const charts = dataOf(renderRunHtml(journal)).canary?.charts ?? [];

    // Assess
    const threshold = (id: string) => charts.find((c) => c.id === id)?.threshold?.value;
    expect(threshold('error-rate')).toBe(PLAN_THRESHOLDS.maxErrorRatePct);
    expect(threshold('p95-create')).toBe(PLAN_THRESHOLDS.maxP95CreateMs);
    expect(threshold('p95-status')).toBe(PLAN_THRESHOLDS.maxP95StatusMs);
    expect(threshold('invocations')).toBeUndefined();
  });

  it('charts read p95 when journaled, against the read alarm rather than a gate', () => {
    // Prepare
    const journal = journalOf('prod-canary-healthy');
    const analyses = (journal.canary?.analyses ?? []).map((a, i) => ({
      ...a,
      canary: { ...a.canary, p95: { ...a.canary.p95, read: 40 + i } },
      baseline: { ...a.baseline, p95: { ...a.baseline.p95, read: 30 } },
    }));
    const withRead = { ...journal, canary: { ...journal.canary, analyses } } as RunJournal;

    // Act
    const without = dataOf(renderRunHtml(journal)).canary?.charts ?? [];
    const charts = dataOf(renderRunHtml(withRead)).canary?.charts ?? [];

    // Assess
    expect(without.map((c) => c.id)).not.toContain('p95-read');
    const read = charts.find((c) => c.id === 'p95-read');
    expect(read?.series.map((s) => s.values)).toEqual([
      analyses.map((_, i) => 40 + i),
      analyses.map(() => 30),
    ]);
    expect(read?.threshold).toEqual({ label: 'alarm 1000 ms', value: 1000 });
  });

  it('lists every check with its evidence, and the sign-off PROD was gated on', () => {
    // Prepare: a captured sandbox run (preflight and the infrastructure checklist) and a
    // hostile check detail
    const captured = journalOf('prod-canary-sandbox-unjudged');
    const healthy = journalOf('prod-canary-healthy');
    const hostile = structuredClone(healthy);
    const check = hostile.steps[0]?.evidence.checks?.[0];
    if (check) (check as { detail: string }).detail = '<img src=x onerror=alert(1)>';

    // Act
    const html = renderRunHtml(captured);
    const gated = renderRunHtml(healthy);
    const escaped = renderRunHtml(hostile);

    // Assess
    expect(html).toContain('id="checks"');
    for (const step of captured.steps) {
      for (const c of step.evidence.checks ?? []) expect(html).toContain(`<td>${c.name}</td>`);
    }
    expect(html).toContain('GSIs of orders-prod');
    // Overridden by the run's break-glass: a warning, not a blocking failure.
    expect(html).toMatch(/<td class="verdict-wait">!<\/td><td>SIT sign-off \(Gate 4\)<\/td>/);
    expect(gated).toContain('Sign-off this run relied on');
    expect(gated).toContain('<dd>lerato</dd>');
    expect(escaped).not.toContain('<img src=x');
    expect(escaped).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(renderRunHtml(journalOf('sit-plain'))).not.toContain('id="checks"');
  });

  it('marks the failing analysis of a rolled-back canary with its triggers and evidence', () => {
    // Prepare
    const journal = journalOf('prod-canary-rolled-back');
    const analyses = journal.canary?.analyses ?? [];

    // Act
    const html = renderRunHtml(journal);
    const data = dataOf(html);

    // Assess
    expect(data.canary?.failingIndex).toBe(analyses.length - 1);
    for (const chart of data.canary?.charts ?? []) {
      for (const series of chart.series) expect(series.values).toHaveLength(analyses.length);
    }
    expect(html).toContain('id="canary-failure"');
    expect(html).toContain('Canary gate failed at 50%');
    expect(html).toContain('[error-rate]</strong> canary error rate 12.5% &gt; 5%');
    expect(html).toContain('value 12.5 vs threshold 5');
    expect(html).toContain('value 3420 vs threshold 3000');
    expect(html).toContain('CANARY_GATE_FAILED');
    expect(html).toContain('status-rolled_back');
    expect(html).toContain('Rolled back to version 43: verified');
    expect(html).toContain('Failover region us-east-1');
    expect(html).toContain('4487 items: 120 PENDING, 4310 SHIPPED, 57 CANCELLED (±0)');
  });

  it('calls out the last analysis of a canary stopped unjudged (a captured sandbox run)', () => {
    // Prepare
    const journal = journalOf('prod-canary-sandbox-unjudged');
    const analyses = journal.canary?.analyses ?? [];

    // Act
    const html = renderRunHtml(journal);
    const data = dataOf(html);

    // Assess
    expect(analyses.some((a) => a.verdict === 'fail')).toBe(false);
    expect(data.canary?.failingIndex).toBe(analyses.length - 1);
    expect(data.canary?.x).toHaveLength(analyses.length);
    expect(html).toContain('Canary stopped unjudged at 10%');
    expect(html).toContain('[host-saturated]</strong>');
  });

  it('renders a plain SIT run without a canary section', () => {
    // Prepare
    const journal = journalOf('sit-plain');

    // Act
    const html = renderRunHtml(journal);

    // Assess
    expect(dataOf(html).canary).toBeUndefined();
    expect(html).not.toContain('id="canary"');
    expect(html.match(/<tr class="step">/g)).toHaveLength(journal.steps.length);
    expect(html).toContain('Smoke tests: 11 passed, 0 failed, 0 skipped');
    expect(html).toContain('GitHub environment sit');
    expect(html).toContain('skipped — no terraform binary in the sandbox');
    expect(html).toContain('11 → 12');
  });

  it('escapes hostile journal strings everywhere, including inside the data script', () => {
    // Prepare
    const journal = journalOf('hostile');

    // Act
    const html = renderRunHtml(journal);

    // Assess
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('&amp; &quot;quotes&quot; &#39;too&#39;');
    // Only the page's own three scripts open, and each one closes once.
    expect(html.match(/<script[\s>]/g)).toHaveLength(3);
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    expect(dataOf(html).runId).toBe(journal.runId);
  });

  it.each([
    'prod-canary-healthy',
    'prod-canary-rolled-back',
    'prod-canary-sandbox-unjudged',
    'sit-plain',
    'hostile',
  ])('is self-contained: %s references nothing outside the file', (name) => {
    // Prepare
    const journal = journalOf(name);

    // Act
    const html = renderRunHtml(journal);

    // Assess
    expect(externalRefs(html)).toEqual([]);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).toContain('var uPlot=');
    expect(html).toContain('@media print');
  });

  it('finds external references when a page has them (the check above can fail)', () => {
    // Prepare
    const page =
      '<script src="https://cdn.example/u.js"></script><link href="//x/y.css"><style>@import "a.css"; a{background:url(http://x/i.png)}</style>';

    // Act
    const refs = externalRefs(page);

    // Assess
    expect(refs).toHaveLength(4);
  });
});
