import { join } from 'node:path';
import type { EnvName } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import type { Plan } from '../plans/plans.js';
import type { CleanupReport } from './load-cleanup.js';
import type { LoadApproval } from './load-guard.js';
import type { ServiceMetrics } from './load-metrics.js';
import { formatMix, type LoadMix } from './load-mix.js';
import { LOAD_CUSTOMER_PREFIX } from './load-model.js';
import {
  type LoadReport,
  type LoadSettings,
  loadRunDir,
  type PhaseFigures,
} from './load-report.js';
import type { LiveStatus, PhaseResult } from './load-runner.js';
import { failedVerdicts, judgeLoad, loadSla, PLAN_LOAD_TEST, type SlaVerdict } from './load-sla.js';
import type { TallySummary } from './load-tally.js';
import type { LoadSeries } from './load-timeline.js';
import type { LoadPlan, PhasesOutcome } from './run-phases.js';
import { type StressStop, stressSchedule } from './stress-steps.js';

/**
 * The pure glue of `promote load`: options → what to run, a progress line, and the
 * measured run → its report with verdicts. The command (cli/commands/load-run.ts) does the
 * I/O around these.
 */

/** The command's options this module reads (cli/commands/load.ts LoadFlags). */
export interface LoadOptions {
  readonly rate?: number;
  readonly duration?: number;
  readonly ramp?: number;
  readonly burstSize: number;
  readonly maxInFlight: number;
  readonly timeout: number;
  readonly customers: number;
  readonly stress?: boolean;
  readonly start: number;
  readonly step: number;
  readonly stepDuration: number;
  readonly maxRate: number;
  readonly maxDuration: number;
}

const badOptions = (message: string) => new PromoteError('usage', 'LOAD_BAD_OPTIONS', message);

/** A tenth of the run, at most a minute: enough for instances to scale, short of the run. */
const defaultRamp = (durationMs: number) => Math.min(60_000, Math.round(durationMs / 10));

/** What to run: one phase at the plan's (or the asked) rate, or the stress steps. */
export const loadPlanOf = (o: LoadOptions, plan: Pick<Plan, 'sla'>): LoadPlan => {
  const sla = loadSla(plan);
  if (o.stress) {
    let schedule: ReturnType<typeof stressSchedule>;
    try {
      schedule = stressSchedule({
        startRate: o.start,
        stepRate: o.step,
        maxRate: o.maxRate,
        stepDurationMs: o.stepDuration,
        maxTotalMs: o.maxDuration,
      });
    } catch (error) {
      throw badOptions((error as Error).message);
    }
    const firstRampMs = o.ramp ?? defaultRamp(o.stepDuration);
    if (firstRampMs >= o.stepDuration)
      throw badOptions('--ramp must be shorter than --step-duration');
    return {
      kind: 'stress',
      schedule,
      stepDurationMs: o.stepDuration,
      firstRampMs,
      limits: {
        maxErrorRatePct: sla.stressMaxErrorRatePct,
        maxDroppedPct: sla.maxDroppedPct,
        p95Ms: sla.p95Ms,
      },
    };
  }
  const durationMs = o.duration ?? PLAN_LOAD_TEST.durationMs;
  const rampMs = o.ramp ?? defaultRamp(durationMs);
  if (rampMs >= durationMs) throw badOptions('--ramp must be shorter than --duration');
  return { kind: 'load', phase: { rate: o.rate ?? PLAN_LOAD_TEST.rate, durationMs, rampMs } };
};

/** One line every 5 s, the same on a terminal and in CI logs. */
export const progressLine = (s: LiveStatus): string =>
  `${Math.round(s.elapsedMs / 1000)} s @ ${s.rate} req/s: sent ${s.sent}, in flight ${s.inFlight}, dropped ${s.dropped}, errors ${s.errors}, p95 (last 5 s) ${s.recentP95Ms} ms`;

export const settingsOf = (
  o: LoadOptions,
  plan: LoadPlan,
  mix: LoadMix,
  runTag: string,
  tokens: LoadSettings['tokens'],
  seed: number,
): LoadSettings => ({
  rate: plan.kind === 'load' ? plan.phase.rate : o.start,
  durationMs:
    plan.kind === 'load' ? plan.phase.durationMs : plan.schedule.rates.length * o.stepDuration,
  rampMs: plan.kind === 'load' ? plan.phase.rampMs : plan.firstRampMs,
  mix: formatMix(mix),
  burstSize: o.burstSize,
  maxInFlight: o.maxInFlight,
  requestTimeoutMs: o.timeout,
  customers: o.customers,
  customerPrefix: `${LOAD_CUSTOMER_PREFIX}${runTag}_`,
  tokens,
  seed,
  ...(plan.kind === 'stress'
    ? {
        stress: {
          start: o.start,
          step: o.step,
          maxRate: o.maxRate,
          stepDurationMs: o.stepDuration,
          maxDurationMs: o.maxDuration,
        },
      }
    : {}),
});

/**
 * A stress run's verdict: its failure point must lie above the plan's load rate. All steps
 * passing below that rate (a low --max-rate) says nothing about it: no data, not a pass.
 */
export const stressVerdict = (stop: StressStop, planRate: number): SlaVerdict => {
  const base = {
    id: 'capacity',
    title: `failure point above ${planRate} req/s`,
    source: "plan § Week 2: stress to the failure point; the plan's load is 200 req/s",
    limit: planRate,
    actual: stop.lastGoodRate ?? null,
    unit: 'req/s' as const,
  };
  const why = stop.why.join('; ');
  if (stop.reason === 'failure-point') {
    const bad = stop.firstBadRate ?? 0;
    return {
      ...base,
      verdict: bad <= planRate ? 'fail' : 'pass',
      detail: `failed at ${bad} req/s (last good ${stop.lastGoodRate ?? 'none'}): ${why}`,
    };
  }
  const good = stop.lastGoodRate ?? 0;
  return {
    ...base,
    verdict: stop.reason !== 'interrupted' && good >= planRate ? 'pass' : 'no-data',
    detail: `${stop.reason}: every step up to ${stop.lastGoodRate ?? 'none'} req/s passed — ${why}`,
  };
};

const figures = (rate: number, r: PhaseResult): PhaseFigures => ({
  rate,
  achievedRate: r.achievedRate,
  steadyRate: r.steadyRate,
  startedAt: r.startedAt.toISOString(),
  endedAt: r.endedAt.toISOString(),
  tally: r.tally,
});

/** Everything measured → the report, with verdicts and where its files go. */
export const buildLoadReport = (input: {
  readonly env: EnvName;
  readonly api: string;
  readonly sandbox: boolean;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly settings: LoadSettings;
  readonly approval?: LoadApproval;
  readonly outcome: PhasesOutcome;
  readonly total: TallySummary;
  /** The run over time (the runner's series), charted by report.html. */
  readonly series?: LoadSeries;
  readonly cloudwatch: ServiceMetrics | { readonly error: string };
  readonly cleanup: CleanupReport | { readonly skipped: string };
  readonly plan: Pick<Plan, 'sla'>;
  readonly home: string;
}): LoadReport => {
  const { outcome, settings } = input;
  const metrics = 'error' in input.cloudwatch ? undefined : input.cloudwatch;
  const seconds = (input.endedAt.getTime() - input.startedAt.getTime()) / 1000;
  const first = outcome.phases[0];
  const result: PhaseFigures =
    outcome.phases.length === 1 && first
      ? figures(settings.rate, first)
      : {
          rate: settings.rate,
          achievedRate: seconds > 0 ? Math.round((input.total.sent / seconds) * 100) / 100 : 0,
          steadyRate: seconds > 0 ? Math.round((input.total.sent / seconds) * 100) / 100 : 0,
          startedAt: input.startedAt.toISOString(),
          endedAt: input.endedAt.toISOString(),
          tally: input.total,
        };
  const limits = loadSla(input.plan);
  const sla = outcome.stop
    ? [stressVerdict(outcome.stop, PLAN_LOAD_TEST.rate)]
    : judgeLoad({ tally: input.total, ...(metrics ? { metrics } : {}), sla: limits });
  const dir = loadRunDir(input.home, input.env, input.startedAt);
  const limitations = [
    'latency is measured at this client: it includes the network and TLS between here and the API',
    ...(input.sandbox
      ? [
          'the sandbox runs the function, DynamoDB Local and moto on this machine: its latencies and capacity are this machine’s, not AWS’s',
        ]
      : []),
    ...(settings.tokens === 'shared'
      ? [
          'one admin token acts for every test customer: every call is authorised as an admin (customer-scoped authorisation is not what is measured)',
        ]
      : []),
    'the clean-up lists each test customer through the OrdersByCustomer index, which is eventually consistent in AWS: "remaining" can count orders deleted seconds before',
    "the creates' idempotency records stay in the idempotency table until their 24 h TTL",
    ...(metrics?.notes ?? []),
  ];
  return {
    ok: !outcome.interrupted && failedVerdicts(sla).length === 0,
    kind: outcome.stop ? 'stress' : 'load',
    env: input.env,
    api: input.api,
    sandbox: input.sandbox,
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    interrupted: outcome.interrupted,
    settings,
    ...(input.approval ? { approval: input.approval } : {}),
    result,
    ...(outcome.stop
      ? {
          stress: {
            steps: outcome.phases.map((p) => ({
              ...figures(p.phase.rate, p),
              ...(p.judgement ? { judgement: p.judgement } : {}),
            })),
            stop: outcome.stop,
          },
        }
      : {}),
    cloudwatch: input.cloudwatch,
    sla,
    limits,
    cleanup: input.cleanup,
    limitations,
    files: {
      dir,
      json: join(dir, 'report.json'),
      markdown: join(dir, 'summary.md'),
      html: join(dir, 'report.html'),
    },
    // Last: long arrays after what a reader of report.json looks for first.
    ...(input.series ? { series: input.series } : {}),
  };
};
