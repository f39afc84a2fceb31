import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';
import { buildArtifact } from '../../scripts/build.js';
import { liveVersion as liveOf } from '../support/sandbox-clients.js';

/**
 * The path our users run in AWS — the CLI without `--sandbox`, credentials from the standard
 * chain (here the environment's keys), the endpoint from `AWS_ENDPOINT_URL` as SDK v3 reads
 * it — driven against one sandbox: preflight passes every check (the DLQ included: its queue
 * URL must lead back through the gateway), `promote sit` deploys and its smoke passes, the
 * SIT checklist runs, and `rollback sit` switches back.
 *
 * On that path the API is `https://api.<env>.kimmyai.io` unless `PROMOTE_API_URL_<ENV>` says
 * otherwise (cli/aws/target.ts); here it names the sandbox's API fronts, as a private endpoint
 * or a staging domain would in AWS.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const sit = ENVIRONMENTS.sit;

type Json = Record<string, any>;

describe('the real-AWS path (no --sandbox, standard credentials, AWS_ENDPOINT_URL) against a sandbox', () => {
  let home: string;
  let release: string;
  let endpoint: string;
  let apiUrls: Record<string, string>;
  let artifact: string;
  const tokens: Record<string, string> = {};

  /** The bin as in the sandbox e2e tests: the sandbox's own commands. */
  const sandboxCli = (args: string[]) =>
    execa(process.execPath, [BIN, 'sandbox', ...args], {
      env: { PROMOTE_HOME: home, CI: 'true' },
      reject: false,
      timeout: 180_000,
    });

  /**
   * The bin as a user in AWS runs it: nothing of this process's environment (vitest sets AWS
   * keys of its own), keys and region in the environment, the endpoint in AWS_ENDPOINT_URL,
   * run from the release checkout.
   */
  const realPath = (args: string[], key: string) =>
    execa(process.execPath, [BIN, ...args, '--ci', '--json'], {
      cwd: release,
      extendEnv: false,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        PROMOTE_HOME: home,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: key,
        AWS_SECRET_ACCESS_KEY: 'sandbox',
        AWS_REGION: 'eu-west-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        DEV_TOKEN: tokens.dev ?? '',
        SIT_TOKEN: tokens.sit ?? '',
        PROMOTE_API_URL_DEV: apiUrls.dev ?? '',
        PROMOTE_API_URL_SIT: apiUrls.sit ?? '',
      },
      reject: false,
      timeout: 180_000,
    });
  const documentOf = (run: { stdout: string; stderr: string }): Json => {
    try {
      return JSON.parse(run.stdout) as Json;
    } catch {
      throw new Error(`no JSON document on stdout:\n${run.stdout}\n${run.stderr}`);
    }
  };
  const liveVersion = () => liveOf(endpoint, 'sit');

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'real-aws-path-'));
    const port = await freePortBlock(5);
    const up = await sandboxCli(['up', '--port', String(port), '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    ({ endpoint, apiUrls } = JSON.parse(up.stdout) as {
      endpoint: string;
      apiUrls: Record<string, string>;
    });
    // The smoke suite changes order status (test 5), which takes an admin: the token a real
    // run gets from Cognito for a test admin.
    for (const env of ['dev', 'sit']) {
      const minted = await sandboxCli(['token', '--env', env, '--admin']);
      expect(minted.exitCode, minted.stderr).toBe(0);
      tokens[env] = minted.stdout.trim();
    }
    // A release checkout: clean, HEAD on main, tagged for SIT (the plan's release tag).
    release = await mkdtemp(join(tmpdir(), 'real-aws-path-release-'));
    const git = (...args: string[]) =>
      execa('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@example.com', ...args], {
        cwd: release,
      });
    await git('init', '-q', '-b', 'main');
    await git('config', 'user.name', 'e2e');
    await git('commit', '-q', '--allow-empty', '-m', 'release 1.0.0');
    await git('tag', 'v1.0.0-sit');
    artifact = (await buildArtifact({ release: 'e2e-real-path', outDir: join(home, 'build') }))
      .path;
  });

  afterAll(async () => {
    await sandboxCli(['down']);
  });

  it('promote preflight --env sit passes every check, the DLQ included', async () => {
    // Act
    const run = await realPath(['preflight', '--env', 'sit'], 'sandbox-sit');

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    const checks = documentOf(run).checks as Array<{ name: string; ok: boolean; detail: string }>;
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.find((c) => c.name === `DLQ ${sit.dlq} empty`)?.detail).toBe(
      '0 visible, 0 in flight',
    );
    expect(checks.find((c) => c.name === 'account')?.detail).toContain(sit.account);
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['working tree', 'release tag']),
    );
  });

  it('promote dev deploys with DEV’s own key (the SIT checklist reads its last run)', async () => {
    // Act
    const run = await realPath(['dev', '--yes', '--artifact', artifact], 'sandbox-dev');

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    expect(documentOf(run).ok).toBe(true);
  });

  it('promote sit --skip-terraform deploys, shifts live and passes the smoke at the env’s API', async () => {
    // Act
    const run = await realPath(
      [
        'sit',
        '--yes',
        '--skip-terraform',
        '--reason',
        'no terraform binary here',
        '--artifact',
        artifact,
      ],
      'sandbox-sit',
    );

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = documentOf(run);
    expect(doc.ok).toBe(true);
    expect(doc.version).toBe('2');
    expect(doc.run.versions).toMatchObject({ before: '1', candidate: '2', after: '2' });
    const smoke = doc.run.steps.find((s: { kind: string }) => s.kind === 'smoke').evidence.smoke;
    expect(smoke).toMatchObject({ passed: 11, failed: 0, baseUrl: apiUrls.sit });
    expect(await liveVersion()).toBe('2');
  });

  it('promote checklist sit runs: every probe passes, manual items stay open', async () => {
    // Act
    const run = await realPath(['checklist', 'sit'], 'sandbox-sit');

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    const items = documentOf(run).run.items as Array<{
      id: string;
      kind: string;
      status: string;
      detail: string;
    }>;
    expect(items.filter((i) => i.status === 'fail')).toEqual([]);
    const byId = new Map(items.map((i) => [i.id, i]));
    expect(byId.get('sit-infra-dlq')?.status).toBe('pass');
    expect(byId.get('sit-mon-dlq-empty')?.status).toBe('pass');
    expect(byId.get('sit-code-dev-green')?.status).toBe('pass');
    expect(byId.get('sit-success-smoke')?.status).toBe('pass');
    expect(items.some((i) => i.kind === 'manual' && i.status === 'open')).toBe(true);
  });

  it('rollback sit --yes switches live back and passes the read-only smoke', async () => {
    // Act
    const run = await realPath(['rollback', 'sit', '--yes'], 'sandbox-sit');

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    const doc = documentOf(run);
    expect(doc).toMatchObject({ ok: true, version: '1' });
    expect(doc.smoke).toBeUndefined(); // not 'skipped': the token was there, the smoke ran
    const smoke = doc.run.steps.find((s: { kind: string }) => s.kind === 'smoke')?.evidence?.smoke;
    expect(smoke).toMatchObject({ failed: 0, baseUrl: apiUrls.sit });
    expect(await liveVersion()).toBe('1');
  });
});
