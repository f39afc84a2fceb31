import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvName } from '../../infra/environments.js';
import type { CleanupReport } from './load-cleanup.js';
import type { ServiceMetrics } from './load-metrics.js';
import { LOAD_OPERATIONS } from './load-mix.js';
import type { LoadSla, SlaVerdict } from './load-sla.js';
import type { TallySummary } from './load-tally.js';
import type { LoadSeries } from './load-timeline.js';
import type { StepJudgement, StressStop } from './stress-steps.js';

/**
 * The document a load run leaves: `report.json` (also what `--json` prints), `summary.md`
 * and `report.html` (rendered from this document alone: cli/reports/load-html-report.ts),
 * under `<home>/runs/<env>/load-<timestamp>/`. No tokens; customer ids are synthetic.
 */

export interface LoadSettings {
  readonly rate: number;
  readonly durationMs: number;
  readonly rampMs: number;
  readonly mix: string;
  readonly burstSize: number;
  readonly maxInFlight: number;
  readonly requestTimeoutMs: number;
  readonly customers: number;
  /** The run's customer ids start with this (its test-data tag). */
  readonly customerPrefix: string;
  /** `minted`: one sandbox token per customer; `shared`: one admin token for all. */
  readonly tokens: 'minted' | 'shared';
  readonly seed: number;
  readonly stress?: {
    readonly start: number;
    readonly step: number;
    readonly maxRate: number;
    readonly stepDurationMs: number;
    readonly maxDurationMs: number;
  };
}

/** What a phase (the run, or a stress step) delivered and saw. */
export interface PhaseFigures {
  readonly rate: number;
  readonly achievedRate: number;
  readonly steadyRate: number;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly tally: TallySummary;
}

export interface LoadReport {
  readonly ok: boolean;
  readonly kind: 'load' | 'stress';
  readonly env: EnvName;
  readonly api: string;
  readonly sandbox: boolean;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly interrupted: boolean;
  readonly settings: LoadSettings;
  readonly approval?: {
    readonly by: string;
    readonly via: string;
    readonly at: string;
    readonly role: string;
  };
  /** The whole run (every phase). */
  readonly result: PhaseFigures;
  readonly stress?: {
    readonly steps: readonly (PhaseFigures & { readonly judgement?: StepJudgement })[];
    readonly stop: StressStop;
  };
  readonly cloudwatch: ServiceMetrics | { readonly error: string };
  readonly sla: readonly SlaVerdict[];
  /** The limits the run was judged by (load-sla.ts, from the plan): report.html's lines. */
  readonly limits: LoadSla;
  /** The run bucketed over time (load-timeline.ts); absent in reports from before it. */
  readonly series?: LoadSeries;
  readonly cleanup: CleanupReport | { readonly skipped: string };
  /** What the figures cannot tell (token mode, eventual consistency, …). */
  readonly limitations: readonly string[];
  readonly files: {
    readonly dir: string;
    readonly json: string;
    readonly markdown: string;
    readonly html: string;
  };
}

/** `<home>/runs/<env>/load-20260115T101500Z`. */
export const loadRunDir = (home: string, env: EnvName, at: Date): string =>
  join(
    home,
    'runs',
    env,
    `load-${at
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}`,
  );

const ms = (n: number) => `${n} ms`;
const mark = (v: SlaVerdict['verdict']) =>
  v === 'pass' ? '✅ pass' : v === 'fail' ? '❌ fail' : '➖ no data';

const opTable = (tally: TallySummary): string[] => [
  '| operation | sent | dropped | errors | 409 | p50 | p95 | p99 | max |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...LOAD_OPERATIONS.flatMap((op) => {
    const s = tally.byOperation[op];
    if (!s) return [];
    const l = s.latencyMs;
    return [
      `| ${op} | ${s.sent} | ${s.dropped} | ${s.errors} | ${s.conflicts} | ${ms(l.p50)} | ${ms(l.p95)} | ${ms(l.p99)} | ${ms(l.max)} |`,
    ];
  }),
];

const figure = (f: { value: number | null; datapoints: number }) =>
  f.value === null ? 'n/a' : `${f.value}${f.datapoints === 0 ? ' (no datapoints)' : ''}`;

/** The human summary (also fit for `GITHUB_STEP_SUMMARY`). */
export const toMarkdown = (r: LoadReport): string => {
  const t = r.result.tally;
  const lines = [
    `# Load ${r.kind === 'stress' ? 'stress test' : 'test'}: ${r.env} — ${r.interrupted ? 'INTERRUPTED' : r.ok ? 'PASS' : 'FAIL'}`,
    '',
    `- API: ${r.api}${r.sandbox ? ' (sandbox)' : ''}`,
    `- window: ${r.startedAt} → ${r.endedAt}`,
    `- asked: ${r.settings.rate} req/s for ${r.settings.durationMs / 1000} s (ramp ${r.settings.rampMs / 1000} s), mix ${r.settings.mix}, burst ${r.settings.burstSize}, in-flight cap ${r.settings.maxInFlight}`,
    `- delivered: ${t.sent} requests, steady ${r.result.steadyRate} req/s (overall ${r.result.achievedRate}), ${t.dropped} dropped, ${t.errors} errors (${t.errorRatePct}%), 429: ${t.throttled}, timeouts: ${t.timeouts}, network: ${t.networkErrors}`,
    `- test data: customers ${r.settings.customerPrefix}* (${r.settings.customers}), tokens ${r.settings.tokens}`,
    ...(r.approval
      ? [
          `- approved by ${r.approval.by} (${r.approval.role}) via ${r.approval.via} at ${r.approval.at}`,
        ]
      : []),
    '',
    '## SLAs',
    '',
    '| SLA | actual | verdict | source | detail |',
    '|---|---:|---|---|---|',
    ...r.sla.map(
      (v) =>
        `| ${v.title} | ${v.actual ?? 'n/a'}${v.actual === null ? '' : ` ${v.unit}`} | ${mark(v.verdict)} | ${v.source} | ${v.detail} |`,
    ),
    '',
    '## Latency per operation (HDR histogram, client side)',
    '',
    ...opTable(t),
  ];
  if (r.stress) {
    lines.push(
      '',
      `## Stress steps — stopped: ${r.stress.stop.reason}`,
      '',
      `Last good rate: ${r.stress.stop.lastGoodRate ?? 'none'} req/s; first failing: ${r.stress.stop.firstBadRate ?? 'none'}${r.stress.stop.why.length ? ` — ${r.stress.stop.why.join('; ')}` : ''}`,
      '',
      '| rate | steady | sent | dropped | errors | verdict |',
      '|---:|---:|---:|---:|---:|---|',
      ...r.stress.steps.map(
        (s) =>
          `| ${s.rate} | ${s.steadyRate} | ${s.tally.sent} | ${s.tally.dropped} | ${s.tally.errors} (${s.tally.errorRatePct}%) | ${s.judgement ? (s.judgement.ok ? 'ok' : s.judgement.why.join('; ')) : 'not judged (interrupted)'} |`,
      ),
    );
  }
  lines.push('', '## CloudWatch (same window)', '');
  if ('error' in r.cloudwatch) {
    lines.push(`Not read: ${r.cloudwatch.error}`);
  } else {
    const { lambda, dynamodb, window, notes } = r.cloudwatch;
    lines.push(
      `Window ${window.start} → ${window.end}.`,
      '',
      `- Lambda Throttles: ${figure(lambda.throttles)} (worst minute ${figure(lambda.throttlesPerMinuteMax)}; via alias ${figure(lambda.aliasThrottles)})`,
      `- Lambda Invocations ${figure(lambda.invocations)}, Errors ${figure(lambda.errors)}, Duration p95 ${figure(lambda.durationP95Ms)} ms, ConcurrentExecutions max ${figure(lambda.concurrentExecutionsMax)}`,
      `- DynamoDB ThrottledRequests ${figure(dynamodb.throttledRequests)}, ReadThrottleEvents ${figure(dynamodb.readThrottleEvents)}, WriteThrottleEvents ${figure(dynamodb.writeThrottleEvents)}`,
      ...notes.map((n) => `- note: ${n}`),
    );
  }
  lines.push('', '## Test data', '');
  if ('skipped' in r.cleanup) {
    lines.push(`Kept (${r.cleanup.skipped}).`);
  } else {
    const c = r.cleanup;
    lines.push(
      `${c.found} orders found, ${c.removed} removed, ${c.alreadyGone} already gone, ${c.remaining} remaining${c.interrupted ? ' (clean-up interrupted)' : ''}.`,
      ...c.leftBehind.map((l) => `- ${l.orderId}: ${l.reason}`),
    );
  }
  if (r.limitations.length) {
    lines.push('', '## Limitations', '', ...r.limitations.map((l) => `- ${l}`));
  }
  return `${lines.join('\n')}\n`;
};

/** A JSON array of numbers and nulls only, as JSON.stringify indents it. */
const NUMBER_ARRAY = /\[\s+((?:-?[\d.e+-]+|null)(?:,\s+(?:-?[\d.e+-]+|null))*)\s+\]/g;

/**
 * report.json's text: indented, but each array of numbers on one line — the series hold
 * hundreds of points per array, which one per line would make thousands of lines to scroll.
 */
export const loadReportJson = (report: LoadReport): string =>
  `${JSON.stringify(report, null, 2).replace(NUMBER_ARRAY, (_, items: string) => `[${items.replace(/,\s+/g, ', ')}]`)}\n`;

/** Writes report.json and summary.md into `report.files.dir`. */
export const writeLoadReport = (report: LoadReport): void => {
  mkdirSync(report.files.dir, { recursive: true });
  writeFileSync(report.files.json, loadReportJson(report));
  writeFileSync(report.files.markdown, toMarkdown(report));
};
