import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAliasCommand, GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checklistItems, loadChecklist } from '../../cli/checklists/load-checklist.js';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';
import { buildArtifact } from '../../scripts/build.js';

/**
 * Governance end to end on the sandbox, through the real bin: the SIT checklist with its
 * evidence, Gate 4 refused while items are open, PROD refusing a package SIT did not sign
 * off (and the break-glass), and PROD accepting exactly the bytes SIT signed.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');

type Doc = Record<string, any>;

describe('checklists, sign-off and the PROD gate (CLI end to end)', () => {
  let home: string;
  let repo: string;
  let port: number;
  let endpoint: string;
  let signed: string;
  let unsigned: string;

  const run = (args: string[]) =>
    execa(process.execPath, [BIN, ...args], {
      cwd: repo,
      env: { PROMOTE_HOME: home, PROMOTE_SANDBOX_PORT: String(port), CI: 'true' },
      reject: false,
      timeout: 180_000,
    });
  /** `promote prod` in CI mode with a change request, shipping `artifact`. */
  const toProd = (artifact: string, changeRequest: string, ...extra: string[]) =>
    run([
      'prod',
      '--sandbox',
      '--yes',
      '--artifact',
      artifact,
      '--change-request',
      changeRequest,
      ...extra,
    ]);
  const json = (stdout: string) => JSON.parse(stdout) as Doc;
  const liveOf = async (name: 'sit' | 'prod') => {
    const e = ENVIRONMENTS[name];
    const lambda = new LambdaClient({
      endpoint,
      region: e.region,
      credentials: { accessKeyId: `sandbox-${name}`, secretAccessKey: 'sandbox' },
    });
    const alias = await lambda.send(
      new GetAliasCommand({ FunctionName: e.functionName, Name: 'live' }),
    );
    const fn = await lambda.send(
      new GetFunctionCommand({ FunctionName: e.functionName, Qualifier: alias.FunctionVersion }),
    );
    return { version: alias.FunctionVersion, codeSha256: fn.Configuration?.CodeSha256 };
  };
  const prodLive = () => liveOf('prod');
  const manualIds = () =>
    checklistItems(loadChecklist('sit'))
      .filter((e) => e.item.manual && e.item.required)
      .map((e) => e.item.id);
  const confirmations = async (ids: readonly string[]) => {
    const path = join(home, `confirm-${ids.length}.yaml`);
    await writeFile(
      path,
      stringify(
        ids.map((id) => ({
          id,
          evidence: `https://ci.example.com/evidence/${id}`,
          comment: `checked for the e2e release (${id})`,
        })),
      ),
    );
    return path;
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'promote-gov-'));
    // The operator's checkout: on main, tagged as the plan asks (release-tag, main-branch).
    repo = await mkdtemp(join(tmpdir(), 'promote-gov-repo-'));
    const git = (args: string[]) => execa('git', args, { cwd: repo });
    await git(['init', '-q', '-b', 'main']);
    await git([
      '-c',
      'user.name=e2e',
      '-c',
      'user.email=e2e@example.com',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'release',
    ]);
    await git(['tag', 'v1.4.0-sit']);
    port = await freePortBlock(5);
    const up = await run(['sandbox', 'up', '--port', String(port), '--json']);
    expect(up.exitCode).toBe(0);
    endpoint = json(up.stdout).endpoint;
    signed = (await buildArtifact({ release: 'gov-signed', outDir: join(home, 'signed') })).path;
    unsigned = (await buildArtifact({ release: 'gov-other', outDir: join(home, 'other') })).path;
  }, 240_000);

  afterAll(async () => {
    await run(['sandbox', 'down']);
  });

  it('reports every SIT item with evidence, and lists open manual items without failing on them', async () => {
    // Prepare: DEV green and SIT on the release, as the plan's order has it
    expect((await run(['dev', '--sandbox', '--yes', '--artifact', signed])).exitCode).toBe(0);
    expect((await run(['sit', '--sandbox', '--yes', '--artifact', signed])).exitCode).toBe(0);

    // Act
    const result = await run(['checklist', 'sit', '--sandbox', '--json']);

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    const doc = json(result.stdout);
    const items = doc.run.items as Array<{
      id: string;
      status: string;
      kind: string;
      detail: string;
    }>;
    expect(items.map((i) => i.id)).toEqual(
      checklistItems(loadChecklist('sit')).map((e) => e.item.id),
    );
    for (const id of [
      'sit-env-route53-zone',
      'sit-env-certificate',
      'sit-infra-gsis',
      'sit-code-dev-green',
      'sit-code-release-tag',
      'sit-success-smoke',
    ]) {
      expect(
        items.find((i) => i.id === id),
        id,
      ).toMatchObject({ status: 'pass' });
    }
    expect(items.filter((i) => i.kind === 'manual').every((i) => i.status === 'open')).toBe(true);
    expect(doc.run.callerArn).toContain('815856636111');
  }, 240_000);

  it('refuses Gate 4 while required items are open, naming them, and signs nothing', async () => {
    // Act
    const result = await run([
      'signoff',
      'sit',
      '--gate',
      'sit-signoff',
      '--sandbox',
      '--yes',
      '--json',
    ]);

    // Assess
    expect(result.exitCode).toBe(3);
    const error = json(result.stdout).error;
    expect(error.code).toBe('GATE_OPEN');
    expect(error.details.open).toEqual(expect.arrayContaining(manualIds()));
  }, 120_000);

  it('PROD refuses a package SIT did not sign off, before changing anything', async () => {
    // Prepare
    const before = await prodLive();

    // Act
    const result = await toProd(signed, 'CHG-9', '--json');

    // Assess
    expect(result.exitCode).toBe(3);
    expect(json(result.stdout).error.message).toContain('SIT sign-off (Gate 4)');
    expect(await prodLive()).toEqual(before);
  }, 180_000);

  it('still refuses with one required item left open, then signs once it is confirmed', async () => {
    // Prepare
    const ids = manualIds();
    const last = ids.at(-1) ?? '';
    const most = await confirmations(ids.slice(0, -1));
    expect(
      (await run(['checklist', 'sit', '--sandbox', '--confirmations', most, '--json'])).exitCode,
    ).toBe(0);

    // Act
    const refused = await run([
      'signoff',
      'sit',
      '--gate',
      'sit-signoff',
      '--sandbox',
      '--yes',
      '--json',
    ]);
    const confirmed = await run([
      'checklist',
      'sit',
      'confirm',
      last,
      '--sandbox',
      '--evidence',
      `https://ci.example.com/${last}`,
      '--comment',
      'done',
    ]);
    const accepted = await run([
      'signoff',
      'sit',
      '--gate',
      'sit-signoff',
      '--sandbox',
      '--yes',
      '--json',
    ]);

    // Assess
    expect(json(refused.stdout).error.details.open).toEqual([last]);
    expect(confirmed.exitCode, confirmed.stderr).toBe(0);
    expect(accepted.exitCode, accepted.stderr).toBe(0);
    const gate = json(accepted.stdout).gate;
    expect(gate).toMatchObject({ gate: 'sit-signoff', approverRole: 'Tech Lead' });
    expect(gate.codeSha256).toBe((await liveOf('sit')).codeSha256);
  }, 240_000);

  it('PROD refuses other bytes, allows them only by a journaled override, and ships the signed package', async () => {
    // Act
    const other = await toProd(unsigned, 'CHG-10', '--json');
    const noReason = await toProd(unsigned, 'CHG-10', '--override-gate', 'sit-signoff');
    const same = await toProd(signed, 'CHG-11', '--json');

    // Assess
    expect(other.exitCode).toBe(3);
    expect(noReason.exitCode).toBe(2);
    expect(noReason.stderr).toContain('OVERRIDE_GATE_NEEDS_REASON');
    expect(same.exitCode, same.stderr).toBe(0);
    const preflight = json(same.stdout).run.steps.find(
      (s: { kind: string }) => s.kind === 'preflight',
    );
    expect(preflight.evidence.gate).toMatchObject({ gate: 'sit-signoff' });
    const live = await prodLive();
    expect(live.codeSha256).toBe(preflight.evidence.gate.codeSha256);
  }, 240_000);

  it("keeps the checklist evidence and the run reports in each env's evidence bucket", async () => {
    // Prepare
    const keys = async (name: 'sit' | 'prod', prefix: string) => {
      const e = ENVIRONMENTS[name];
      const s3 = new S3Client({
        endpoint,
        region: e.region,
        forcePathStyle: true,
        credentials: { accessKeyId: `sandbox-${name}`, secretAccessKey: 'sandbox' },
      });
      const out = await s3.send(
        new ListObjectsV2Command({ Bucket: e.evidenceBucket, Prefix: prefix }),
      );
      return (out.Contents ?? []).map((o) => o.Key ?? '');
    };

    // Act
    const sitChecklists = await keys('sit', 'checklists/sit/');
    const prodRuns = await keys('prod', 'runs/prod/');

    // Assess
    expect(sitChecklists.some((k) => k.endsWith('.md'))).toBe(true);
    expect(sitChecklists.some((k) => k.endsWith('.json'))).toBe(true);
    expect(prodRuns.some((k) => k.endsWith('/summary.md'))).toBe(true);
    expect(prodRuns.some((k) => k.endsWith('/report.json'))).toBe(true);
  }, 60_000);

  it('records a break-glass override in the PROD journal', async () => {
    // Act
    const result = await toProd(
      unsigned,
      'CHG-12',
      '--override-gate',
      'sit-signoff',
      '--reason',
      'INC-5 hotfix',
      '--json',
    );

    // Assess
    expect(result.exitCode, result.stderr).toBe(0);
    const runDoc = json(result.stdout).run;
    expect(runDoc.inputs.overrideGates).toEqual([{ gate: 'sit-signoff', reason: 'INC-5 hotfix' }]);
    const preflight = runDoc.steps.find((s: { kind: string }) => s.kind === 'preflight');
    expect(preflight.evidence.gateOverride).toMatchObject({
      gate: 'sit-signoff',
      reason: 'INC-5 hotfix',
    });
  }, 240_000);
});
