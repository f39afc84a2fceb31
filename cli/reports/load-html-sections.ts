import type { MetricFigure } from '../load/load-metrics.js';
import { LOAD_OPERATIONS } from '../load/load-mix.js';
import type { LoadReport } from '../load/load-report.js';
import { htmlEscape as e } from './html-escape.js';

/**
 * The load report's tables as HTML fragments: SLA verdicts, per-operation figures, HTTP
 * statuses, stress steps, CloudWatch, test data and limitations — the whole evidence, so the
 * page reads without its script and in print. Every report value is escaped here, where it
 * meets markup (an API origin, a CloudWatch error or a clean-up reason can hold anything).
 */

const table = (head: readonly string[], rows: readonly string[], id?: string): string =>
  `<table${id ? ` id="${e(id)}"` : ''}><thead><tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;

const row = (cells: readonly string[]): string =>
  `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;

const ms = (n: number): string => `${e(n)} ms`;

const VERDICT_CLASS = { pass: 'verdict-pass', fail: 'verdict-fail', 'no-data': 'verdict-wait' };

/** One row per SLA: limit, what was measured, the verdict, where the limit comes from. */
export const slaSection = (r: LoadReport): string =>
  `<section id="load-sla"><h2>SLA verdicts</h2>${table(
    ['SLA', 'actual', 'verdict', 'source', 'detail'],
    r.sla.map((v) =>
      row([
        e(v.title),
        v.actual === null ? 'n/a' : `${e(v.actual)} ${e(v.unit)}`,
        `<span class="${VERDICT_CLASS[v.verdict]}">${e(v.verdict)}</span>`,
        e(v.source),
        e(v.detail),
      ]),
    ),
  )}</section>`;

/** Per operation: counts by outcome and the latency percentiles against the p95 SLA. */
export const operationsSection = (r: LoadReport): string => {
  const t = r.result.tally;
  const rows = LOAD_OPERATIONS.flatMap((op) => {
    const s = t.byOperation[op];
    if (!s) return [];
    const l = s.latencyMs;
    const limit = r.limits.p95Ms[op];
    const over = l.count > 0 && l.p95 >= limit;
    return [
      row([
        e(op),
        e(s.sent),
        e(s.dropped),
        e(s.errors),
        e(s.throttled),
        e(s.serverErrors),
        e(s.timeouts + s.networkErrors),
        e(s.conflicts),
        ms(l.p50),
        `<span class="${over ? 'verdict-fail' : ''}">${ms(l.p95)}</span>`,
        ms(l.p99),
        ms(l.max),
        `&lt; ${ms(limit)}`,
      ]),
    ];
  });
  return `<section id="load-operations"><h2>Per operation (HDR histogram, client side)</h2>${table(
    [
      'operation',
      'sent',
      'dropped',
      'errors',
      '429',
      '5xx',
      'timeout / network',
      '409',
      'p50',
      'p95',
      'p99',
      'max',
      'SLA p95',
    ],
    rows,
  )}<p class="legend-note">Whole run: ${e(t.sent)} sent, ${e(t.dropped)} dropped, ${e(t.errors)} errors (${e(t.errorRatePct)}%), 429: ${e(t.throttled)}, timeouts: ${e(t.timeouts)}, network: ${e(t.networkErrors)}; bursts: ${e(t.bursts.bursts)} (${e(t.bursts.allSucceeded)} all created, ${e(t.bursts.failedCleanly)} refused cleanly, ${e(t.bursts.unclean)} unclean, ${e(t.bursts.duplicateIds)} with a duplicate id).</p></section>`;
};

/** HTTP statuses: the whole run and per operation. */
export const statusesSection = (r: LoadReport): string => {
  const t = r.result.tally;
  const ops = LOAD_OPERATIONS.filter((op) => t.byOperation[op]);
  const statuses = Object.keys(t.byStatus).sort();
  if (statuses.length === 0) return '';
  return `<section id="load-statuses"><h2>HTTP statuses</h2>${table(
    ['status', 'all', ...ops],
    statuses.map((status) =>
      row([
        e(status),
        e(t.byStatus[status]),
        ...ops.map((op) => e(t.byOperation[op]?.byStatus[status] ?? 0)),
      ]),
    ),
  )}</section>`;
};

/** The stress steps, each with its verdict and why it failed. */
export const stepsSection = (r: LoadReport): string => {
  if (!r.stress) return '';
  const { steps, stop } = r.stress;
  return `<section id="load-steps"><h2>Stress steps — stopped: ${e(stop.reason)}</h2>
<p>Last good rate: ${e(stop.lastGoodRate ?? 'none')} req/s; first failing: ${e(stop.firstBadRate ?? 'none')}${stop.why.length ? ` — ${e(stop.why.join('; '))}` : ''}</p>${table(
    ['rate', 'steady', 'sent', 'dropped', 'errors', 'verdict'],
    steps.map((s) =>
      row([
        `${e(s.rate)} req/s`,
        `${e(s.steadyRate)} req/s`,
        e(s.tally.sent),
        e(s.tally.dropped),
        `${e(s.tally.errors)} (${e(s.tally.errorRatePct)}%)`,
        s.judgement
          ? s.judgement.ok
            ? '<span class="verdict-pass">ok</span>'
            : `<span class="verdict-fail">failed</span>: ${e(s.judgement.why.join('; '))}`
          : 'not judged (interrupted)',
      ]),
    ),
  )}</section>`;
};

const figure = (f: MetricFigure): string =>
  f.value === null ? 'n/a' : `${e(f.value)}${f.datapoints === 0 ? ' (no datapoints)' : ''}`;

/** The service's side over the same window: Lambda and DynamoDB throttles and more. */
export const cloudwatchSection = (r: LoadReport): string => {
  const cw = r.cloudwatch;
  if ('error' in cw) {
    return `<section id="load-cloudwatch"><h2>CloudWatch (same window)</h2><p>Not read: ${e(cw.error)}</p></section>`;
  }
  const { lambda, dynamodb } = cw;
  const metrics: Array<[string, MetricFigure]> = [
    ['Lambda Throttles (function)', lambda.throttles],
    ['Lambda Throttles, worst minute', lambda.throttlesPerMinuteMax],
    ['Lambda Throttles via the alias', lambda.aliasThrottles],
    ['Lambda Invocations', lambda.invocations],
    ['Lambda Errors', lambda.errors],
    ['Lambda Duration p95 (ms)', lambda.durationP95Ms],
    ['Lambda ConcurrentExecutions max', lambda.concurrentExecutionsMax],
    ['DynamoDB ThrottledRequests', dynamodb.throttledRequests],
    ['DynamoDB ReadThrottleEvents', dynamodb.readThrottleEvents],
    ['DynamoDB WriteThrottleEvents', dynamodb.writeThrottleEvents],
  ];
  return `<section id="load-cloudwatch"><h2>CloudWatch (same window)</h2>
<p class="legend-note">Window ${e(cw.window.start)} → ${e(cw.window.end)}.</p>${table(
    ['metric', 'value', 'datapoints'],
    metrics.map(([name, f]) => row([e(name), figure(f), e(f.datapoints)])),
  )}${cw.notes.length ? `<ul>${cw.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>` : ''}</section>`;
};

/** What became of the run's test orders, and what the figures cannot tell. */
export const cleanupSection = (r: LoadReport): string => {
  const c = r.cleanup;
  const body =
    'skipped' in c
      ? `<p>Kept (${e(c.skipped)}).</p>`
      : `<p>${e(c.found)} orders found, ${e(c.removed)} removed, ${e(c.alreadyGone)} already gone, ${e(c.remaining)} remaining${c.interrupted ? ' (clean-up interrupted)' : ''}.</p>${
          c.leftBehind.length
            ? `<ul>${c.leftBehind.map((l) => `<li><code>${e(l.orderId)}</code>: ${e(l.reason)}</li>`).join('')}</ul>`
            : ''
        }`;
  const limits = r.limitations.length
    ? `<h2>Limitations</h2><ul>${r.limitations.map((l) => `<li>${e(l)}</li>`).join('')}</ul>`
    : '';
  return `<section id="load-cleanup"><h2>Test data</h2>${body}${limits}</section>`;
};
