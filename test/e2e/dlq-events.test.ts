import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { loadSandboxKeys } from '../../sandbox/api/jwt.js';
import { freePortBlock } from '../../sandbox/engines/local-engines.js';
import { liveVersion } from '../support/sandbox-clients.js';

/**
 * The plan's "DLQ handling procedures" and "event replay procedure" as commands, end to end
 * on one sandbox through the real bin: deliveries that fail land in SIT's DLQ as EventBridge
 * parks them, survive a sandbox restart, are redriven twice and change the order once; an
 * archived window is replayed, and only its events come back, marked as a replay.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'promote.mjs');
const sit = ENVIRONMENTS.sit;
const PROBE = 'e2e-replay-probe';
const EVENT_ID = 'evt_e2e_pay_1';

type Doc = Record<string, any>;

describe('promote dlq and promote events replay (CLI end to end)', () => {
  let home: string;
  let port: number;
  let endpoint = '';
  let apiSit = '';
  let orderId = '';
  let token = '';
  const config = () => ({
    endpoint,
    region: sit.region,
    credentials: { accessKeyId: 'sandbox-sit', secretAccessKey: 'sandbox' },
  });

  const run = (args: string[]) =>
    execa(process.execPath, [BIN, ...args], {
      env: { PROMOTE_HOME: home, PROMOTE_SANDBOX_PORT: String(port), CI: 'true' },
      reject: false,
      timeout: 180_000,
    });
  /** A `--json` run: its one document (stdout), whatever the exit code. */
  const json = async (args: string[]) => {
    const result = await run([...args, '--sandbox', '--json']);
    return {
      exitCode: result.exitCode,
      doc: JSON.parse(result.stdout) as Doc,
      stdout: result.stdout,
    };
  };
  const up = async () => {
    const started = await run(['sandbox', 'up', '--port', String(port), '--json']);
    expect(started.exitCode).toBe(0);
    const state = JSON.parse(started.stdout) as Doc;
    endpoint = state.endpoint;
    apiSit = state.apiUrls.sit;
  };
  const dlqDepth = async () => {
    const sqs = new SQSClient(config());
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: sit.dlq }));
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return Number(out.Attributes?.ApproximateNumberOfMessages);
  };
  const order = async () => {
    const res = await fetch(`${apiSit}/v1.0/orders/${orderId}/history`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await res.json()) as { status: string; status_history: Array<{ to: string }> };
  };
  /** The function's log lines (the sandbox writes each invocation's START … END). */
  const functionLog = async () => {
    const file = join(home, 'sandbox', 'logs', sit.account, sit.region, `${sit.functionName}.log`);
    return existsSync(file) ? readFile(file, 'utf8') : '';
  };
  const finished = async (requestId: string) =>
    (await functionLog()).includes(`END RequestId: ${requestId}`);
  /** Polls `check` (an assertion) until it holds: the sandbox delivers asynchronously. */
  const until = (check: () => Promise<void>) =>
    vi.waitFor(check, { timeout: 30_000, interval: 250 });
  /** `promote sandbox fault` on SIT's live version. */
  const fault = async (...args: string[]) => {
    const version = String(await liveVersion(endpoint, 'sit'));
    expect(
      (await run(['sandbox', 'fault', '--env', 'sit', '--version', version, ...args])).exitCode,
    ).toBe(0);
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'promote-dlq-'));
    port = await freePortBlock(5);
    await up();
    const keys = await loadSandboxKeys(join(home, 'sandbox', 'keys'));
    token = await keys.mintToken({ env: 'sit', customerId: 'cust_dlq_001' });
    const created = await fetch(`${apiSit}/v1.0/orders`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer_id: 'cust_dlq_001',
        items: [{ product_id: 'prod_001', quantity: 1, price: 10 }],
        total: 10,
        currency: 'EUR',
      }),
    });
    expect(created.status).toBe(201);
    orderId = ((await created.json()) as { order_id: string }).order_id;
    // A probe rule with a queue target on the archived (default) bus: what a replay sends
    // it can be read back exactly.
    const sqs = new SQSClient(config());
    await sqs.send(new CreateQueueCommand({ QueueName: PROBE }));
    const events = new EventBridgeClient(config());
    await events.send(
      new PutRuleCommand({ Name: PROBE, EventPattern: JSON.stringify({ source: ['e2e.replay'] }) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: PROBE,
        Targets: [{ Id: 'probe', Arn: `arn:aws:sqs:${sit.region}:${sit.account}:${PROBE}` }],
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await run(['sandbox', 'down']);
  });

  it('parks failed deliveries as EventBridge does, masked when shown, kept across a restart', async () => {
    // Prepare: every invocation of the live version fails
    await fault('--error-rate', '1');
    const now = Date.now();
    const payment = {
      Source: 'payments',
      DetailType: 'payment.succeeded',
      Detail: JSON.stringify({
        order_id: orderId,
        metadata: { event_id: EVENT_ID },
        email: 'jane@example.com',
      }),
    };
    const probe = (label: string, ageMs: number) => ({
      Source: 'e2e.replay',
      DetailType: 'probe',
      Detail: JSON.stringify({ label }),
      Time: new Date(now - ageMs),
    });

    // Act: the same upstream event twice (a producer retry), plus three probes for the replay
    const events = new EventBridgeClient(config());
    await events.send(new PutEventsCommand({ Entries: [payment] }));
    await events.send(new PutEventsCommand({ Entries: [payment] }));
    await events.send(
      new PutEventsCommand({
        Entries: [probe('old', 3 * 3_600_000), probe('b', 20 * 60_000), probe('c', 10 * 60_000)],
      }),
    );
    await until(async () => expect(await dlqDepth()).toBe(2));
    const before = await json(['dlq', 'sit', '--show', '5']);
    await run(['sandbox', 'down']);
    await up();
    const after = await json(['dlq', 'sit']);

    // Assess
    expect(before.exitCode).toBe(0);
    expect(before.doc.queue.depth.visible).toBe(2);
    expect(before.doc.messages).toHaveLength(2);
    for (const m of before.doc.messages) {
      expect(m).toMatchObject({
        kind: 'target-failure',
        rule_arn: `arn:aws:events:${sit.region}:${sit.account}:rule/${sit.eventRule}`,
        target_arn: `arn:aws:lambda:${sit.region}:${sit.account}:function:${sit.functionName}:live`,
        error_code: 'FUNCTION_ERROR',
        exhausted_retry_condition: 'MaximumRetryAttempts',
        retry_attempts: 2,
        event_id: EVENT_ID,
        event: { detail: { order_id: orderId, email: '***' } },
      });
    }
    expect(before.stdout).not.toContain('jane@example.com');
    expect(after.doc.queue.depth.visible).toBe(2);
    expect(after.doc.messages.map((m: Doc) => m.event_id)).toEqual([EVENT_ID, EVENT_ID]);
  }, 240_000);

  it('redrives each message to the function that failed it; twice the same event changes the order once', async () => {
    // Prepare
    await fault('--clear');

    // Act
    const dryRun = await json(['dlq', 'sit', '--redrive', '--dry-run']);
    const afterDryRun = { depth: await dlqDepth(), status: (await order()).status };
    const first = await json(['dlq', 'sit', '--redrive', '--max', '1', '--yes']);
    const firstRequest = first.doc.outcomes[0].receipt as string;
    await until(async () => expect(await finished(firstRequest)).toBe(true));
    const afterFirst = await order();
    const second = await json(['dlq', 'sit', '--redrive', '--yes']);
    const secondRequest = second.doc.outcomes[0].receipt as string;
    await until(async () => expect(await finished(secondRequest)).toBe(true));
    const afterSecond = await order();
    const record = await readFile(second.doc.record.path, 'utf8');

    // Assess
    expect(dryRun.doc.counts).toMatchObject({ 'would-send': 2, sent: 0, deleted: 0 });
    expect(dryRun.doc.outcomes[0].destination).toBe(`lambda ${sit.functionName}:live`);
    expect(afterDryRun).toEqual({ depth: 2, status: 'pending' });
    expect(first.doc).toMatchObject({ ok: true, counts: { sent: 1, deleted: 1 }, left: 1 });
    expect(afterFirst.status).toBe('confirmed');
    expect(second.doc).toMatchObject({ ok: true, counts: { sent: 1, deleted: 1 }, left: 0 });
    expect(second.doc.outcomes[0].eventId).toBe(EVENT_ID);
    expect(afterSecond.status_history.filter((h) => h.to === 'confirmed')).toHaveLength(1);
    expect(await dlqDepth()).toBe(0);
    expect(JSON.parse(record)).toMatchObject({
      kind: 'dlq-redrive',
      env: 'sit',
      status: 'succeeded',
      callerArn: expect.stringContaining(sit.account),
      details: { counts: { sent: 1 }, messages: [{ eventId: EVENT_ID, status: 'sent' }] },
    });
    expect(record).not.toContain('jane@example.com');
  }, 120_000);

  it('replays an archived window: only its events, each marked with the replay, to every rule', async () => {
    // Prepare
    const sqs = new SQSClient(config());
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: PROBE }));
    const paymentsBefore = (await functionLog()).split('"type\\":\\"payment.succeeded\\"').length;

    // Act
    const dryRun = await json(['events', 'replay', 'sit', '--from', '1h', '--dry-run']);
    const replay = await json(['events', 'replay', 'sit', '--from', '1h', '--yes']);
    const received: Doc[] = [];
    await until(async () => {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      received.push(...(out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as Doc));
      expect(received.length).toBeGreaterThanOrEqual(2);
    });
    // The replayed payment events reach the function too (the order rule): both handled.
    await until(async () =>
      expect((await functionLog()).split('"type\\":\\"payment.succeeded\\"').length).toBe(
        paymentsBefore + 2,
      ),
    );
    const late = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));

    // Assess
    expect(dryRun.doc).toMatchObject({
      ok: true,
      dry_run: true,
      archive: { name: `${sit.eventBus}-archive`, event_count: 5, retention_days: 30 },
      events_in_window: null,
    });
    expect(replay.exitCode).toBe(0);
    expect(replay.doc.replay).toMatchObject({ state: 'COMPLETED', timedOut: false });
    expect(received.map((e) => e.detail.label).sort()).toEqual(['b', 'c']);
    expect(received.every((e) => e['replay-name'] === replay.doc.replay.name)).toBe(true);
    expect(late.Messages ?? []).toHaveLength(0);
    expect((await order()).status_history.filter((h) => h.to === 'confirmed')).toHaveLength(1);
  }, 120_000);

  it('refuses a bad window and flags that need --redrive, with their codes, before touching AWS', async () => {
    // Act
    const window = await json(['events', 'replay', 'sit', '--from', '1h', '--to', '2h']);
    const flags = await json(['dlq', 'sit', '--max', '3']);

    // Assess
    expect(window.exitCode).toBe(2);
    expect(window.doc.error.code).toBe('EVENTS_BAD_WINDOW');
    expect(flags.exitCode).toBe(2);
    expect(flags.doc.error.code).toBe('DLQ_NEEDS_REDRIVE');
  });
});
