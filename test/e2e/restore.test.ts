import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';

/**
 * The plan's rollback Option 4 and "test restore procedure from backup", end to end through
 * the real bin on the sandbox: `promote backup prod` journals the item counts, orders written
 * afterwards, `promote restore prod --backup latest` and `--pitr` restore into side tables
 * that are CREATING then ACTIVE and validated against what the table held then; a restore
 * aimed at the live table is refused; `--cleanup` deletes the side tables.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const prod = ENVIRONMENTS.prod;
const SIDE = /^orders-prod-restored-\d{8}T\d{6}Z$/;

type Doc = Record<string, any>;

describe('promote backup / restore prod (CLI end to end on the sandbox)', () => {
  let home: string;
  let port: number;
  let endpoint: string;
  let api: string;
  let token: string;
  let ddb: DynamoDBClient;
  let backupTime: string;
  const restored: string[] = [];

  const run = (args: string[]) =>
    execa(process.execPath, [BIN, ...args], {
      env: { PROMOTE_HOME: home, PROMOTE_SANDBOX_PORT: String(port), CI: 'true' },
      reject: false,
      timeout: 120_000,
    });
  const json = (stdout: string) => JSON.parse(stdout) as Doc;

  const createOrder = async () => {
    const response = await fetch(`${api}/v1.0/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer_id: 'cust_test_001',
        items: [{ product_id: 'prod_001', quantity: 2, price: 29.99 }],
        total: 59.98,
        currency: 'USD',
      }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { order_id: string }).order_id;
  };
  const statusesOf = async (table: string) => {
    const out = await ddb.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    const counts: Record<string, number> = {};
    for (const item of out.Items ?? []) {
      const s = item.status?.S ?? '(none)';
      counts[s] = (counts[s] ?? 0) + 1;
    }
    return counts;
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'promote-restore-'));
    port = await freePortBlock(5);
    const up = await run(['sandbox', 'up', '--port', String(port), '--json']);
    expect(up.exitCode, up.stderr).toBe(0);
    const state = json(up.stdout);
    endpoint = state.endpoint;
    api = state.apiUrls.prod;
    token = (await run(['sandbox', 'token', '--env', 'prod'])).stdout.trim();
    ddb = new DynamoDBClient({
      endpoint,
      region: prod.region,
      credentials: { accessKeyId: 'sandbox-prod', secretAccessKey: 'sandbox' },
    });
  }, 120_000);

  afterAll(async () => {
    await run(['sandbox', 'down']);
  });

  it('promote backup prod takes a backup and journals the item counts per status', async () => {
    // Prepare: two orders before the backup
    await createOrder();
    await createOrder();

    // Act
    const backup = await run(['backup', 'prod', '--sandbox', '--json']);
    backupTime = new Date().toISOString();

    // Assess
    expect(backup.exitCode, backup.stdout + backup.stderr).toBe(0);
    const doc = json(backup.stdout);
    expect(doc.backup).toMatchObject({
      name: expect.stringMatching(/^orders-prod-on-demand-\d{8}-\d{6}$/),
      status: 'AVAILABLE',
      counts: { byStatus: { pending: 2 }, total: 2 },
    });
    expect(doc.run.command).toBe('backup');
    expect(existsSync(join(home, 'runs', 'prod', doc.run.runId, 'summary.md'))).toBe(true);
  });

  it('restore --backup latest: a side table CREATING then ACTIVE, with the counts of backup time, not of now', async () => {
    // Prepare: live moves on after the backup (three more orders, one cancelled)
    const later = [await createOrder(), await createOrder(), await createOrder()];
    const cancel = await fetch(`${api}/v1.0/orders/${later[0]}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'restore e2e' }),
    });
    expect(cancel.status).toBe(200);

    // Act
    const restore = await run(['restore', 'prod', '--sandbox', '--backup', 'latest', '--json']);

    // Assess
    expect(restore.exitCode, restore.stdout + restore.stderr).toBe(0);
    const doc = json(restore.stdout);
    restored.push(doc.table);
    expect(doc.table).toMatch(SIDE);
    expect(doc.verdict).toBe('validated');
    expect(doc.expected).toMatchObject({ source: 'journal', byStatus: { pending: 2 } });
    expect(doc.counts).toEqual({ byStatus: { pending: 2 }, total: 2 });
    expect(doc.checks.map((c: Doc) => [c.name, c.ok])).toEqual([
      ['item count per status', true],
      ['global secondary indexes', true],
      ['sampled orders read back', true],
      ['no order newer than the restore point', true],
    ]);
    const side = await ddb.send(new DescribeTableCommand({ TableName: doc.table }));
    expect(side.Table?.TableStatus).toBe('ACTIVE');
    expect(side.Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName).sort()).toEqual(
      [...prod.gsis].sort(),
    );
    expect(await statusesOf(prod.tableName)).toEqual({ pending: 4, cancelled: 1 });
    const journal = json(readFileSync(join(home, 'runs', 'prod', `${doc.run}.json`), 'utf8'));
    expect(journal).toMatchObject({
      command: 'restore',
      status: 'succeeded',
      restore: { table: doc.table, verdict: 'validated', source: { kind: 'backup' } },
    });
    expect(readFileSync(doc.reports.markdown, 'utf8')).toContain('## restore prod — validated');
    expect(json(readFileSync(doc.reports.json, 'utf8')).restore.verdict).toBe('validated');
  });

  it('restore --pitr <time between> restores the table as it was then', async () => {
    // Act
    const restore = await run(['restore', 'prod', '--sandbox', '--pitr', backupTime, '--json']);

    // Assess
    expect(restore.exitCode, restore.stdout + restore.stderr).toBe(0);
    const doc = json(restore.stdout);
    restored.push(doc.table);
    expect(doc.source).toEqual({ kind: 'pitr', table: prod.tableName, at: backupTime });
    expect(doc.counts).toEqual({ byStatus: { pending: 2 }, total: 2 });
    expect(doc.verdict).toBe('validated');
    expect(await statusesOf(doc.table)).toEqual({ pending: 2 });
  });

  it('refuses a restore into the live table, and a cleanup of it, changing nothing', async () => {
    // Act
    const into = await run([
      'restore',
      'prod',
      '--sandbox',
      '--backup',
      'latest',
      '--target',
      prod.tableName,
      '--json',
    ]);
    const cleanup = await run([
      'restore',
      'prod',
      '--sandbox',
      '--cleanup',
      prod.tableName,
      '--json',
    ]);

    // Assess
    expect(into.exitCode).toBe(2);
    expect(json(into.stdout).error.code).toBe('RESTORE_TARGET_IS_LIVE');
    expect(cleanup.exitCode).toBe(2);
    expect(json(cleanup.stdout).error.code).toBe('RESTORE_CLEANUP_REFUSED');
    expect(await statusesOf(prod.tableName)).toEqual({ pending: 4, cancelled: 1 });
  });

  it('--cleanup <table> deletes one side table; --cleanup --yes lists and deletes the rest', async () => {
    // Prepare
    const [first, second] = restored as [string, string];

    // Act
    const one = await run(['restore', 'prod', '--sandbox', '--cleanup', first, '--json']);
    const unconfirmed = await run(['restore', 'prod', '--sandbox', '--cleanup', '--json']);
    const rest = await run(['restore', 'prod', '--sandbox', '--cleanup', '--yes', '--json']);

    // Assess
    expect(one.exitCode, one.stdout).toBe(0);
    expect(json(one.stdout).deleted).toEqual([first]);
    expect(unconfirmed.exitCode).toBe(4);
    expect(rest.exitCode, rest.stdout).toBe(0);
    expect(json(rest.stdout).deleted).toEqual([second]);
    for (const table of [first, second]) {
      const gone = await ddb
        .send(new DescribeTableCommand({ TableName: table }))
        .catch((e: Error) => e);
      expect((gone as Error).name).toBe('ResourceNotFoundException');
    }
    expect(await statusesOf(prod.tableName)).toEqual({ pending: 4, cancelled: 1 });
  });
});
