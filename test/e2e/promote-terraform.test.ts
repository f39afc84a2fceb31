import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';
import { buildArtifact } from '../../scripts/build.js';
import { BIN, chaosClients } from '../support/chaos.js';
import { planDocument } from '../support/terraform-plans.js';

/**
 * The plan's terraform steps through the real bin against the sandbox, with a stand-in
 * `terraform` (test/support/fake-terraform.mjs) replaying `show -json` documents: a replace
 * of orders-sit stops the run before apply with the alias untouched; a benign plan is
 * applied and the run goes on to deploy; --plan-only then --plan-file/--approve-plan applies
 * exactly the approved plan, once; a stale plan and a missing binary say what to do.
 */

const FAKE = join(import.meta.dirname, '..', 'support', 'fake-terraform.mjs');
const ORDERS = 'module.data.aws_dynamodb_table.orders';

describe('promote sit with terraform (stand-in binary, sandbox)', () => {
  let home: string;
  let port: number;
  let endpoint: string;
  let tfDir: string;
  const artifacts: Record<string, string> = {};

  const show = (name: string, doc: unknown) => {
    const file = join(tfDir, `${name}.json`);
    writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  const promote = (args: string[], extra: Record<string, string> = {}) =>
    execa(process.execPath, [BIN, ...args], {
      env: {
        PROMOTE_HOME: home,
        PROMOTE_SANDBOX_PORT: String(port),
        CI: 'true',
        PROMOTE_SANDBOX_TERRAFORM: '1',
        PROMOTE_TERRAFORM: FAKE,
        FAKE_TF_DIR: tfDir,
        ...extra,
      },
      reject: false,
      timeout: 180_000,
    });
  const aws = () => chaosClients({ home, port, endpoint }, 'sit');
  const applied = () =>
    existsSync(join(tfDir, 'applied.log'))
      ? readFileSync(join(tfDir, 'applied.log'), 'utf8').trim().split('\n')
      : [];

  const benign = () =>
    show(
      'benign',
      planDocument([
        {
          address: 'module.monitoring.aws_cloudwatch_metric_alarm.plan["x"]',
          type: 'aws_cloudwatch_metric_alarm',
          actions: ['update'],
        },
      ]),
    );

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'promote-tf-'));
    tfDir = await mkdtemp(join(tmpdir(), 'fake-tf-'));
    port = await freePortBlock(5);
    const up = await promote(['sandbox', 'up', '--port', String(port), '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    endpoint = JSON.parse(up.stdout).endpoint;
    for (const name of ['a', 'b', 'c']) {
      artifacts[name] = (
        await buildArtifact({ release: `tf-${name}`, outDir: join(home, `build-${name}`) })
      ).path;
    }
  });

  afterAll(async () => {
    await promote(['sandbox', 'down']);
  });

  it('a plan that replaces orders-sit stops the run before apply; the alias is untouched', async () => {
    // Prepare
    const doc = show(
      'replace',
      planDocument([
        {
          address: ORDERS,
          type: 'aws_dynamodb_table',
          actions: ['delete', 'create'],
          reason: 'replace_because_cannot_update',
        },
      ]),
    );
    const before = await aws().alias();

    // Act
    const run = await promote(['sit', '--sandbox', '--yes', '--artifact', artifacts.a as string], {
      FAKE_TF_SHOW: doc,
    });

    // Assess
    expect(run.exitCode, run.stderr).toBe(3);
    expect(run.stderr).toContain('TERRAFORM_PLAN_DESTROYS');
    expect(run.stderr).toContain(`--allow-destroy ${ORDERS}`);
    expect(applied()).toEqual([]);
    expect(await aws().alias()).toEqual(before);
    const calls = readFileSync(join(tfDir, 'calls.log'), 'utf8');
    expect(calls).toContain('"workspace","select","-or-create=true","sit"');
    expect(calls).toContain(`"endpoint":"${endpoint}"`); // the provider pointed at the sandbox
  });

  it('a benign plan is applied after the approval bound to its hash, and the run goes on to deploy', async () => {
    // Act
    const run = await promote(
      ['sit', '--sandbox', '--yes', '--artifact', artifacts.a as string, '--json'],
      {
        FAKE_TF_SHOW: benign(),
      },
    );

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    const sha = doc.run.terraform.planSha256;
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(applied()).toEqual([doc.run.terraform.planFile]);
    const approval = doc.run.steps.find((s: { kind: string }) => s.kind === 'approve').evidence
      .approval;
    expect(approval).toMatchObject({ planSha256: sha, role: 'Tech Lead', via: '--yes' });
    expect(approval.question).toContain(sha);
    expect(approval.callerArn).toMatch(/^arn:aws:/);
    expect(doc.version).toBe((await aws().alias()).version);
    expect(doc.run.versions.after).not.toBe(doc.run.versions.before);
  });

  it('--plan-only, then --plan-file --approve-plan applies exactly that plan, once', async () => {
    // Prepare
    const before = applied().length;
    const planned = await promote(
      ['sit', '--sandbox', '--plan-only', '--artifact', artifacts.b as string, '--json'],
      {
        FAKE_TF_SHOW: benign(),
      },
    );
    expect(planned.exitCode, planned.stderr).toBe(0);
    const { planFile, planSha256 } = JSON.parse(planned.stdout).run.terraform;
    const wrong = planSha256.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));

    // Act
    const refused = await promote(
      [
        'sit',
        '--sandbox',
        '--plan-file',
        planFile,
        '--approve-plan',
        wrong,
        '--artifact',
        artifacts.b as string,
      ],
      { FAKE_TF_SHOW: benign() },
    );
    const first = await promote(
      [
        'sit',
        '--sandbox',
        '--plan-file',
        planFile,
        '--approve-plan',
        planSha256,
        '--artifact',
        artifacts.b as string,
      ],
      { FAKE_TF_SHOW: benign() },
    );
    const again = await promote(
      [
        'sit',
        '--sandbox',
        '--plan-file',
        planFile,
        '--approve-plan',
        planSha256,
        '--artifact',
        artifacts.b as string,
      ],
      { FAKE_TF_SHOW: benign() },
    );

    // Assess
    expect(JSON.parse(planned.stdout).status).toBe('planned');
    expect(refused.exitCode).toBe(4);
    expect(refused.stderr).toContain('TERRAFORM_PLAN_NOT_APPROVED');
    expect(first.exitCode, first.stderr).toBe(0);
    expect(again.exitCode).toBe(4);
    expect(again.stderr).toContain('TERRAFORM_PLAN_CONSUMED');
    expect(applied().slice(before)).toEqual([planFile]);
  });

  it('a stale saved plan says to re-plan and re-approve, and nothing is deployed', async () => {
    // Prepare
    const before = await aws().alias();

    // Act
    const run = await promote(['sit', '--sandbox', '--yes', '--artifact', artifacts.c as string], {
      FAKE_TF_SHOW: benign(),
      FAKE_TF_STALE: '1',
    });

    // Assess
    expect(run.exitCode).toBe(10);
    expect(run.stderr).toContain('TERRAFORM_PLAN_STALE');
    expect(run.stderr).toContain('re-plan and re-approve');
    expect(await aws().alias()).toEqual(before);
  });

  it('real AWS with no terraform binary stops before any change unless --skip-terraform --reason', async () => {
    // Prepare: the real-AWS path (standard credentials) pointed at the sandbox's endpoint
    const realAws = {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'sandbox-sit',
      AWS_SECRET_ACCESS_KEY: 'sandbox',
      SIT_TOKEN: 'unused-token',
      PROMOTE_TERRAFORM: join(tfDir, 'no-such-terraform'),
    };
    const before = await aws().alias();

    // Act
    const blocked = await promote(['sit', '--yes', '--artifact', artifacts.c as string], realAws);
    const noReason = await promote(
      ['sit', '--yes', '--skip-terraform', '--artifact', artifacts.c as string],
      realAws,
    );

    // Assess
    expect(blocked.exitCode, blocked.stderr).toBe(3);
    expect(blocked.stderr).toContain('TERRAFORM_MISSING');
    expect(blocked.stderr).toContain('--skip-terraform --reason');
    expect(noReason.exitCode).toBe(2);
    expect(noReason.stderr).toContain('REASON_REQUIRED');
    expect(await aws().alias()).toEqual(before);
  });
});
