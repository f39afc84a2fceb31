/**
 * `npm run bench:sandbox` — what the sandbox costs, and whether it carries the plan's load.
 *
 * 1. Invoke overhead (warm): p95 of a Lambda Invoke of the order function's health route
 *    through the gateway (SigV4, routing, alias resolution, worker hop), interleaved with the
 *    same handler called in-process; printed with their ratio.
 * 2. Sustained API throughput: the plan's 200 req/s for 60 s (BENCH_RATE, BENCH_SECONDS)
 *    after a 30 s ramp (BENCH_RAMP_SECONDS)
 *    of synthetic customers through the prod API front → Lambda runtime → DynamoDB Local,
 *    against a sandbox daemon (its own process), as `promote sandbox traffic` would.
 * Not a test: nothing here passes or fails; the figures go into the closing note.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { execa } from 'execa';
import { ENVIRONMENTS } from '../infra/environments.js';
import { loadSandboxKeys } from '../sandbox/api/jwt.js';
import { runTraffic } from '../sandbox/api/traffic.js';
import { freePortBlock } from '../sandbox/engines/local-engines.js';
import { startSandbox } from '../sandbox/sandbox.js';
import { summary } from './stats.js';

const N = Number(process.env.BENCH_N ?? 500);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
// The rate rises over this long first (engines' JITs and function instances warm up, as under
// a real traffic shift); the figures below are for the SECONDS at full rate after it.
const RAMP_SECONDS = Number(process.env.BENCH_RAMP_SECONDS ?? 30);
const prod = ENVIRONMENTS.prod;

const home = await mkdtemp(join(tmpdir(), 'bench-sandbox-'));
const coldStarted = performance.now();
const sandbox = await startSandbox({ home, port: 0, envs: ['prod'] });
const coldStartMs = performance.now() - coldStarted;
try {
  const lambda = new LambdaClient({
    endpoint: sandbox.endpoint,
    region: prod.region,
    credentials: { accessKeyId: 'sandbox-prod', secretAccessKey: 'sandbox' },
  });
  const payload = Buffer.from(
    JSON.stringify({
      resource: '/v1.0/orders/health',
      path: '/v1.0/orders/health',
      httpMethod: 'GET',
      headers: {},
      requestContext: { requestId: 'bench' },
    }),
  );
  const invoke = async () => {
    const t = performance.now();
    await lambda.send(
      new InvokeCommand({ FunctionName: prod.functionName, Qualifier: 'live', Payload: payload }),
    );
    return performance.now() - t;
  };
  const direct = async () => {
    const t = performance.now();
    await sandbox.runtime.invoke({
      account: prod.account,
      region: prod.region,
      functionName: prod.functionName,
      qualifier: 'live',
      payload,
      invocationType: 'RequestResponse',
    });
    return performance.now() - t;
  };
  for (let i = 0; i < 50; i += 1) {
    await invoke();
    await direct();
  }
  const viaGateway: number[] = [];
  const viaRuntime: number[] = [];
  for (let i = 0; i < N; i += 1) {
    viaGateway.push(await invoke());
    viaRuntime.push(await direct());
  }
  const g = summary(viaGateway);
  const r = summary(viaRuntime);
  console.log(`cold start (prod only, in-process): ${(coldStartMs / 1000).toFixed(1)} s`);
  console.log(
    `invoke p95 via gateway ${g.p95.toFixed(2)} ms, runtime direct ${r.p95.toFixed(2)} ms (n=${N}); ratio ${(g.p95 / r.p95).toFixed(2)}`,
  );
} finally {
  await sandbox.stop();
  await rm(home, { recursive: true, force: true });
}

// Throughput as users meet it: the sandbox as its own daemon process (`promote sandbox
// up`), the synthetic customers in this one.
const daemonHome = await mkdtemp(join(tmpdir(), 'bench-sandbox-daemon-'));
const port = await freePortBlock(5);
const env = {
  PROMOTE_HOME: daemonHome,
  CI: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
const cli = (args: string[]) =>
  execa(process.execPath, [join(import.meta.dirname, '..', 'bin', 'promote.mjs'), ...args], {
    env,
    reject: false,
  });
try {
  const up = JSON.parse((await cli(['sandbox', 'up', '--port', String(port), '--json'])).stdout);
  const keys = await loadSandboxKeys(join(daemonHome, 'sandbox', 'keys'));
  const traffic = await runTraffic({
    baseUrl: up.apiUrls.prod,
    rate: RATE,
    durationMs: (SECONDS + RAMP_SECONDS) * 1000,
    rampMs: RAMP_SECONDS * 1000,
    customers: 50,
    maxInFlight: 256,
    tokenFor: (customerId) => keys.mintToken({ env: 'prod', customerId }),
    adminToken: () => keys.mintToken({ env: 'prod', admin: true }),
    seed: 42,
  });
  const p95s = Object.entries(traffic.byOperation)
    .map(([op, s]) => `${op} ${s.latency.p95} ms`)
    .join(', ');
  console.log(
    `API (daemon): target ${RATE} req/s × ${SECONDS} s after a ${RAMP_SECONDS} s ramp → sent ${traffic.sent}, steady ${traffic.steadyRate.toFixed(1)} req/s, ` +
      `errors ${traffic.errors}, dropped ${traffic.dropped}, unexpected ${traffic.unexpected}; statuses ${JSON.stringify(traffic.byStatus)}`,
  );
  console.log(`API p95 per operation: ${p95s}`);
} finally {
  await cli(['sandbox', 'down']);
  await rm(daemonHome, { recursive: true, force: true });
}
