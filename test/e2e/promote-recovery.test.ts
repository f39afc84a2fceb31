import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import {
  GetFunctionCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { freePort, freePortBlock } from '../../sandbox/engines/local-engines.js';
import { buildArtifact } from '../../scripts/build.js';
import { BIN, chaosClients, runTrial, type Trial } from '../support/chaos.js';
import { waitForJournal } from '../support/journal-watch.js';

/**
 * Recovery that never moves an environment backwards (issue 9), through the real bin
 * against a sandbox daemon: the two reproductions (a resume that forgot its artifact, a
 * superseded run resumed), bad artifacts refused before any change, an unreachable
 * endpoint, a second Ctrl-C whose printed command finishes the job, and a sample of the
 * chaos matrix (the full one is `npm run bench:chaos`).
 */

const sit = ENVIRONMENTS.sit;

describe('recovery (CLI end to end)', () => {
  let home: string;
  let port: number;
  let endpoint: string;
  const artifacts: Record<string, { path: string; codeSha256: string }> = {};

  const env = () => ({ PROMOTE_HOME: home, PROMOTE_SANDBOX_PORT: String(port), CI: 'true' });
  const promote = (args: string[], extra: Record<string, string> = {}) =>
    execa(process.execPath, [BIN, ...args], {
      env: { ...env(), ...extra },
      reject: false,
      timeout: 180_000,
    });
  const start = (args: string[]): ResultPromise =>
    execa(process.execPath, [BIN, ...args], { env: env(), reject: false, timeout: 180_000 });
  const aws = () => chaosClients({ home, port, endpoint }, 'sit');
  const creds = { accessKeyId: 'sandbox-sit', secretAccessKey: 'sandbox' };
  const lambda = () => new LambdaClient({ endpoint, region: sit.region, credentials: creds });
  const versions = async () =>
    (
      (await lambda().send(new ListVersionsByFunctionCommand({ FunctionName: sit.functionName })))
        .Versions ?? []
    ).map((v) => v.Version);
  const stateItems = async () =>
    (
      await new DynamoDBClient({ endpoint, region: sit.region, credentials: creds }).send(
        new ScanCommand({ TableName: 'promote-state-sit' }),
      )
    ).Items ?? [];
  const codeShaOf = async (version: string) =>
    (
      await lambda().send(
        new GetFunctionCommand({ FunctionName: sit.functionName, Qualifier: version }),
      )
    ).Configuration?.CodeSha256;
  const runsDir = () => join(home, 'runs', 'sit');
  /** Starts a run of `artifact` and SIGKILLs it once the journal shows `step` under way. */
  const killDuring = async (artifact: string, step: string) => {
    const known = new Set<string>();
    const child = start(['sit', '--sandbox', '--yes', '--artifact', artifact]);
    const seen = await waitForJournal(
      runsDir(),
      (j) =>
        j.status === 'running' &&
        j.inputs?.artifact?.path === artifact &&
        j.steps?.some(
          (s: { kind: string; state: string }) => s.kind === step && s.state !== 'pending',
        ),
      30_000,
    );
    child.kill('SIGKILL');
    await child;
    known.add(seen?.runId);
    return seen?.runId as string;
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'promote-recovery-'));
    port = await freePortBlock(5);
    const up = await promote(['sandbox', 'up', '--port', String(port), '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    endpoint = JSON.parse(up.stdout).endpoint;
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k']) {
      const built = await buildArtifact({
        release: `recovery-${name}`,
        outDir: join(home, `build-${name}`),
      });
      artifacts[name] = { path: built.path, codeSha256: built.codeSha256 };
    }
  });

  afterAll(async () => {
    await promote(['sandbox', 'down']);
  });

  it('bad artifacts are refused before any AWS call or change (exit 2)', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'bad-artifacts-'));
    const empty = join(dir, 'empty.zip');
    const text = join(dir, 'text.zip');
    const noHandler = join(dir, 'readme.zip');
    const otherHandler = join(dir, 'app.zip');
    await writeFile(empty, '');
    await writeFile(text, 'not a zip at all, only named like one');
    const zipOf = (name: string) =>
      new Promise<Buffer>((resolve) => {
        const z = new yazl.ZipFile();
        z.addBuffer(Buffer.from('export const handler = async () => ({})'), name);
        z.end();
        const chunks: Buffer[] = [];
        z.outputStream.on('data', (c: Buffer) => chunks.push(c));
        z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
      });
    await writeFile(noHandler, await zipOf('README.md'));
    await writeFile(otherHandler, await zipOf('app.mjs'));
    const before = { versions: await versions(), state: (await stateItems()).length };

    // Act
    const results = await Promise.all(
      [join(dir, 'missing.zip'), empty, text, noHandler, otherHandler].map((path) =>
        promote(['sit', '--sandbox', '--yes', '--artifact', path]),
      ),
    );

    // Assess
    expect(results.map((r) => r.exitCode)).toEqual([2, 2, 2, 2, 2]);
    expect(results.map((r) => /\[([A-Z_]+)\]\n/.exec(r.stderr)?.[1])).toEqual([
      'ARTIFACT_MISSING',
      'ARTIFACT_EMPTY',
      'ARTIFACT_NOT_ZIP',
      'ARTIFACT_NO_HANDLER',
      'ARTIFACT_HANDLER_MISSING',
    ]);
    // The handler mismatch is found by preflight, before the approval, lock or any upload.
    expect(results[4]?.stdout).not.toContain('Approval');
    expect(await versions()).toEqual(before.versions);
    expect((await stateItems()).length).toBe(before.state);
  });

  it('the real-AWS path checks the smoke token before anything (exit 2, nothing touched)', async () => {
    // Act
    const run = await promote(['sit', '--yes', '--artifact', artifacts.a?.path as string], {
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
    });

    // Assess
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('SMOKE_NO_TOKEN');
    expect(run.stderr).toContain('SIT_TOKEN');
  });

  it('an unreachable endpoint on the real-AWS path exits 11 with a hint, saying nothing was changed', async () => {
    // Prepare: standard credentials, an endpoint where nothing listens.
    const closed = await freePort();

    // Act
    const run = await promote(['sit', '--yes', '--artifact', artifacts.a?.path as string], {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}`,
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
      AWS_MAX_ATTEMPTS: '1',
      SIT_TOKEN: 'not-a-real-token',
    });

    // Assess
    expect(run.exitCode, run.stderr).toBe(11);
    expect(run.stderr).toContain('AWS_UNREACHABLE');
    expect(run.stderr).toContain('nothing was changed');
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('reproduction 1: a SIGKILLed --artifact run resumes with that artifact, never the tree or an older version', async () => {
    // Prepare: the tree's package is published (as the sandbox's next version), then a is live.
    const tree = await promote(['sit', '--sandbox', '--yes', '--json']);
    expect(tree.exitCode, tree.stderr).toBe(0);
    const treeVersion = JSON.parse(tree.stdout).version as string;
    const onA = await promote([
      'sit',
      '--sandbox',
      '--yes',
      '--artifact',
      artifacts.a?.path as string,
    ]);
    expect(onA.exitCode, onA.stderr).toBe(0);
    const killed = await killDuring(artifacts.b?.path as string, 'approve');
    expect(killed).toBeTruthy();
    const status = JSON.parse((await promote(['status', 'sit', '--sandbox', '--json'])).stdout);
    const refused = await promote([
      'sit',
      '--sandbox',
      '--yes',
      '--resume',
      '--artifact',
      artifacts.c?.path as string,
    ]);

    // Act
    const resumed = await promote(['sit', '--sandbox', '--yes', '--resume', '--json']);

    // Assess
    expect(status.lock?.runId).toBe(killed);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('RESUME_KEEPS_INPUTS');
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const doc = JSON.parse(resumed.stdout);
    expect(doc.run.runId).toBe(killed);
    expect(doc.version).not.toBe(treeVersion);
    expect(await codeShaOf(doc.version)).toBe(artifacts.b?.codeSha256);
    expect((await aws().alias()).version).toBe(doc.version);
  });

  it('reproduction 2: a run superseded by --force-unlock is never resumed over its successor', async () => {
    // Prepare
    const killed = await killDuring(artifacts.c?.path as string, 'approve');
    const successor = await promote([
      'sit',
      '--sandbox',
      '--yes',
      '--force-unlock',
      '--artifact',
      artifacts.d?.path as string,
      '--json',
    ]);
    expect(successor.exitCode, successor.stderr).toBe(0);
    const live = JSON.parse(successor.stdout).version as string;
    const successorRun = JSON.parse(successor.stdout).run.runId as string;

    // Act
    const resumed = await promote(['sit', '--sandbox', '--yes', '--resume']);

    // Assess
    expect(resumed.exitCode).toBe(2);
    expect(resumed.stderr).toContain('RUN_SUPERSEDED');
    expect(resumed.stderr).toContain(killed);
    expect(resumed.stderr).toContain(successorRun);
    expect((await aws().alias()).version).toBe(live);
    expect(await codeShaOf(live)).toBe(artifacts.d?.codeSha256);
    const history = JSON.parse((await promote(['history', 'sit', '--sandbox', '--json'])).stdout);
    const old = history.runs.find((r: { runId: string }) => r.runId === killed);
    expect(old.status).toBe('superseded');
    expect(old.supersededBy.runId).toBe(successorRun);
  });

  it('a second Ctrl-C records the run, says where sit is, and the printed command finishes it', async () => {
    // Prepare: the next version answers health slowly, so the run sits in smoke after the shift.
    const next = String((await versions()).filter((v) => v !== '$LATEST').length + 1);
    await promote([
      'sandbox',
      'fault',
      '--env',
      'sit',
      '--version',
      next,
      '--latency-ms',
      '4000',
      '--route',
      'GET /v1.0/orders/health',
    ]);
    const startedOn = (await aws().alias()).version;
    const child = start(['sit', '--sandbox', '--yes', '--artifact', artifacts.e?.path as string]);
    const moved = await waitForJournal(
      runsDir(),
      (j) =>
        j.status === 'running' &&
        j.versions?.after === next &&
        j.steps?.some(
          (s: { kind: string; state: string }) => s.kind === 'smoke' && s.state === 'running',
        ),
      30_000,
    );

    // Act
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const result = await child;
    await promote(['sandbox', 'fault', '--env', 'sit', '--version', next, '--clear']);
    const printed = /Finish with "([^"]+)"/.exec(String(result.stderr))?.[1] ?? '';
    const finish = await promote(printed.split(' ').slice(1));

    // Assess
    expect(moved).toBeDefined();
    expect(result.exitCode).toBe(130);
    expect(String(result.stderr)).toMatch(new RegExp(`sit is on version (${startedOn}|${next})`));
    expect(printed).toBe('promote sit --resume --abort --sandbox');
    expect(finish.exitCode, finish.stderr).toBe(0);
    expect(await aws().alias()).toEqual({ version: startedOn, weights: {} });
    expect(await aws().lockHolder()).toBeUndefined();
  });

  it('a sample of the chaos matrix keeps every invariant', async () => {
    // Prepare
    const target = { home, port, endpoint };
    const trials: Trial[] = [
      {
        env: 'sit',
        artifact: artifacts.f?.path as string,
        signal: 'SIGKILL',
        at: { step: 'deploy' },
        recover: 'resume',
      },
      {
        env: 'sit',
        artifact: artifacts.g?.path as string,
        signal: 'SIGKILL',
        at: { step: 'shift-all' },
        recover: 'abort',
      },
      {
        env: 'sit',
        artifact: artifacts.h?.path as string,
        signal: 'SIGINTx2',
        at: { step: 'verify' },
        recover: 'abort',
      },
      {
        env: 'sit',
        artifact: artifacts.i?.path as string,
        signal: 'SIGINT',
        at: { afterMs: 2_500 },
        recover: 'resume',
      },
    ];

    // Act
    const outcomes = [];
    for (const trial of trials) outcomes.push(await runTrial(target, trial));

    // Assess
    expect(
      outcomes.flatMap((o) =>
        o.violations.map((v) => `${o.trial.signal} ${JSON.stringify(o.trial.at)}: ${v}`),
      ),
    ).toEqual([]);
    expect(outcomes.every((o) => o.final.status && o.final.status !== 'running')).toBe(true);
  });

  it('an emergency rollback without a smoke token rolls back, says the smoke was skipped, exits 0', async () => {
    // Prepare: the real-AWS path (standard credentials, no SIT_TOKEN) at the sandbox's endpoint
    const before = await aws().alias();
    const published = (await versions()).filter((v) => v !== '$LATEST' && v !== before.version);
    const to = published.at(-1) as string;

    // Act
    const run = await promote(['rollback', 'sit', '--to', to, '--yes', '--json'], {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'sandbox-sit',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
    });

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.smoke).toBe('skipped');
    expect(doc.run.rollback).toMatchObject({ to, verified: true });
    const smokeStep = doc.run.steps.find((s: { kind: string }) => s.kind === 'smoke');
    expect(smokeStep.state).toBe('skipped');
    expect(smokeStep.evidence.skipped).toContain('no token');
    expect((await aws().alias()).version).toBe(to);
  });
});
