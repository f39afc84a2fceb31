import { mkdir, mkdtemp, readFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';

/**
 * `promote sandbox …` as a user runs it: the real bin, a detached daemon, its state file,
 * the control API, and exit codes — in CI mode (no TTY, CI=true).
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');

describe('promote sandbox (CLI, detached daemon)', () => {
  let home: string;
  let port: number;

  const promote = (args: string[], env: Record<string, string> = {}) =>
    execa(process.execPath, [BIN, ...args], {
      env: { PROMOTE_HOME: home, CI: 'true', ...env },
      reject: false,
      timeout: 180_000,
    });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'sandbox-cli-'));
    port = await freePortBlock(5);
  });

  afterAll(async () => {
    await promote(['sandbox', 'down']);
  });

  it('up starts the daemon, provisions, and prints how to use it; a second up finds it', async () => {
    // Act
    const first = await promote(['sandbox', 'up', '--port', String(port), '--json']);
    const second = await promote(['sandbox', 'up', '--port', String(port)]);

    // Assess
    expect(first.exitCode, first.stderr).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(doc.apiUrls.sit).toBe(`http://127.0.0.1:${port + 2}`);
    expect(doc.already_running).toBe(false);
    const state = JSON.parse(await readFile(join(home, 'sandbox', 'state.json'), 'utf8'));
    expect(state.pid).toBe(doc.pid);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('already running');
    expect(second.stdout).toContain('export AWS_ENDPOINT_URL=');
  });

  it('status shows each environment with alias live on version 1', async () => {
    // Act
    const status = await promote(['sandbox', 'status', '--json']);

    // Assess
    expect(status.exitCode).toBe(0);
    const doc = JSON.parse(status.stdout);
    expect(doc.running).toBe(true);
    for (const env of ['dev', 'sit', 'prod']) {
      expect(doc.envs[env].alias.version).toBe('1');
      expect(doc.envs[env].alarmsInAlarm).toEqual([]);
    }
  });

  it('token mints a JWT the sit API accepts and the prod API refuses', async () => {
    // Prepare
    const token = (await promote(['sandbox', 'token', '--env', 'sit'])).stdout.trim();

    // Act
    const sit = await fetch(`http://127.0.0.1:${port + 2}/v1.0/orders?customer_id=cust_test_001`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const prod = await fetch(`http://127.0.0.1:${port + 3}/v1.0/orders?customer_id=cust_test_001`, {
      headers: { authorization: `Bearer ${token}` },
    });

    // Assess
    expect(token.split('.')).toHaveLength(3);
    expect(sit.status).toBe(200);
    expect(prod.status).toBe(401);
  });

  it('fault sets and clears a fault on one version; bad input is a usage error', async () => {
    // Act
    const set = await promote([
      'sandbox',
      'fault',
      '--env',
      'prod',
      '--version',
      '1',
      '--error-rate',
      '0.2',
      '--json',
    ]);
    const cleared = await promote([
      'sandbox',
      'fault',
      '--env',
      'prod',
      '--version',
      '1',
      '--clear',
    ]);
    const empty = await promote(['sandbox', 'fault', '--env', 'prod', '--version', '1']);
    const badRate = await promote([
      'sandbox',
      'fault',
      '--env',
      'prod',
      '--version',
      '1',
      '--error-rate',
      '2',
    ]);

    // Assess
    expect(set.exitCode).toBe(0);
    expect(JSON.parse(set.stdout).fault.errorRate).toBe(0.2);
    expect(cleared.exitCode).toBe(0);
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toContain('--error-rate');
    expect(badRate.exitCode).toBe(2);
  });

  it('traffic runs synthetic customers for the given duration and stops by itself', async () => {
    // Act
    const run = await promote([
      'sandbox',
      'traffic',
      '--env',
      'sit',
      '--rate',
      '20',
      '--duration',
      '2s',
      '--json',
    ]);

    // Assess
    expect(run.exitCode).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.sent).toBeGreaterThanOrEqual(30);
    expect(doc.errors).toBe(0);
  });

  it('logs --env shows the function log of that environment', async () => {
    // Act
    const logs = await promote(['sandbox', 'logs', '--env', 'sit']);
    const unknown = await promote(['sandbox', 'logs', '--env', 'staging']);

    // Assess
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toContain('REPORT RequestId');
    expect(logs.stdout).toContain('order-service');
    expect(logs.stdout).not.toMatch(/Bearer\s+ey/);
    expect(unknown.exitCode).toBe(2);
  });

  it('down stops it; status then says it is not running', async () => {
    // Act
    const down = await promote(['sandbox', 'down']);
    const status = await promote(['sandbox', 'status', '--json']);

    // Assess
    expect(down.exitCode).toBe(0);
    expect(JSON.parse(status.stdout).running).toBe(false);
  });

  it('without Java, up fails with what to install and the sandbox exit code, no stack trace', async () => {
    // Prepare: a PATH holding node and nothing else (no java, no python3)
    const otherHome = await mkdtemp(join(tmpdir(), 'sandbox-nojava-'));
    const bin = join(otherHome, 'bin');
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));

    // Act
    const run = await execa(
      process.execPath,
      [BIN, 'sandbox', 'up', '--port', String(await freePortBlock(5))],
      {
        env: { PROMOTE_HOME: otherHome, CI: 'true', PATH: bin },
        extendEnv: false,
        reject: false,
        timeout: 60_000,
      },
    );

    // Assess
    expect(run.exitCode).toBe(8);
    expect(run.stderr).toContain('cannot start the sandbox');
    expect(run.stderr).toContain('Java 17+ is needed');
    expect(run.stderr).toContain("pip install 'moto[server]'");
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
