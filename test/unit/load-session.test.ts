import { describe, expect, it } from 'vitest';
import { type LoadReport, loadReportJson, toMarkdown } from '../../cli/load/load-report.js';
import {
  buildLoadReport,
  type LoadOptions,
  loadPlanOf,
  progressLine,
} from '../../cli/load/load-session.js';
import { loadSla } from '../../cli/load/load-sla.js';
import type { TallySummary } from '../../cli/load/load-tally.js';
import { PLANS } from '../../cli/plans/plans.js';

const options = (o: Partial<LoadOptions> = {}): LoadOptions => ({
  burstSize: 5,
  maxInFlight: 512,
  timeout: 30_000,
  customers: 10,
  start: 50,
  step: 50,
  stepDuration: 60_000,
  maxRate: 1000,
  maxDuration: 1_800_000,
  ...o,
});

describe('loadPlanOf', () => {
  it("defaults to the plan's 200 req/s for 15 minutes, with a one-minute ramp", () => {
    // Act
    const plan = loadPlanOf(options(), PLANS.sit);

    // Assess
    expect(plan).toEqual({
      kind: 'load',
      phase: { rate: 200, durationMs: 900_000, rampMs: 60_000 },
    });
  });

  it('a short run ramps over a tenth of it', () => {
    // Act
    const plan = loadPlanOf(options({ rate: 20, duration: 10_000 }), PLANS.sit);

    // Assess
    expect(plan).toEqual({ kind: 'load', phase: { rate: 20, durationMs: 10_000, rampMs: 1000 } });
  });

  it('stress: the steps, the first ramp and the limits from the plan', () => {
    // Act
    const plan = loadPlanOf(
      options({ stress: true, start: 10, step: 10, maxRate: 30, stepDuration: 3000 }),
      PLANS.sit,
    );

    // Assess
    expect(plan.kind).toBe('stress');
    if (plan.kind !== 'stress') return;
    expect(plan.schedule.rates).toEqual([10, 20, 30]);
    expect(plan.firstRampMs).toBe(300);
    expect(plan.limits.maxErrorRatePct).toBe(1);
    expect(plan.limits.p95Ms.get).toBe(PLANS.sit.sla.readP95Ms);
  });

  it.each([
    [{ duration: 10_000, ramp: 10_000 }, /--ramp must be shorter than --duration/],
    [{ stress: true, start: 100, maxRate: 50 }, /--max-rate/],
    [{ stress: true, stepDuration: 5000, ramp: 6000 }, /--step-duration/],
  ])('%j is a usage error (exit 2)', (o, message) => {
    // Act
    const plan = () => loadPlanOf(options(o), PLANS.sit);

    // Assess
    expect(plan).toThrow(message);
    expect(plan).toThrow(expect.objectContaining({ code: 'LOAD_BAD_OPTIONS', exitCode: 2 }));
  });
});

describe('progressLine', () => {
  it('says elapsed, rate, sent, in flight, dropped, errors and the recent p95', () => {
    // Act
    const line = progressLine({
      elapsedMs: 15_004,
      sent: 2990,
      inFlight: 12,
      dropped: 3,
      errors: 1,
      recentP95Ms: 182.4,
      rate: 200,
    });

    // Assess
    expect(line).toBe(
      '15 s @ 200 req/s: sent 2990, in flight 12, dropped 3, errors 1, p95 (last 5 s) 182.4 ms',
    );
  });
});

describe('buildLoadReport and its Markdown', () => {
  const tally: TallySummary = {
    sent: 100,
    dropped: 0,
    aborted: 0,
    errors: 0,
    errorRatePct: 0,
    throttled: 0,
    timeouts: 0,
    networkErrors: 0,
    byStatus: { 201: 100 },
    byOperation: {
      create: {
        sent: 100,
        dropped: 0,
        ok: 100,
        conflicts: 0,
        errors: 0,
        throttled: 0,
        serverErrors: 0,
        unexpected: 0,
        timeouts: 0,
        networkErrors: 0,
        aborted: 0,
        byStatus: { 201: 100 },
        latencyMs: { count: 100, p50: 40, p95: 2400, p99: 2600, max: 2700 },
      },
    },
    bursts: { bursts: 0, allSucceeded: 0, failedCleanly: 0, unclean: 0, duplicateIds: 0 },
  };
  const at = new Date('2026-01-15T10:00:00.123Z');

  it('fails on the crossed SLA, files under runs/<env>/load-<timestamp>, says what was shared', () => {
    // Act
    const report = buildLoadReport({
      env: 'sit',
      api: 'https://api.sit.kimmyai.io',
      sandbox: false,
      startedAt: at,
      endedAt: new Date(at.getTime() + 60_000),
      settings: {
        rate: 2,
        durationMs: 50_000,
        rampMs: 5000,
        mix: 'create=1',
        burstSize: 5,
        maxInFlight: 512,
        requestTimeoutMs: 30_000,
        customers: 10,
        customerPrefix: 'loadtest_abc_',
        tokens: 'shared',
        seed: 1,
      },
      outcome: {
        phases: [
          {
            phase: { rate: 2, durationMs: 50_000, rampMs: 5000 },
            tally,
            achievedRate: 2,
            steadyRate: 2,
            startedAt: at,
            endedAt: new Date(at.getTime() + 51_000),
            interrupted: false,
          },
        ],
        interrupted: false,
      },
      total: tally,
      cloudwatch: { error: 'AccessDenied' },
      cleanup: {
        found: 100,
        removed: 100,
        alreadyGone: 0,
        remaining: 0,
        leftBehind: [],
        interrupted: false,
      },
      plan: PLANS.sit,
      home: '/h',
    });
    const markdown = toMarkdown(report);

    // Assess
    expect(report.ok).toBe(false);
    expect(report.sla.filter((v) => v.verdict === 'fail').map((v) => v.id)).toEqual(['p95-create']);
    expect(report.files.json).toBe('/h/runs/sit/load-20260115T100000Z/report.json');
    expect(report.files.html).toBe('/h/runs/sit/load-20260115T100000Z/report.html');
    expect(report.limits).toEqual(loadSla(PLANS.sit));
    expect(report.series).toBeUndefined();
    expect(report.limitations.join(' ')).toContain('one admin token');
    expect(markdown).toContain('# Load test: sit — FAIL');
    expect(markdown).toContain('| p95 create < 2000 ms | 2400 ms | ❌ fail |');
    expect(markdown).toContain('Not read: AccessDenied');
    expect(markdown).toContain('100 orders found, 100 removed, 0 already gone, 0 remaining');
  });

  it('writes report.json with each series array on one line, the document unchanged', () => {
    // Prepare
    const report = {
      ok: true,
      series: { t: [1.5, 2.5, 3.5], p95: [12.3, null, -1e-7], nested: [[1, 2], { a: [3] }] },
    } as unknown as LoadReport;

    // Act
    const text = loadReportJson(report);

    // Assess
    expect(JSON.parse(text)).toEqual(report);
    expect(text).toContain('"t": [1.5, 2.5, 3.5]');
    expect(text).toContain('"p95": [12.3, null, -1e-7]');
    expect(text).toContain('"a": [3]');
    expect(text.endsWith('}\n')).toBe(true);
  });
});
