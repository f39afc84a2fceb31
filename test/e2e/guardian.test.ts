import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetAliasCommand, type GetAliasCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { GUARDIAN_RECORD_PK, type GuardianRecord } from '../../infra/guardian.js';
import { stateTableName } from '../../infra/state-table.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';
import { buildArtifact } from '../../scripts/build.js';
import { waitForJournal } from '../support/journal-watch.js';

/**
 * The canary guardian on the sandbox, schedules compressed (SANDBOX_SCHEDULE_SCALE=0.05: the
 * guardian looks every 3 s): a `promote prod --canary` killed mid-bake is rolled back by the
 * guardian, which says why — in the state table, in `promote status`, and in `--resume`, which
 * refuses to shift traffic back; an alarm fired while the CLI is stopped is acted on by the
 * guardian too, and the CLI, continued, stops on the guardian's word.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const prod = ENVIRONMENTS.prod;
const creds = { accessKeyId: 'sandbox-prod', secretAccessKey: 'sandbox' };
/** An alarm nothing else in these runs can raise: the sandbox has no DLQ traffic here. */
const ALARM = 'order-handler-prod-dlq-depth';

/** Polls `probe` until it yields a value (the guardian acts on its own schedule). */
const eventually = async <T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 90_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
};

describe('the canary guardian (sandbox, schedules × 0.05)', { timeout: 150_000 }, () => {
  let home: string;
  let port: number;
  let endpoint: string;
  const artifacts: Record<string, string> = {};

  const env = () => ({
    PROMOTE_HOME: home,
    PROMOTE_SANDBOX_PORT: String(port),
    CI: 'true',
    SANDBOX_SCHEDULE_SCALE: '0.05',
  });
  const promote = (args: string[]) =>
    execa(process.execPath, [BIN, ...args], { env: env(), reject: false, timeout: 120_000 });
  /** A long 10% bake (90 s), analyses and beats every 2 s: the guardian counts 20 s stale. */
  const canary = (artifact: string) =>
    execa(
      process.execPath,
      [
        BIN,
        'prod',
        '--sandbox',
        '--yes',
        '--change-request',
        'CHG-1',
        '--override-gate',
        'sit-signoff',
        '--allow-low-traffic',
        '--reason',
        'guardian e2e: no traffic, the canary is never judged here',
        '--canary',
        '--bake-scale',
        '0.1',
        '--analysis-interval',
        '2',
        '--artifact',
        artifact,
        '--json',
      ],
      { env: env(), reject: false, timeout: 150_000 },
    );
  const alias = (): Promise<GetAliasCommandOutput> =>
    new LambdaClient({ endpoint, region: prod.region, credentials: creds }).send(
      new GetAliasCommand({ FunctionName: prod.functionName, Name: prod.alias }),
    );
  const weightsOf = (a: GetAliasCommandOutput) => a.RoutingConfig?.AdditionalVersionWeights ?? {};
  const guardianRecord = async (runId: string) => {
    const doc = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint, region: prod.region, credentials: creds }),
    );
    const out = await doc.send(
      new QueryCommand({
        TableName: stateTableName('prod'),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': GUARDIAN_RECORD_PK },
      }),
    );
    return (out.Items as GuardianRecord[] | undefined)?.find(
      (r) => r.runId === runId && r.outcome === 'restored',
    );
  };
  const setAlarm = (state: 'ALARM' | 'OK') =>
    new CloudWatchClient({ endpoint, region: prod.region, credentials: creds }).send(
      new SetAlarmStateCommand({
        AlarmName: ALARM,
        StateValue: state,
        StateReason: `guardian e2e: forced ${state}`,
      }),
    );
  /** The journal of a run of `artifact` once its 10% bake has begun (the alias is weighted). */
  const baking = (artifact: string) =>
    waitForJournal(
      join(home, 'runs', 'prod'),
      (j) =>
        j.status === 'running' &&
        j.inputs?.artifact?.path === artifact &&
        j.canary?.stepIndex === 0 &&
        Boolean(j.canary.stepStartedAt),
      90_000,
    );

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'guardian-e2e-'));
    port = await freePortBlock(5);
    const up = await promote(['sandbox', 'up', '--port', String(port), '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    endpoint = JSON.parse(up.stdout).endpoint;
    for (const name of ['killed', 'stopped']) {
      artifacts[name] = (
        await buildArtifact({ release: `guardian-${name}`, outDir: join(home, `build-${name}`) })
      ).path;
    }
  });

  afterAll(async () => {
    await promote(['sandbox', 'down']);
  });

  it('a canary whose CLI is killed mid-bake is restored by the guardian, on record', async () => {
    // Prepare: a canary at 10%
    const stable = (await alias()).FunctionVersion;
    const child = canary(artifacts.killed as string);
    const journal = await baking(artifacts.killed as string);
    expect(journal, 'the 10% bake began').toBeDefined();
    const runId = journal.runId as string;
    const candidate = journal.canary.candidate as string;

    // Act: the laptop dies
    child.kill('SIGKILL');
    await child;
    const left = weightsOf(await alias());
    const restored = await eventually(async () => {
      const a = await alias();
      return Object.keys(weightsOf(a)).length === 0 ? a : undefined;
    });
    const record = await eventually(() => guardianRecord(runId));
    const status = await promote(['status', 'prod', '--sandbox']);
    const resume = await promote(['prod', '--sandbox', '--yes', '--resume', '--json']);
    const after = JSON.parse((await promote(['status', 'prod', '--sandbox', '--json'])).stdout);

    // Assess: left at 10% by the dead CLI, back on the stable version by the guardian
    expect(left).toEqual({ [candidate]: 0.1 });
    expect(restored.FunctionVersion).toBe(stable);
    expect(record.to.version).toBe(stable);
    expect(record.from).toEqual({ version: stable, weights: { [candidate]: 0.1 } });
    expect(record.reasons.map((r) => r.kind)).toEqual(['heartbeat-stale']);
    expect(record.summary).toMatch(/^heartbeat stale since \S+ \(no beat for \d+ s, limit 20 s\)$/);
    expect(status.stdout).toContain(`rolled back by the guardian at ${record.at}`);
    expect(status.stdout).toContain('because heartbeat stale since');
    expect(resume.exitCode, resume.stderr.slice(-800)).toBe(2);
    const refused = JSON.parse(resume.stdout).error;
    expect(refused.code).toBe('RUN_ROLLED_BACK_BY_GUARDIAN');
    expect(refused.message).toContain(`rolled back by the guardian at ${record.at}`);
    expect(after.lock).toBeNull();
    const run = after.runs.find((r: { runId: string }) => r.runId === runId);
    expect(run.status).toBe('rolled_back');
    expect(run.guardian).toMatchObject({ outcome: 'restored', at: record.at });
    expect(after.heartbeat).toMatchObject({ runId, phase: 'restored' });
  });

  it('an alarm fired while the CLI is stopped: the guardian restores; the CLI, continued, stops', async () => {
    // Prepare: a canary at 10%, and a minute with at least 35 s left, so that a forced ALARM
    // holds (the sandbox re-evaluates it when the minute's period closes, as CloudWatch does)
    const stable = (await alias()).FunctionVersion;
    const child = canary(artifacts.stopped as string);
    const journal = await baking(artifacts.stopped as string);
    expect(journal, 'the 10% bake began').toBeDefined();
    const runId = journal.runId as string;
    const left = 60_000 - (Date.now() % 60_000);
    if (left < 35_000) await new Promise((r) => setTimeout(r, left + 250));

    // Act: the CLI stops answering (laptop lid closed), an alarm fires
    child.kill('SIGSTOP');
    await setAlarm('ALARM');
    const record = await eventually(() => guardianRecord(runId));
    const restored = await alias();
    await setAlarm('OK');
    child.kill('SIGCONT');
    const result = await child;

    // Assess
    expect(restored.FunctionVersion).toBe(stable);
    expect(weightsOf(restored)).toEqual({});
    expect(record.reasons).toContainEqual(expect.objectContaining({ kind: 'alarm', alarm: ALARM }));
    expect(record.summary).toContain(`alarm ${ALARM} in ALARM`);
    expect(result.exitCode, result.stderr.slice(-800)).toBe(5);
    const doc = JSON.parse(result.stdout);
    expect(doc.error.code).toBe('GUARDIAN_ROLLED_BACK');
    expect(doc.error.message).toContain(`rolled back by the guardian at ${record.at}`);
    expect((await alias()).FunctionVersion).toBe(stable);
  });
});
