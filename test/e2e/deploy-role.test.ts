import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS, type Environment } from '../../infra/environments.js';
import { stateTableName } from '../../infra/state-table.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';
import { type Artifact, buildArtifact } from '../../scripts/build.js';
import { liveVersion as liveOf } from '../support/sandbox-clients.js';

/**
 * The least-privilege deploy roles grant what the plan needs: the CLI's own AWS calls made
 * as `order-lambda-deploy-<env>` (credentials from the sandbox's STS, assumed from the
 * management operator key), through the CLI's REAL-AWS path — no `--sandbox`, just
 * `AWS_ENDPOINT_URL` and the role's keys — against a sandbox that enforces IAM.
 *
 * The API is the sandbox's front, named by `PROMOTE_API_URL_<ENV>` (the real domain is not
 * reachable here); `smoke` is also run with `--base-url`.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const sit = ENVIRONMENTS.sit;
const prod = ENVIRONMENTS.prod;
const DENIED = /AccessDenied|AuthorizationError|is not authorized to perform/;

interface Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

describe('the CLI as the deploy role (real-AWS path, IAM enforced by the sandbox)', () => {
  let home: string;
  let endpoint: string;
  let apiSit: string;
  let artifact: Artifact;
  let sitDeploy: Keys;
  let prodDeploy: Keys;

  const promote = (args: string[], extra: Record<string, string> = {}) =>
    execa(process.execPath, [BIN, ...args], {
      env: { PROMOTE_HOME: home, CI: 'true', ...extra },
      reject: false,
      timeout: 180_000,
    });

  /** The env of a CLI that only knows an endpoint and a role's keys, as in CI after OIDC. */
  const asRole = (keys: Keys, env: Environment, extra: Record<string, string> = {}) => ({
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    AWS_SESSION_TOKEN: keys.sessionToken,
    AWS_REGION: env.region,
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    PROMOTE_API_URL_SIT: apiSit,
    ...extra,
  });

  const assume = async (roleArn: string, region: string): Promise<Keys> => {
    const sts = new STSClient({
      endpoint,
      region,
      credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' },
    });
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'deploy-role-e2e' }),
    );
    return {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };
  };

  const token = async (env: string) =>
    (await promote(['sandbox', 'token', '--env', env, '--admin'])).stdout.trim();

  const liveVersion = () => liveOf(endpoint, 'sit');

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'deploy-role-e2e-'));
    const port = await freePortBlock(5);
    const up = await promote(['sandbox', 'up', '--port', String(port), '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const state = JSON.parse(up.stdout);
    endpoint = state.endpoint;
    apiSit = state.apiUrls.sit;
    artifact = await buildArtifact({ release: 'deploy-role-e2e', outDir: join(home, 'build') });
    sitDeploy = await assume(sit.deployRole, sit.region);
    prodDeploy = await assume(prod.deployRole, prod.region);
  });

  afterAll(async () => {
    await promote(['sandbox', 'down']);
  });

  it('promote sit: preflight, deploy, shift, verify and smoke all run as the deploy role', async () => {
    // Act
    const run = await promote(
      [
        'sit',
        '--yes',
        '--ci',
        '--json',
        '--artifact',
        artifact.path,
        '--skip-terraform',
        '--reason',
        'no terraform binary in the e2e',
      ],
      asRole(sitDeploy, sit, { SIT_TOKEN: await token('sit') }),
    );

    // Assess
    const doc = JSON.parse(run.stdout);
    expect(run.exitCode, run.stdout).toBe(0);
    const report = doc.run;
    const states = Object.fromEntries(
      report.steps.map((s: { kind: string; state: string }) => [s.kind, s.state]),
    );
    expect(states).toMatchObject({
      preflight: 'succeeded',
      deploy: 'succeeded',
      'shift-all': 'succeeded',
      verify: 'succeeded',
      smoke: 'succeeded',
    });
    expect(report.steps[0].evidence.caller.arn).toBe(
      `arn:aws:sts::${sit.account}:assumed-role/order-lambda-deploy-sit/deploy-role-e2e`,
    );
    expect(report.versions).toMatchObject({ before: '1', candidate: '2', after: '2' });
    expect(run.stdout + run.stderr).not.toMatch(DENIED);
    expect(await liveVersion()).toBe('2');
  });

  it('smoke --env sit against the API front: 11 passed (the function itself runs as its execution role)', async () => {
    // Act
    const run = await promote(
      ['smoke', '--env', 'sit', '--base-url', apiSit, '--json'],
      asRole(sitDeploy, sit, { SIT_TOKEN: await token('sit') }),
    );

    // Assess
    expect(run.exitCode, run.stdout).toBe(0);
    expect(JSON.parse(run.stdout).report).toMatchObject({ ok: true, passed: 11, failed: 0 });
  });

  it("promote checklist sit: every probe reads what it needs as the deploy role (the failures are the run's state, not access)", async () => {
    // Act
    const run = await promote(['checklist', 'sit', '--ci', '--json'], asRole(sitDeploy, sit));

    // Assess
    const [doc] = run.stdout.split(/\n(?=\{)/).map((part) => JSON.parse(part));
    const checks = (
      doc.run.items as Array<{ kind: string; status: string; detail: string }>
    ).filter((i) => i.kind === 'check');
    expect(doc.run.callerArn).toContain('assumed-role/order-lambda-deploy-sit/');
    expect(checks.filter((c) => DENIED.test(c.detail))).toEqual([]);
    expect(checks.filter((c) => c.status === 'pass').length).toBeGreaterThanOrEqual(20);
    expect(run.stdout + run.stderr).not.toMatch(DENIED);
  });

  it('rollback sit --to 1 switches the alias as the deploy role (no token: read-only smoke skipped)', async () => {
    // Act
    const run = await promote(
      ['rollback', 'sit', '--to', '1', '--reason', 'deploy role e2e', '--ci', '--json'],
      asRole(sitDeploy, sit),
    );

    // Assess
    expect(run.exitCode, run.stdout).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, version: '1', smoke: 'skipped' });
    expect(await liveVersion()).toBe('1');
  });

  it("promote prod reads SIT's Gate 4 through promote-gate-reader-sit, assumed by PROD's deploy role", async () => {
    // Prepare: SIT's sign-off of the package, as `promote signoff sit` records it.
    const at = new Date().toISOString();
    await new DynamoDBClient({
      endpoint,
      region: sit.region,
      credentials: { accessKeyId: 'sandbox-sit', secretAccessKey: 'sandbox' },
    }).send(
      new PutItemCommand({
        TableName: stateTableName('sit'),
        Item: {
          pk: { S: 'gate#sit-signoff' },
          sk: { S: at },
          json: {
            S: JSON.stringify({
              gate: 'sit-signoff',
              title: 'SIT sign-off (Gate 4)',
              env: 'sit',
              at,
              codeSha256: artifact.codeSha256,
              version: '2',
              checklistRunId: 'chk-e2e',
              approverRole: 'Tech Lead',
              actor: 'e2e',
              callerArn: `arn:aws:iam::${sit.account}:user/sandbox-sit`,
              summary: { pass: 1, confirmed: 0, open: 0, fail: 0 },
            }),
          },
        },
      }),
    );

    // Act
    const run = await promote(
      [
        'prod',
        '--yes',
        '--ci',
        '--json',
        '--artifact',
        artifact.path,
        '--skip-terraform',
        '--reason',
        'no terraform binary in the e2e',
        '--change-request',
        'CHG-E2E',
      ],
      asRole(prodDeploy, prod, { PROD_TOKEN: await token('prod') }),
    );

    // Assess: preflight stops on what this checkout lacks (a clean tree, a release tag),
    // never on access, and finds SIT's sign-off of these very bytes.
    const doc = JSON.parse(run.stdout);
    expect(run.stdout + run.stderr).not.toMatch(DENIED);
    const report = JSON.parse(await readFile(doc.error.details.reports.json, 'utf8'));
    const checks = report.steps[0].evidence.checks as Check[];
    const gate = checks.find((c) => c.name === 'SIT sign-off (Gate 4)');
    expect(gate, JSON.stringify(checks)).toMatchObject({ ok: true });
    expect(gate?.detail).toContain('Tech Lead');
    const credentials = await readFile(join(home, 'sandbox', 'credentials.json'), 'utf8');
    expect(credentials).toContain(
      `arn:aws:sts::${sit.account}:assumed-role/promote-gate-reader-sit/promote-sit-read`,
    );
  });

  it('a call the role may not make exits 13 (access denied): the gate reader cannot read the alias', async () => {
    // Prepare
    const sts = new STSClient({ endpoint, region: sit.region, credentials: prodDeploy });
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: sit.gateReaderRole, RoleSessionName: 'not-a-deployer' }),
    );
    const reader: Keys = {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };

    // Act
    const run = await promote(['status', 'sit', '--json'], asRole(reader, sit));

    // Assess
    expect(run.exitCode, run.stdout + run.stderr).toBe(13);
    expect(run.stdout + run.stderr).toMatch(/lambda:(GetAlias|GetFunction|ListVersionsByFunction)/);
  });
});
