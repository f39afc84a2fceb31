/**
 * `npm run bench:canary` — how fast a bad canary is caught.
 *
 * Against a sandbox daemon under synthetic traffic (40 req/s on prod), runs
 * `promote prod --canary` with a 2 s analysis interval; a few seconds into the 10% bake it
 * injects a 50% error rate into the canary version, then measures the time from injection
 * until the alias is back on the stable version with no weights. Reported as a multiple of
 * the analysis interval (goal ≤ 1.3), over BENCH_RUNS runs (default 3).
 * Not a test: nothing here passes or fails.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetAliasCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execa } from 'execa';
import { ENVIRONMENTS } from '../infra/environments.js';
import { loadSandboxKeys } from '../sandbox/api/jwt.js';
import { runTraffic } from '../sandbox/api/traffic.js';
import { control } from '../sandbox/control-client.js';
import { freePortBlock } from '../sandbox/engines/local-engines.js';
import { buildArtifact } from '../scripts/build.js';
import { waitForJournal } from '../test/support/journal-watch.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL ?? 2);
const BIN = join(import.meta.dirname, '..', 'bin', 'promote.mjs');
const prod = ENVIRONMENTS.prod;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const home = await mkdtemp(join(tmpdir(), 'bench-canary-'));
const port = await freePortBlock(5);
const env = {
  PROMOTE_HOME: home,
  PROMOTE_SANDBOX_PORT: String(port),
  CI: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const cli = (args: string[]) => execa(process.execPath, [BIN, ...args], { env, reject: false });
const up = JSON.parse((await cli(['sandbox', 'up', '--port', String(port), '--json'])).stdout);
const lambda = new LambdaClient({
  endpoint: up.endpoint,
  region: prod.region,
  credentials: { accessKeyId: 'sandbox-prod', secretAccessKey: 'sandbox' },
});
const cloudwatch = new CloudWatchClient({
  endpoint: up.endpoint,
  region: prod.region,
  credentials: { accessKeyId: 'sandbox-prod', secretAccessKey: 'sandbox' },
});
const keys = await loadSandboxKeys(join(home, 'sandbox', 'keys'));
const controller = new AbortController();
const traffic = runTraffic({
  baseUrl: up.apiUrls.prod,
  rate: 40,
  durationMs: 3_600_000,
  customers: 20,
  tokenFor: (customerId) => keys.mintToken({ env: 'prod', customerId }),
  adminToken: () => keys.mintToken({ env: 'prod', admin: true }),
  signal: controller.signal,
});

const ratios: number[] = [];
try {
  for (let run = 1; run <= RUNS; run += 1) {
    const version = String(run + 1);
    const artifact = await buildArtifact({
      release: `bench-${run}`,
      outDir: join(home, `b${run}`),
    });
    const child = execa(
      process.execPath,
      [
        BIN,
        'prod',
        '--change-request',
        'CHG-BENCH',
        '--override-gate',
        'sit-signoff',
        '--reason',
        'bench of the rollback reaction time, not of the SIT gate',
        '--sandbox',
        '--yes',
        '--canary',
        '--bake-scale',
        '0.1',
        '--analysis-interval',
        String(INTERVAL_S),
        '--artifact',
        artifact.path,
        '--json',
      ],
      { env, reject: false },
    );
    // Wait for the 10% bake to start, let a few healthy analyses pass, then break it.
    const runs = join(home, 'runs', 'prod');
    const baking = await Promise.race([
      waitForJournal(
        runs,
        (j) => j.status === 'running' && j.canary?.candidate === version && j.canary.stepStartedAt,
        300_000,
      ),
      child.then(() => undefined),
    ]);
    if (!baking) {
      const early = await child;
      console.log(`run ${run}: the canary ended before its bake (exit ${early.exitCode}); skipped`);
      continue;
    }
    await sleep(2.5 * INTERVAL_S * 1000);
    const injected = performance.now();
    await control(up.endpoint, 'faults', {
      method: 'POST',
      body: { env: 'prod', version, errorRate: 0.5 },
    });
    for (;;) {
      const alias = await lambda.send(
        new GetAliasCommand({ FunctionName: prod.functionName, Name: 'live' }),
      );
      if (Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {}).length === 0) break;
      await sleep(50);
    }
    const detectedMs = performance.now() - injected;
    const result = await child;
    await control(up.endpoint, 'faults', { method: 'DELETE', body: { env: 'prod', version } });
    const ratio = detectedMs / (INTERVAL_S * 1000);
    // The injected errors put the plan's error-rate alarm in ALARM for its 60 s period;
    // the next run's preflight would (rightly) refuse to start until it clears.
    for (let i = 0; i < 180; i += 1) {
      const firing = await cloudwatch.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
      if ((firing.MetricAlarms ?? []).length === 0) break;
      await sleep(1_000);
    }
    ratios.push(ratio);
    const triggers = (() => {
      try {
        return JSON.parse(String(result.stdout)).error?.details?.triggers?.join(',') ?? 'none';
      } catch {
        return 'unknown';
      }
    })();
    console.log(
      `run ${run}: fault → alias restored in ${(detectedMs / 1000).toFixed(2)} s = ${ratio.toFixed(2)} intervals (exit ${result.exitCode}, trigger ${triggers})`,
    );
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(
    `detection latency over ${RUNS} runs (interval ${INTERVAL_S} s): median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(2)} intervals, worst ${sorted.at(-1)?.toFixed(2)}`,
  );
} finally {
  controller.abort();
  await traffic;
  await cli(['sandbox', 'down']);
}
