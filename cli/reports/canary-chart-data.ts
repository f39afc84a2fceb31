import { planAlarms } from '../../infra/alarms.js';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { PLAN_THRESHOLDS } from '../canary/assess.js';
import type { RunJournal } from '../journal/run-journal.js';
import { bandsOf, type Chart, type ChartGroup, type ChartSeries } from './chart-group.js';

/** The operations whose p95 latency the service reports; `read` is charted when journaled. */
const P95_OPERATIONS = ['create', 'status', 'read'] as const;

const t = PLAN_THRESHOLDS;
/**
 * The plan's fixed thresholds, by chart: read from the gate itself (assess.ts), so the
 * lines and their labels move with it.
 */
const THRESHOLD_OF: Record<string, { label: string; value: number } | undefined> = {
  'error-rate': { label: `max ${t.maxErrorRatePct}%`, value: t.maxErrorRatePct },
  'p95-create': { label: `max ${t.maxP95CreateMs} ms`, value: t.maxP95CreateMs },
  'p95-status': { label: `max ${t.maxP95StatusMs} ms`, value: t.maxP95StatusMs },
};

/**
 * `read` is no rollback trigger in the plan; its line is the High Duration (Read) alarm's
 * threshold (infra/alarms.ts), labelled as an alarm so nobody reads it as a gate.
 */
const readAlarmLine = (journal: RunJournal): { label: string; value: number } | undefined => {
  const env = ENVIRONMENTS[journal.env];
  const alarm = env && planAlarms(env).find((a) => a.planName === 'High Duration (Read)');
  return alarm ? { label: `alarm ${alarm.threshold} ms`, value: alarm.threshold } : undefined;
};

/** The canary's charts: canary against stable, weight steps as bands. */
export type CanaryChartData = ChartGroup;

const rate = (errors: number, invocations: number): number | null =>
  invocations > 0 ? Math.round((errors / invocations) * 10_000) / 100 : null;

const p95Of = (side: { p95?: Record<string, number> }, op: string): number | null =>
  side.p95?.[op] ?? null;

/**
 * Index of the analysis that stopped the canary, or -1: the one that failed the gate, else
 * — when the run failed on the canary without a failing analysis (a window that could not
 * be judged: host saturated, too little traffic) — its last analysis, whose reasons say why.
 */
export const decidingAnalysis = (journal: RunJournal): number => {
  const analyses = journal.canary?.analyses ?? [];
  const failed = analyses.findIndex((a) => a.verdict === 'fail');
  if (failed >= 0) return failed;
  const canaryStopped =
    journal.error?.code.startsWith('CANARY_') &&
    journal.steps.some((s) => s.kind === 'canary' && s.state === 'failed');
  return canaryStopped ? analyses.length - 1 : -1;
};

/**
 * The canary's analyses as chart series: canary against stable for the error rate, each
 * operation's p95 and the invocations; the bake's weight steps as bands; the plan's
 * thresholds as lines. Pure; undefined when the run journaled no analysis.
 */
export const canaryChartData = (journal: RunJournal): CanaryChartData | undefined => {
  const analyses = journal.canary?.analyses ?? [];
  if (analyses.length === 0) return undefined;
  const x = analyses.map((a) => Date.parse(a.at) / 1000);
  const pair = (canary: Array<number | null>, stable: Array<number | null>): ChartSeries[] => [
    { label: 'canary', values: canary },
    { label: 'stable', values: stable },
  ];
  const chart = (id: string, title: string, unit: string, series: ChartSeries[]): Chart => {
    const threshold = id === 'p95-read' ? readAlarmLine(journal) : THRESHOLD_OF[id];
    return { id, title, unit, series, ...(threshold ? { threshold } : {}) };
  };
  const charts: Chart[] = [
    chart(
      'error-rate',
      'Error rate',
      '%',
      pair(
        analyses.map((a) => rate(a.canary.errors, a.canary.invocations)),
        analyses.map((a) => rate(a.baseline.errors, a.baseline.invocations)),
      ),
    ),
  ];
  for (const op of P95_OPERATIONS) {
    const canary = analyses.map((a) => p95Of(a.canary, op));
    const stable = analyses.map((a) => p95Of(a.baseline, op));
    // create and status have thresholds and are always shown; read only when measured.
    if (op === 'read' && [...canary, ...stable].every((v) => v === null)) continue;
    charts.push(chart(`p95-${op}`, `p95 latency — ${op}`, 'ms', pair(canary, stable)));
  }
  charts.push(
    chart(
      'invocations',
      'Invocations per window',
      '',
      pair(
        analyses.map((a) => a.canary.invocations),
        analyses.map((a) => a.baseline.invocations),
      ),
    ),
  );
  const failing = decidingAnalysis(journal);
  return {
    x,
    charts,
    bands: bandsOf(
      analyses.map((a) => a.weight),
      x,
      (w) => `weight ${Math.round(w * 1000) / 10}%`,
    ),
    ...(failing >= 0 ? { failingIndex: failing } : {}),
  };
};
