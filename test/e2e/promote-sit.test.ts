import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  GetAliasCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';
import { buildArtifact } from '../../scripts/build.js';
import { waitForJournal } from '../support/journal-watch.js';

/**
 * `promote sit`, `rollback sit` and friends end to end, through the real bin against a
 * sandbox daemon, in CI mode (no TTY): deploy + smoke, the wrong account blocked with no
 * write, the lock, rollback, Ctrl-C rolling back, JSON output, never a prompt.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const sit = ENVIRONMENTS.sit;

describe('promote sit against the sandbox (CLI end to end)', () => {
  let home: string;
  let port: number;
  let endpoint: string;
  const artifacts: Record<string, string> = {};

  const env = () => ({ PROMOTE_HOME: home, PROMOTE_SANDBOX_PORT: String(port), CI: 'true' });
  const promote = (args: string[], extra: Record<string, string> = {}) =>
    execa(process.execPath, [BIN, ...args], {
      env: { ...env(), ...extra },
      reject: false,
      timeout: 180_000,
    });
  const lambda = () =>
    new LambdaClient({
      endpoint,
      region: sit.region,
      credentials: { accessKeyId: 'sandbox-sit', secretAccessKey: 'sandbox' },
    });
  const alias = async () =>
    lambda().send(new GetAliasCommand({ FunctionName: sit.functionName, Name: 'live' }));
  const versions = async () =>
    (
      (await lambda().send(new ListVersionsByFunctionCommand({ FunctionName: sit.functionName })))
        .Versions ?? []
    ).map((v) => v.Version);
  const dynamo = () =>
    new DynamoDBClient({
      endpoint,
      region: sit.region,
      credentials: { accessKeyId: 'sandbox-sit', secretAccessKey: 'sandbox' },
    });
  const stateItems = async () =>
    (await dynamo().send(new ScanCommand({ TableName: 'promote-state-sit' }))).Items ?? [];
  const fault = (version: string, extra: string[]) =>
    promote(['sandbox', 'fault', '--env', 'sit', '--version', version, ...extra]);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'promote-e2e-'));
    port = await freePortBlock(5);
    const up = await promote(['sandbox', 'up', '--port', String(port), '--json']);
    expect(up.exitCode).toBe(0);
    endpoint = JSON.parse(up.stdout).endpoint;
    for (const name of ['a', 'b', 'c', 'd']) {
      const built = await buildArtifact({
        release: `e2e-${name}`,
        outDir: join(home, `build-${name}`),
      });
      artifacts[name] = built.path;
    }
  });

  afterAll(async () => {
    await promote(['sandbox', 'down']);
  });

  it('promote sit --sandbox --yes deploys a new version, shifts live to it and passes smoke', async () => {
    // Act
    const run = await promote([
      'sit',
      '--sandbox',
      '--yes',
      '--artifact',
      artifacts.a as string,
      '--json',
    ]);

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.version).toBe('2');
    const smoke = doc.run.steps.find((s: { kind: string }) => s.kind === 'smoke').evidence.smoke;
    expect(smoke.passed).toBe(11);
    expect(doc.run.versions).toMatchObject({ before: '1', candidate: '2', after: '2' });
    expect((await alias()).FunctionVersion).toBe('2');
    expect(await readFile(doc.reports.markdown, 'utf8')).toContain('promote sit — succeeded');
    expect(JSON.stringify(doc)).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/); // no JWT anywhere
  });

  it('the same artifact again publishes no new version', async () => {
    // Act
    const run = await promote([
      'sit',
      '--sandbox',
      '--yes',
      '--artifact',
      artifacts.a as string,
      '--json',
    ]);

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).version).toBe('2');
    expect(await versions()).toEqual(['$LATEST', '1', '2']);
  });

  it('the dev credential while promoting sit is blocked at preflight, with no write', async () => {
    // Prepare
    const before = { alias: (await alias()).FunctionVersion, state: (await stateItems()).length };

    // Act
    const run = await promote([
      'sit',
      '--sandbox',
      '--yes',
      '--profile',
      'sandbox-dev',
      '--artifact',
      artifacts.b as string,
    ]);

    // Assess
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('536580886816');
    expect(run.stderr).toContain('PREFLIGHT_WRONG_ACCOUNT');
    expect((await alias()).FunctionVersion).toBe(before.alias);
    expect(await versions()).toEqual(['$LATEST', '1', '2']);
    expect((await stateItems()).length).toBe(before.state);
  });

  it('CI mode without --yes never prompts: it stops with the approval code and changes nothing', async () => {
    // Act
    const run = await promote(['sit', '--sandbox', '--artifact', artifacts.b as string]);

    // Assess
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toContain('--yes');
    expect(await versions()).toEqual(['$LATEST', '1', '2']);
  });

  it('a held lock makes promote fail fast naming the holder; --force-unlock clears it', async () => {
    // Prepare
    await dynamo().send(
      new PutItemCommand({
        TableName: 'promote-state-sit',
        Item: {
          pk: { S: 'lock' },
          sk: { S: 'promote' },
          runId: { S: 'run-of-a-colleague' },
          actor: { S: 'thandi' },
          host: { S: 'laptop-7' },
          command: { S: 'promote sit' },
          since: { S: '2026-11-28T09:00:00Z' },
        },
      }),
    );

    // Act
    const blocked = await promote([
      'sit',
      '--sandbox',
      '--yes',
      '--artifact',
      artifacts.a as string,
    ]);
    const unlocked = await promote([
      'sit',
      '--sandbox',
      '--yes',
      '--force-unlock',
      '--artifact',
      artifacts.a as string,
    ]);

    // Assess
    expect(blocked.exitCode).toBe(7);
    expect(blocked.stderr).toContain('thandi@laptop-7');
    expect(blocked.stderr).toContain('--force-unlock');
    expect(unlocked.exitCode, unlocked.stderr).toBe(0);
  });

  it('two concurrent promotions: one proceeds, the other fails fast on the lock', async () => {
    // Prepare: version 3 answers health slowly, so the winner holds the lock for seconds.
    await fault('3', ['--latency-ms', '3000', '--route', 'GET /v1.0/orders/health']);

    // Act
    const [first, second] = await Promise.all([
      promote(['sit', '--sandbox', '--yes', '--artifact', artifacts.b as string]),
      promote(['sit', '--sandbox', '--yes', '--artifact', artifacts.b as string]),
    ]);
    await fault('3', ['--clear']);

    // Assess
    expect([first.exitCode, second.exitCode].sort()).toEqual([0, 7]);
    expect((await alias()).FunctionVersion).toBe('3');
  });

  it('rollback sit --to 1 switches back, verifies, and journals who and why', async () => {
    // Act
    const run = await promote([
      'rollback',
      'sit',
      '--to',
      '1',
      '--sandbox',
      '--reason',
      'e2e check',
      '--json',
    ]);

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.version).toBe('1');
    expect(doc.run.rollback).toMatchObject({ to: '1', verified: true, reason: 'e2e check' });
    expect((await alias()).FunctionVersion).toBe('1');
    expect((await alias()).RoutingConfig?.AdditionalVersionWeights ?? {}).toEqual({});
  });

  it('rollback refuses $LATEST, unknown versions and the current version', async () => {
    // Act
    const latest = await promote(['rollback', 'sit', '--to', '$LATEST', '--sandbox']);
    const unknown = await promote(['rollback', 'sit', '--to', '99', '--sandbox']);
    const current = await promote(['rollback', 'sit', '--to', '1', '--sandbox']);

    // Assess
    expect([latest.exitCode, unknown.exitCode, current.exitCode]).toEqual([2, 2, 2]);
    expect(latest.stderr).toContain('ROLLBACK_LATEST');
    expect(unknown.stderr).toContain('ROLLBACK_UNKNOWN_VERSION');
    expect(current.stderr).toContain('ROLLBACK_IS_CURRENT');
  });

  it('Ctrl-C after the alias moved rolls back to the previous version and exits 130', async () => {
    // Prepare: version 4 is slow to answer health, so the run is inside smoke when interrupted.
    await fault('4', ['--latency-ms', '8000', '--route', 'GET /v1.0/orders/health']);
    const child: ResultPromise = execa(
      process.execPath,
      [BIN, 'sit', '--sandbox', '--yes', '--artifact', artifacts.c as string],
      { env: env(), reject: false, timeout: 120_000 },
    );

    // Act: wait until the journal shows the alias moved, then interrupt.
    const moved = await waitForJournal(
      join(home, 'runs', 'sit'),
      (j) => j.status === 'running' && j.versions?.after === '4',
      20_000,
    );
    child.kill('SIGINT');
    const result = await child;
    await fault('4', ['--clear']);

    // Assess
    expect(moved).toBeDefined();
    expect(result.exitCode).toBe(130);
    expect(`${result.stdout}${result.stderr}`).toContain(
      'rolled back: alias verified on version 1',
    );
    expect((await alias()).FunctionVersion).toBe('1');
  });

  it('after a crash (SIGKILL) mid-run, promote sit --resume finishes the same run', async () => {
    // Prepare: version 5 answers health slowly, so the run is inside smoke when killed.
    await fault('5', ['--latency-ms', '8000', '--route', 'GET /v1.0/orders/health']);
    const child: ResultPromise = execa(
      process.execPath,
      [BIN, 'sit', '--sandbox', '--yes', '--artifact', artifacts.d as string],
      { env: env(), reject: false, timeout: 120_000 },
    );
    const crashed = await waitForJournal(
      join(home, 'runs', 'sit'),
      (j) => j.status === 'running' && j.versions?.after === '5',
      20_000,
    );
    const crashedRun = crashed?.runId ?? '';
    child.kill('SIGKILL');
    await child;
    await fault('5', ['--clear']);

    // Act
    const resumed = await promote(['sit', '--sandbox', '--yes', '--resume', '--json']);

    // Assess
    expect(crashedRun).not.toBe('');
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const doc = JSON.parse(resumed.stdout);
    expect(doc.run.runId).toBe(crashedRun);
    expect(doc.version).toBe('5');
    // The terraform steps are skipped in the sandbox (it provisions the spec itself); every
    // other step succeeded.
    expect(doc.run.steps.map((s: { kind: string; state: string }) => [s.kind, s.state])).toEqual(
      doc.run.steps.map((s: { kind: string }) => [
        s.kind,
        s.kind.startsWith('terraform-') ? 'skipped' : 'succeeded',
      ]),
    );
    expect((await alias()).FunctionVersion).toBe('5');
  });

  it('status and history show the alias, versions and the runs', async () => {
    // Act
    const status = await promote(['status', 'sit', '--sandbox', '--json']);
    const history = await promote(['history', 'sit', '--sandbox', '--json']);

    // Assess
    expect(status.exitCode, status.stderr).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s.alias.version).toBe('5');
    expect(s.versions.map((v: { version: string }) => v.version)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    expect(s.lock).toBeNull();
    const h = JSON.parse(history.stdout);
    const statuses = h.runs.map((r: { status: string }) => r.status);
    expect(statuses).toContain('interrupted');
    expect(statuses).toContain('succeeded');
    expect(h.runs.some((r: { command: string }) => r.command === 'rollback')).toBe(true);
  });
});
