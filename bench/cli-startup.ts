/**
 * `npm run bench:cli-startup` — what one CLI invocation costs, as a ratio to a bare
 * `node -e 0` measured in the same run (interleaved, medians of BENCH_RUNS, default 30).
 * Runs the bin exactly as installed (the bundle `npm ci` builds). `status <env> --sandbox`
 * is measured against a sandbox this script starts (and stops). Not a test.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortBlock } from '../sandbox/engines/local-engines.js';
import { percentile } from './stats.js';

const median = (values: readonly number[]) => percentile(values, 50);

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const BIN = join(import.meta.dirname, '..', 'bin', 'promote.mjs');
const home = mkdtempSync(join(tmpdir(), 'bench-cli-'));
const port = await freePortBlock(5);
const env = { ...process.env, PROMOTE_HOME: home, PROMOTE_SANDBOX_PORT: String(port), CI: 'true' };

const time = (args: string[]): number => {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
};

const cases: Record<string, string[]> = {
  'node -e 0': ['-e', '0'],
  'promote --help': [BIN, '--help'],
  'promote plan prod': [BIN, 'plan', 'prod'],
  'promote status sit --sandbox': [BIN, 'status', 'sit', '--sandbox'],
};
time([BIN, 'sandbox', 'up', '--port', String(port)]);
const samples: Record<string, number[]> = Object.fromEntries(
  Object.keys(cases).map((k) => [k, []]),
);
for (let i = 0; i < RUNS; i += 1) {
  for (const [name, args] of Object.entries(cases)) samples[name]?.push(time(args));
}
time([BIN, 'sandbox', 'down']);

const base = median(samples['node -e 0'] ?? []);
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  process.stdout.write(
    `${name.padEnd(30)} median ${m.toFixed(1).padStart(7)} ms  ×${(m / base).toFixed(2)}\n`,
  );
}
