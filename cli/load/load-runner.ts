import { arrivalSchedule } from '../../sandbox/api/arrival-schedule.js';
import { runOpenLoop } from '../../sandbox/api/open-loop.js';
import { type SendOutcome, sendRequest } from '../../sandbox/api/send-request.js';
import type { PlannedRequest } from '../../sandbox/api/traffic-model.js';
import { parseOrderId } from '../../sandbox/api/traffic-model.js';
import { LatencyHistogram } from './latency-histogram.js';
import { type LoadMix, type LoadOperation, requestsPerArrival } from './load-mix.js';
import type { LoadModel } from './load-model.js';
import { judgeBurst, LoadTally, type TallySummary } from './load-tally.js';
import { type LoadSeries, LoadTimeline } from './load-timeline.js';

/**
 * The load runner: an open arrival model over real HTTP. Requests start on the schedule
 * whatever the answers do; an arrival that finds the in-flight cap reached is counted as
 * dropped — never queued, since a queue would hide exactly the latency a load test is for.
 * A run is one or more phases (one for `load`, one per step for `--stress`) sharing the
 * requests in flight and the live progress.
 */

/** One stretch of constant target rate (after an optional linear ramp from 0). */
export interface LoadPhase {
  /** Requests per second (bursts included), once the ramp is over. */
  readonly rate: number;
  readonly durationMs: number;
  readonly rampMs: number;
}

export interface PhaseResult {
  readonly phase: LoadPhase;
  readonly tally: TallySummary;
  /** Requests started per second over the phase. */
  readonly achievedRate: number;
  /** Requests started per second after the ramp: the figure to compare with `rate`. */
  readonly steadyRate: number;
  readonly startedAt: Date;
  /** When the phase's last answer arrived. */
  readonly endedAt: Date;
  /** Ctrl-C cut the phase short. */
  readonly interrupted: boolean;
}

/** The live line's figures (every `progressEveryMs`). */
export interface LiveStatus {
  readonly elapsedMs: number;
  readonly sent: number;
  readonly inFlight: number;
  readonly dropped: number;
  readonly errors: number;
  /** p95 of the answers since the previous line, ms (0 when none arrived). */
  readonly recentP95Ms: number;
  readonly rate: number;
}

export interface LoadRunnerOptions {
  readonly baseUrl: string;
  readonly model: LoadModel;
  readonly mix: LoadMix;
  readonly burstSize: number;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  /** Ctrl-C: stops the schedule and cuts the requests in flight. */
  readonly signal?: AbortSignal;
  readonly progressEveryMs?: number;
  readonly onProgress?: (status: LiveStatus) => void;
  /** Width of the report's time buckets (load-timeline.ts bucketMsFor), default 1 s. */
  readonly bucketMs?: number;
}

const ERRORS = new Set(['throttled', 'server-error', 'unexpected', 'timeout', 'network']);
const round2 = (n: number) => Math.round(n * 100) / 100;

export interface LoadRunner {
  runPhase(phase: LoadPhase): Promise<PhaseResult>;
  /** The whole run so far (every phase). */
  total(): TallySummary;
  /** The whole run so far, bucketed over time (report.json `series`). */
  series(): LoadSeries;
  /** Stops the progress timer. */
  close(): void;
}

export const createLoadRunner = (options: LoadRunnerOptions): LoadRunner => {
  const { model, signal, maxInFlight } = options;
  const root = options.baseUrl.replace(/\/+$/, '');
  const total = new LoadTally();
  const recent = new LatencyHistogram();
  const timeline = new LoadTimeline({ bucketMs: options.bucketMs ?? 1000 });
  const begun = performance.now();
  let inFlight = 0;
  let sent = 0;
  let dropped = 0;
  let errors = 0;
  let currentRate = 0;

  const timer = options.onProgress
    ? setInterval(() => {
        options.onProgress?.({
          elapsedMs: Math.round(performance.now() - begun),
          sent,
          inFlight,
          dropped,
          errors,
          recentP95Ms: recent.percentile(95),
          rate: currentRate,
        });
        recent.reset();
      }, options.progressEveryMs ?? 5_000)
    : undefined;

  const send = async (
    op: LoadOperation,
    planned: PlannedRequest,
    tally: LoadTally,
  ): Promise<SendOutcome> => {
    inFlight += 1;
    sent += 1;
    tally.sent(op);
    total.sent(op);
    timeline.sent(op);
    const outcome = await sendRequest(planned, {
      root,
      timeoutMs: options.timeoutMs,
      ...(signal ? { signal } : {}),
    });
    inFlight -= 1;
    tally.settled(op, outcome);
    const kind = total.settled(op, outcome);
    if (ERRORS.has(kind)) errors += 1;
    timeline.settled(op, kind, outcome.kind === 'answer' ? outcome.ms : undefined);
    if (outcome.kind === 'answer') recent.record(outcome.ms);
    return outcome;
  };

  const runPhase = async (phase: LoadPhase): Promise<PhaseResult> => {
    const tally = new LoadTally();
    const pending = new Set<Promise<unknown>>();
    const startedAt = new Date();
    const start = performance.now();
    timeline.start();
    currentRate = phase.rate;
    // --rate counts requests; a burst is several, so arrivals are spaced accordingly.
    const schedule = arrivalSchedule({
      rate: phase.rate / requestsPerArrival(options.mix, options.burstSize),
      durationMs: phase.durationMs,
      rampMs: phase.rampMs,
    });
    let sentAfterRamp = 0;
    let sentInPhase = 0;

    const fire = (slot: number) => {
      const arrival = model.next();
      const n = arrival.requests.length;
      if (inFlight + n > maxInFlight) {
        dropped += n;
        tally.dropped(arrival.operation, n);
        total.dropped(arrival.operation, n);
        timeline.dropped(arrival.operation, n);
        return;
      }
      sentInPhase += n;
      if (slot >= schedule.rampSlots) sentAfterRamp += n;
      const work =
        arrival.operation === 'burst'
          ? Promise.all(arrival.requests.map((r) => send('burst', r, tally))).then((outcomes) => {
              const ids = outcomes.map((o) =>
                o.kind === 'answer' && o.status === 201 ? parseOrderId(o.body) : undefined,
              );
              const verdict = judgeBurst(outcomes, ids);
              tally.burst(verdict);
              total.burst(verdict);
            })
          : send(arrival.operation, arrival.requests[0]!, tally);
      const tracked = work.finally(() => pending.delete(tracked));
      pending.add(tracked);
    };

    await runOpenLoop({ schedule, fire, ...(signal ? { signal } : {}) });
    const scheduledMs = performance.now() - start;
    while (pending.size > 0) await Promise.allSettled([...pending]);
    timeline.touch();
    const windowMs = signal?.aborted ? scheduledMs : Math.max(phase.durationMs, scheduledMs);
    const rampMs = Math.min(phase.rampMs, phase.durationMs);
    return {
      phase,
      tally: tally.summary(),
      achievedRate: windowMs > 0 ? round2(sentInPhase / (windowMs / 1000)) : 0,
      steadyRate: windowMs > rampMs ? round2(sentAfterRamp / ((windowMs - rampMs) / 1000)) : 0,
      startedAt,
      endedAt: new Date(),
      interrupted: signal?.aborted === true,
    };
  };

  return {
    runPhase,
    total: () => total.summary(),
    series: () => timeline.snapshot(),
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
};
