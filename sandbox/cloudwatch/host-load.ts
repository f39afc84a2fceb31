import { cpus } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricDatum, MetricSink } from './metric-sink.js';

/**
 * The sandbox's own load, published as CloudWatch metrics (namespace `Sandbox`) in every
 * environment's account: the machine's CPU and the daemon's event-loop delay, and
 * `Saturated` (1/0) when either passes its limit. A canary analysis reads `Saturated` over its
 * window: when the sandbox itself was the bottleneck, the window says nothing about the
 * release (alarms on latency and throttles fire for the machine, not the code), so it is
 * inconclusive. In AWS the metric does not exist and nothing changes.
 */

export const HOST_LOAD_NAMESPACE = 'Sandbox';

/** Where the sandbox stops being a fair judge (both measured over one period). */
export const SATURATION_LIMITS = {
  /** All cores together, percent busy. */
  cpuPercent: 90,
  /** p99 of the daemon's event-loop delay: every request it routes waits this long. */
  eventLoopP99Ms: 250,
} as const;

export interface HostLoadSample {
  readonly cpuPercent: number;
  readonly eventLoopP99Ms: number;
  readonly saturated: boolean;
}

/** Pure: is this sample past either limit? */
export const isSaturated = (cpuPercent: number, eventLoopP99Ms: number): boolean =>
  cpuPercent >= SATURATION_LIMITS.cpuPercent || eventLoopP99Ms >= SATURATION_LIMITS.eventLoopP99Ms;

const cpuTimes = () =>
  cpus().reduce(
    (acc, c) => {
      const total = c.times.user + c.times.nice + c.times.sys + c.times.idle + c.times.irq;
      return { idle: acc.idle + c.times.idle, total: acc.total + total };
    },
    { idle: 0, total: 0 },
  );

export interface HostLoadSampler {
  /** The last full period's sample (undefined before the first). */
  last(): HostLoadSample | undefined;
  stop(): void;
}

/**
 * Samples every `periodMs` and puts `HostCpuPercent`, `EventLoopDelayP99` and `Saturated`
 * into `sink` for each account/region given.
 */
export const startHostLoadSampler = (options: {
  readonly sink: MetricSink;
  readonly targets: ReadonlyArray<{ account: string; region: string }>;
  readonly periodMs?: number;
}): HostLoadSampler => {
  const periodMs = options.periodMs ?? 10_000;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let before = cpuTimes();
  let last: HostLoadSample | undefined;
  const timer = setInterval(() => {
    const now = cpuTimes();
    const total = now.total - before.total;
    const cpuPercent = total > 0 ? 100 * (1 - (now.idle - before.idle) / total) : 0;
    before = now;
    const eventLoopP99Ms = loop.percentile(99) / 1e6;
    loop.reset();
    last = { cpuPercent, eventLoopP99Ms, saturated: isSaturated(cpuPercent, eventLoopP99Ms) };
    const timestamp = Date.now();
    const data: MetricDatum[] = options.targets.flatMap(({ account, region }) =>
      (
        [
          ['HostCpuPercent', cpuPercent, 'Percent'],
          ['EventLoopDelayP99', eventLoopP99Ms, 'Milliseconds'],
          ['Saturated', last?.saturated ? 1 : 0, 'Count'],
        ] as const
      ).map(([metricName, value, unit]) => ({
        account,
        region,
        namespace: HOST_LOAD_NAMESPACE,
        metricName,
        dimensions: {},
        timestamp,
        values: [value],
        unit,
      })),
    );
    options.sink.put(data);
  }, periodMs);
  timer.unref();
  return {
    last: () => last,
    stop: () => {
      clearInterval(timer);
      loop.disable();
    },
  };
};
