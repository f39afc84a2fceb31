import { type Command, InvalidArgumentError, Option } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';
import { numberIn, parseDuration } from './arg-parsers.js';

export interface LoadFlags {
  /** Default: the plan's (PLAN_LOAD_TEST in cli/load/load-sla.ts). */
  rate?: number;
  duration?: number;
  ramp?: number;
  mix?: string;
  burstSize: number;
  maxInFlight: number;
  timeout: number;
  customers: number;
  seed?: number;
  keepData?: boolean;
  allowProd?: boolean;
  baseUrl?: string;
  token?: string;
  metricsWait?: number;
  stress?: boolean;
  start: number;
  step: number;
  stepDuration: number;
  maxRate: number;
  maxDuration: number;
}

/** `0` or a duration (`--metrics-wait 0` reads CloudWatch at once). */
const durationOrZero = (value: string): number => (value.trim() === '0' ? 0 : parseDuration(value));

const integer = (min: number, max: number) => (value: string) => {
  const n = numberIn(min, max)(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
};

/** Registers `promote load <env>`: the plan's load and stress tests over the env's API. */
export const registerLoadCommand = (program: Command): void => {
  program
    .command('load')
    .description(
      "load-test an environment's API (plan § Week 2: 200 req/s for 15 min) or, with --stress, find its failure point",
    )
    .argument('<env>', ENV_NAMES.join(' | '))
    .addOption(
      new Option(
        '--rate <n>',
        "requests per second, bursts counting each request (default: the plan's 200)",
      ).argParser(numberIn(0.1, 5000)),
    )
    .addOption(
      new Option(
        '--duration <d>',
        "how long, e.g. 15m or 60s, at most 1h (default: the plan's 15m)",
      ).argParser(parseDuration),
    )
    .addOption(
      new Option(
        '--ramp <d>',
        'rise linearly from 0 to --rate first (default: a tenth of --duration, ≤ 60s)',
      ).argParser(durationOrZero),
    )
    .option(
      '--mix <spec>',
      'operation weights: create,get,list,status,cancel,burst (default create=3,get=3,list=2,status=1,burst=1)',
    )
    .addOption(
      new Option('--burst-size <n>', 'simultaneous creates for one customer in a burst')
        .default(5)
        .argParser(integer(2, 50)),
    )
    .addOption(
      new Option(
        '--max-in-flight <n>',
        'requests outstanding at once; an arrival beyond it is dropped and counted, never queued',
      )
        .default(512)
        .argParser(integer(1, 10_000)),
    )
    .addOption(
      new Option('--timeout <d>', 'per request (API Gateway gives up at 29 s)')
        .default(30_000, '30s')
        .argParser(parseDuration),
    )
    .addOption(
      new Option('--customers <n>', 'synthetic test customers (loadtest_<run>_NNN)')
        .default(10)
        .argParser(integer(1, 500)),
    )
    .addOption(
      new Option('--seed <n>', 'seed operation choice and order contents').argParser(
        integer(0, 2 ** 31),
      ),
    )
    .option('--keep-data', 'leave the test orders in place (default: removed through the API)')
    .option('--allow-prod', 'allow PROD at all (the PROD approval is still asked)')
    .option('--base-url <url>', "API origin (default: the environment's, or the sandbox front)")
    .option('--token <jwt>', 'admin bearer token (default: <ENV>_TOKEN; minted in the sandbox)')
    .addOption(
      new Option(
        '--metrics-wait <d>',
        'wait after the run before reading CloudWatch (default: 150s in AWS, 2s in the sandbox)',
      ).argParser(durationOrZero),
    )
    .option('--stress', 'raise the rate step by step until errors pass 1% or a p95 passes its SLA')
    .addOption(
      new Option('--start <n>', 'stress: first rate').default(50).argParser(numberIn(0.1, 5000)),
    )
    .addOption(
      new Option('--step <n>', 'stress: added per step').default(50).argParser(numberIn(0.1, 5000)),
    )
    .addOption(
      new Option('--step-duration <d>', 'stress: how long each step runs')
        .default(60_000, '60s')
        .argParser(parseDuration),
    )
    .addOption(
      new Option('--max-rate <n>', 'stress: highest rate tried')
        .default(1000)
        .argParser(numberIn(0.1, 5000)),
    )
    .addOption(
      new Option(
        '--max-duration <d>',
        'stress: total duration cap (steps that do not fit are not run)',
      )
        .default(1_800_000, '30m')
        .argParser(parseDuration),
    )
    .addHelpText(
      'after',
      `
Requests start on a fixed schedule (an open model): a slow answer never delays the next one,
and an arrival that finds --max-in-flight requests outstanding is dropped and counted.
Latencies go into HDR histograms (1 µs–60 s, 3 digits); CloudWatch's Lambda and DynamoDB
throttles are read over the same window; each SLA of the plan gets a verdict. Test orders
belong to customers loadtest_<run>_NNN and are cancelled and deleted afterwards.
Results: <home>/runs/<env>/load-<timestamp>/report.html (charts over time, SLA lines,
stress steps), report.json and summary.md; the last line names report.html.

Exit codes: 0 every SLA met · 2 usage (PROD without --allow-prod, non-admin token) ·
4 PROD approval declined · 9 an SLA failed (stress: failure point at or below 200 req/s) ·
130 interrupted (the report is still written).

Examples:
  $ SIT_TOKEN=… promote load sit                          the plan's 200 req/s for 15 min
  $ promote load sit --sandbox --rate 20 --duration 60s --json
  $ promote load sit --stress --start 50 --step 50 --step-duration 60s --max-rate 1000
  $ promote load prod --allow-prod --rate 50 --duration 5m   asks the Product Owner for GO`,
    )
    .action(async (env: string, flags: LoadFlags, command: Command) => {
      const { load } = await import('./load-run.js');
      await load(env, flags, command);
    });
};
