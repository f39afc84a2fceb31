/**
 * `npm run bench:chaos` — the recovery campaign (issue 9's proof, full matrix).
 *
 * Against one sandbox daemon, runs `promote sit` (and, with BENCH_CHAOS_PROD=1,
 * `promote prod --canary` with bakes compressed under synthetic traffic) and kills it at
 * every step boundary × {SIGKILL, SIGINT, SIGINT twice} plus BENCH_CHAOS_RANDOM random
 * moments (default 20), recovering with `--resume` or `--resume --abort` in turn, and
 * checks the invariants after each trial (test/support/chaos.ts). Prints one line per trial
 * and the counts. Not a test: the e2e suite runs a sample of this matrix.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PLANS } from '../cli/plans/plans.js';
import { loadSandboxKeys } from '../sandbox/api/jwt.js';
import { runTraffic } from '../sandbox/api/traffic.js';
import { freePortBlock } from '../sandbox/engines/local-engines.js';
import { buildArtifact } from '../scripts/build.js';
import {
  BIN,
  type ChaosSignal,
  runTrial,
  type Trial,
  type TrialOutcome,
} from '../test/support/chaos.js';

const RANDOM = Number(process.env.BENCH_CHAOS_RANDOM ?? 20);
/** PROD trials bake for real (compressed): fewer random points by default. */
const PROD_RANDOM = Number(process.env.BENCH_CHAOS_PROD_RANDOM ?? 5);
const WITH_PROD = process.env.BENCH_CHAOS_PROD === '1';
const SIGNALS: ChaosSignal[] = ['SIGKILL', 'SIGINT', 'SIGINTx2'];

const home = await mkdtemp(join(tmpdir(), 'bench-chaos-'));
const port = await freePortBlock(5);
const env = { PROMOTE_HOME: home, PROMOTE_SANDBOX_PORT: String(port), CI: 'true' };
const cli = (args: string[]) => execa(process.execPath, [BIN, ...args], { env, reject: false });
const up = JSON.parse((await cli(['sandbox', 'up', '--port', String(port), '--json'])).stdout);
const target = { home, port, endpoint: up.endpoint as string };

let built = 0;
const artifact = async () => {
  built += 1;
  return (await buildArtifact({ release: `chaos-${built}`, outDir: join(home, `build-${built}`) }))
    .path;
};

// Seeded, so a run can be repeated: BENCH_CHAOS_SEED.
let seed = Number(process.env.BENCH_CHAOS_SEED ?? 20261201);
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};

const plans: Array<{ env: 'sit' | 'prod'; extra: string[]; spanMs: number; random: number }> = [
  // A sit run takes about 2 s end to end from the bundle: random kills land inside it.
  { env: 'sit', extra: [], spanMs: 2_500, random: RANDOM },
  ...(WITH_PROD
    ? [
        {
          env: 'prod' as const,
          // As the canary e2e: a 12 s window (the sample-size estimate needs it at 30 req/s)
          // and the read-latency alarm allowed (it judges the whole busy machine).
          extra: [
            '--change-request',
            'CHG-CHAOS',
            '--override-gate',
            'sit-signoff',
            '--canary',
            '--bake-scale',
            '0.015',
            '--analysis-window',
            '12',
            '--allow-alarm',
            'order-handler-prod-high-duration-read',
            '--reason',
            'sandbox on a busy machine',
          ],
          spanMs: 40_000,
          random: PROD_RANDOM,
        },
      ]
    : []),
];

let stopTraffic: AbortController | undefined;
if (WITH_PROD) {
  const keys = await loadSandboxKeys(join(home, 'sandbox', 'keys'));
  stopTraffic = new AbortController();
  void runTraffic({
    baseUrl: up.apiUrls.prod,
    rate: 30,
    durationMs: 3_600_000,
    customers: 20,
    tokenFor: (customerId) => keys.mintToken({ env: 'prod', customerId }),
    adminToken: () => keys.mintToken({ env: 'prod', admin: true }),
    signal: stopTraffic.signal,
  }).catch(() => undefined);
}

const outcomes: TrialOutcome[] = [];
let turn = 0;
const run = async (trial: Omit<Trial, 'artifact' | 'recover'>) => {
  turn += 1;
  const full: Trial = {
    ...trial,
    artifact: await artifact(),
    recover: turn % 2 ? 'resume' : 'abort',
  };
  const outcome = await runTrial(target, full);
  outcomes.push(outcome);
  const at =
    'step' in full.at
      ? `at ${full.at.step}${full.at.nth ? ` #${full.at.nth + 1}` : ''}`
      : `after ${full.at.afterMs} ms`;
  process.stdout.write(
    `${String(turn).padStart(3)} ${full.env} ${full.signal.padEnd(8)} ${at.padEnd(22)} killed ${outcome.killedAt.padEnd(22)} exit ${String(outcome.exitCode)} → ${outcome.recovery?.command ?? 'nothing to recover'} → ${outcome.final.status ?? '?'} on ${outcome.final.version} ${outcome.violations.length ? `VIOLATIONS: ${outcome.violations.join(' | ')}` : 'ok'}\n`,
  );
};

for (const plan of plans) {
  const kinds = PLANS[plan.env].steps.map((s) =>
    s.kind === 'shift-all' && plan.env === 'prod' ? 'canary' : s.kind,
  );
  for (const [index, step] of kinds.entries()) {
    // preflight runs twice (identity, then the infrastructure checklist): each is a point.
    const nth = kinds.slice(0, index).filter((k) => k === step).length;
    for (const signal of SIGNALS) {
      await run({ env: plan.env, signal, at: { step, nth }, extra: plan.extra });
    }
  }
  for (let i = 0; i < plan.random; i += 1) {
    const signal = SIGNALS[Math.floor(random() * SIGNALS.length)] as ChaosSignal;
    await run({
      env: plan.env,
      signal,
      at: { afterMs: Math.round(random() * plan.spanMs) },
      extra: plan.extra,
    });
  }
}
stopTraffic?.abort();
await cli(['sandbox', 'down']);

const bad = outcomes.filter((o) => o.violations.length);
const recovered = outcomes.filter((o) => o.recovery);
process.stdout.write(
  `\n${outcomes.length} trials: ${outcomes.length - bad.length} held every invariant, ${bad.length} violated one; ` +
    `${recovered.length} needed a recovery (${recovered.filter((o) => o.recovery?.command.includes('--abort')).length} aborts), ` +
    `${outcomes.length - recovered.length} ended on their own (rolled back or finished).\n`,
);
process.exitCode = bad.length ? 1 : 0;
