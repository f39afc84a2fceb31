import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';
import { AWS_CLI } from '../support/sandbox-clients.js';

/**
 * PROD in both of its regions, on the sandbox: one `promote prod` leaves af-south-1 and
 * eu-west-1 serving the same package (seen with the aws CLI), `status` finds no drift until
 * someone makes some, `rollback prod --to` moves both regions by package, and the DR pair —
 * `failover` with af-south-1 down (lock and record in eu-west-1's replica of the state
 * table), `failback` once it is back — swaps the API's Route53 records.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const prod = ENVIRONMENTS.prod;
const FAILOVER = prod.failoverRegion ?? 'eu-west-1';
const OVERRIDE = ['--override-gate', 'sit-signoff', '--reason', 'e2e: two regions'];

type Json = Record<string, any>;

describe('PROD in two regions (sandbox)', () => {
  let home: string;
  let port: number;
  let endpoint: string;

  const promote = (args: string[]) =>
    execa(process.execPath, [BIN, ...args], {
      env: { PROMOTE_HOME: home, PROMOTE_SANDBOX_PORT: String(port), CI: 'true' },
      reject: false,
      timeout: 180_000,
    });
  const json = (run: { stdout: string; stderr: string }): Json => {
    try {
      return JSON.parse(run.stdout) as Json;
    } catch {
      throw new Error(`no JSON on stdout:\n${run.stdout}\n${run.stderr}`);
    }
  };
  const aws = async (region: string, args: string[]): Promise<Json> => {
    const run = await execa(
      AWS_CLI,
      [...args, '--endpoint-url', endpoint, '--region', region, '--output', 'json'],
      {
        env: {
          AWS_ACCESS_KEY_ID: 'sandbox-prod',
          AWS_SECRET_ACCESS_KEY: 'sandbox',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
      },
    );
    return JSON.parse(run.stdout) as Json;
  };
  /** Version and package behind `live` in one region, read with the aws CLI. */
  const live = async (region: string) => {
    const fn = await aws(region, [
      'lambda',
      'get-function',
      '--function-name',
      prod.functionName,
      '--qualifier',
      'live',
    ]);
    return {
      version: fn.Configuration.Version as string,
      sha: fn.Configuration.CodeSha256 as string,
    };
  };
  /** The region the API's PRIMARY record points at. */
  const primaryRegion = async () => {
    const zones = await aws('us-east-1', [
      'route53',
      'list-hosted-zones-by-name',
      '--dns-name',
      prod.hostedZone,
    ]);
    const zone = (zones.HostedZones as Json[]).find((z) => z.Name === `${prod.hostedZone}.`);
    const sets = await aws('us-east-1', [
      'route53',
      'list-resource-record-sets',
      '--hosted-zone-id',
      String(zone?.Id).replace('/hostedzone/', ''),
    ]);
    const primary = (sets.ResourceRecordSets as Json[]).find(
      (s) => s.Name === `${prod.apiDomain}.` && s.Failover === 'PRIMARY',
    );
    return /execute-api\.([a-z0-9-]+)\.amazonaws/.exec(primary?.AliasTarget?.DNSName ?? '')?.[1];
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'e2e-regions-'));
    port = await freePortBlock(5);
    const up = await promote(['sandbox', 'up', '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    endpoint = json(up).endpoint;
  }, 240_000);

  afterAll(async () => {
    await promote(['sandbox', 'down']);
  }, 60_000);

  it('ships one package to both regions and finds no drift', async () => {
    // Prepare
    const before = { primary: await live(prod.region), failover: await live(FAILOVER) };

    // Act
    const run = await promote([
      'prod',
      '--sandbox',
      '--yes',
      '--json',
      '--change-request',
      'CHG-E2E-2R',
      ...OVERRIDE,
    ]);
    const status = await promote(['status', 'prod', '--sandbox', '--json']);

    // Assess
    expect(run.exitCode, run.stderr).toBe(0);
    const journal = json(run).run;
    const primary = await live(prod.region);
    const failover = await live(FAILOVER);
    expect(primary.sha).toBe(journal.artifact.codeSha256);
    expect(failover.sha).toBe(primary.sha);
    expect(journal.failover).toMatchObject({
      region: FAILOVER,
      before: before.failover.version,
      after: failover.version,
    });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(json(status).drift).toEqual([]);
    expect(json(status).regions.map((r: Json) => r.codeSha256)).toEqual([primary.sha, primary.sha]);
  }, 180_000);

  it('reports drift, and rollback --to moves both regions to one package', async () => {
    // Prepare: the package the primary had before — published in both regions by now.
    const versions = await aws(prod.region, [
      'lambda',
      'list-versions-by-function',
      '--function-name',
      prod.functionName,
    ]);
    const current = await live(prod.region);
    const older = (versions.Versions as Json[]).find(
      (v) => v.Version !== '$LATEST' && v.CodeSha256 !== current.sha,
    );
    expect(older, 'an older package in the primary').toBeDefined();
    const olderInFailover = (
      (
        await aws(FAILOVER, [
          'lambda',
          'list-versions-by-function',
          '--function-name',
          prod.functionName,
        ])
      ).Versions as Json[]
    ).find((v) => v.CodeSha256 === older?.CodeSha256);
    await aws(FAILOVER, [
      'lambda',
      'update-alias',
      '--function-name',
      prod.functionName,
      '--name',
      'live',
      '--function-version',
      String(olderInFailover?.Version),
    ]);

    // Act
    const drifted = await promote(['status', 'prod', '--sandbox', '--json']);
    const rolled = await promote([
      'rollback',
      'prod',
      '--sandbox',
      '--to',
      String(older?.Version),
      '--reason',
      'e2e',
      '--json',
    ]);

    // Assess
    expect(drifted.exitCode).toBe(3);
    expect(drifted.stdout + drifted.stderr).toContain('REGION_DRIFT');
    expect(rolled.exitCode, rolled.stderr).toBe(0);
    expect((await live(prod.region)).sha).toBe(older?.CodeSha256);
    expect((await live(FAILOVER)).sha).toBe(older?.CodeSha256);
    expect((await promote(['status', 'prod', '--sandbox', '--json'])).exitCode).toBe(0);
  }, 120_000);

  it('fails over to eu-west-1 while af-south-1 is down, and back once it returns', async () => {
    // Prepare
    expect(await primaryRegion()).toBe(prod.region);
    const down = await promote(['sandbox', 'outage', '--region', prod.region, '--down']);
    expect(down.exitCode, down.stderr).toBe(0);

    try {
      // Act
      const over = await promote([
        'failover',
        'prod',
        '--to',
        FAILOVER,
        '--reason',
        'e2e drill',
        '--sandbox',
        '--yes',
        '--json',
      ]);
      const backTooSoon = await promote([
        'failback',
        'prod',
        '--reason',
        'e2e drill',
        '--sandbox',
        '--yes',
        '--json',
      ]);

      const status = await promote(['status', 'prod', '--sandbox', '--json']);

      // Assess
      expect(over.exitCode, over.stderr).toBe(0);
      // Status still answers with af-south-1 down: eu-west-1's view, the lock from its replica.
      expect(status.exitCode, status.stderr).toBe(0);
      expect(json(status).regions[0]).toMatchObject({
        region: prod.region,
        error: expect.any(String),
      });
      expect(json(status).regions[1]).toMatchObject({
        region: FAILOVER,
        codeSha256: expect.any(String),
      });
      expect(json(status).lock).toBeNull();
      expect(json(over)).toMatchObject({
        changed: true,
        region: FAILOVER,
        record: { status: 'succeeded' },
      });
      expect(await primaryRegion()).toBe(FAILOVER);
      // af-south-1 cannot take the traffic back while it is down: DNS stays on eu-west-1.
      expect(backTooSoon.exitCode).toBe(3);
      expect(await primaryRegion()).toBe(FAILOVER);
    } finally {
      await promote(['sandbox', 'outage', '--region', prod.region, '--up']);
    }
    const back = await promote([
      'failback',
      'prod',
      '--reason',
      'e2e drill over',
      '--sandbox',
      '--yes',
      '--json',
    ]);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await primaryRegion()).toBe(prod.region);
  }, 120_000);
});
