import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';
import { AWS_CLI } from '../support/sandbox-clients.js';

/**
 * PROD in both of its regions after `promote sandbox up`, as a user sees it: the failover
 * region's function runs the same code as the primary's (CodeSha256 through the aws CLI),
 * its own API front answers on port+4 (state.json's `failoverApiUrls.prod`), and
 * `promote sandbox outage` takes a region down and up again, shown by `sandbox status`.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const prod = ENVIRONMENTS.prod;
const FAILOVER = prod.failoverRegion as string;

describe('promote sandbox: PROD in af-south-1 and eu-west-1', () => {
  let home: string;
  let port: number;
  let endpoint: string;

  const promote = (args: string[]) =>
    execa(process.execPath, [BIN, ...args], {
      env: { PROMOTE_HOME: home, CI: 'true' },
      reject: false,
      timeout: 180_000,
    });
  const aws = (region: string, args: string[]) =>
    execa(AWS_CLI, ['--endpoint-url', endpoint, '--output', 'json', ...args], {
      env: {
        AWS_ACCESS_KEY_ID: 'sandbox-prod',
        AWS_SECRET_ACCESS_KEY: 'sandbox',
        AWS_DEFAULT_REGION: region,
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      reject: false,
    });
  const health = (base: string) => fetch(`${base}/v1.0/orders/health`);

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'sandbox-regions-'));
    // A sandbox takes five consecutive ports: the gateway and four API fronts.
    port = await freePortBlock(5);
    const up = await promote(['sandbox', 'up', '--port', String(port), '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    endpoint = JSON.parse(up.stdout).endpoint;
  });

  afterAll(async () => {
    await promote(['sandbox', 'down']);
  });

  it("runs prod's primary live code in eu-west-1 too, behind a front on port+4", async () => {
    // Act
    const state = JSON.parse(await readFile(join(home, 'sandbox', 'state.json'), 'utf8'));
    const codeOf = async (region: string) => {
      const alias = await aws(region, [
        'lambda',
        'get-alias',
        '--function-name',
        prod.functionName,
        '--name',
        'live',
      ]);
      const version = JSON.parse(alias.stdout).FunctionVersion;
      const fn = await aws(region, [
        'lambda',
        'get-function',
        '--function-name',
        prod.functionName,
        '--qualifier',
        version,
      ]);
      return JSON.parse(fn.stdout).Configuration;
    };
    const [primary, failover] = await Promise.all([codeOf(prod.region), codeOf(FAILOVER)]);
    const answer = await health(state.failoverApiUrls.prod);

    // Assess
    expect(state.failoverApiUrls).toEqual({ prod: `http://127.0.0.1:${port + 4}` });
    expect(failover.CodeSha256).toBe(primary.CodeSha256);
    expect(failover.FunctionArn).toContain(`:${FAILOVER}:`);
    expect(failover.Role).toBe(`${prod.executionRole}-${FAILOVER}`);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ status: 'healthy' });
  });

  it('sandbox outage takes af-south-1 down and up; status shows it; eu-west-1 keeps serving', async () => {
    // Prepare
    const state = JSON.parse(await readFile(join(home, 'sandbox', 'state.json'), 'utf8'));

    // Act
    const down = await promote(['sandbox', 'outage', '--region', prod.region, '--down', '--json']);
    const primaryDown = await health(state.apiUrls.prod);
    const failoverUp = await health(state.failoverApiUrls.prod);
    const status = await promote(['sandbox', 'status', '--json']);
    const up = await promote(['sandbox', 'outage', '--region', prod.region, '--up']);
    const primaryBack = await health(state.apiUrls.prod);
    const both = await promote(['sandbox', 'outage', '--region', prod.region, '--down', '--up']);
    const unknown = await promote(['sandbox', 'outage', '--region', 'mars-north-1', '--down']);

    // Assess
    expect(down.exitCode, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ ok: true, region: prod.region, down: true });
    expect(primaryDown.status).toBe(503);
    expect(failoverUp.status).toBe(200);
    const doc = JSON.parse(status.stdout);
    expect(doc.outages.map((o: { region: string }) => o.region)).toEqual([prod.region]);
    expect(doc.failoverApiUrls.prod).toBe(state.failoverApiUrls.prod);
    expect(doc.failover.prod.region).toBe(FAILOVER);
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stdout).toContain('no region is down');
    expect(primaryBack.status).toBe(200);
    expect(both.exitCode).toBe(2);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('unknown region mars-north-1');
  });
});
