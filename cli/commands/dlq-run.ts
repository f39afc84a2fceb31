import type { Command } from 'commander';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import type { GlobalFlags } from '../global-flags.js';
import type { IoHost } from '../io/io-host.js';
import { formatDlqMessage, maskedView } from '../ops/dlq-messages.js';
import { type DlqQueue, describeDlq, peekDlq } from '../ops/dlq-queue.js';
import { type RedriveOutcome, type RedriveReport, redriveDlq } from '../ops/dlq-redrive.js';
import { opsClients } from '../ops/ops-clients.js';
import { newOpsId, OpsJournal, type OpsRecord } from '../ops/ops-journal.js';
import { formatAge } from '../ops/time-window.js';
import { envArg } from './arg-parsers.js';
import { actor, type Connection, connect } from './connect.js';
import { DEFAULT_REDRIVE_MAX, type DlqFlags } from './dlq.js';
import { ioOf } from './io-of.js';

/** Messages looked at to find the oldest (a look holds them for a moment, so not thousands). */
const SCAN = 50;

const queueDoc = (q: DlqQueue) => ({
  name: q.name,
  url: q.url,
  arn: q.arn,
  retention_seconds: q.retentionSeconds,
  depth: { visible: q.visible, in_flight: q.inFlight, delayed: q.delayed },
});

/** `promote dlq <env>`: depth, oldest age and the oldest few messages, masked. */
const view = async (
  io: IoHost,
  env: string,
  queue: DlqQueue,
  show: number,
  sqs: Parameters<typeof peekDlq>[0],
) => {
  const { messages, complete } = await peekDlq(sqs, queue, Math.max(SCAN, show));
  const now = Date.now();
  const oldest = messages[0]?.sentAt;
  const ageSeconds = oldest ? Math.round((now - oldest) / 1000) : undefined;
  const shown = messages.slice(0, show).map((m) => maskedView(m, now));
  io.info(
    'DLQ_DEPTH',
    `${queue.name}: ${queue.visible} message${queue.visible === 1 ? '' : 's'}${queue.inFlight ? ` (+${queue.inFlight} being received)` : ''}${ageSeconds !== undefined ? `, oldest ${complete ? '' : '≥ '}${formatAge(ageSeconds)}` : ''}`,
  );
  for (const m of shown) io.info('DLQ_MESSAGE', `  ${formatDlqMessage(m)}`);
  if (queue.visible > shown.length && shown.length > 0) {
    io.info('DLQ_MESSAGE', `  … ${queue.visible - shown.length} more (--show <n>, --json)`);
  }
  io.document({
    ok: true,
    env,
    queue: queueDoc(queue),
    oldest:
      oldest !== undefined
        ? { sent_at: new Date(oldest).toISOString(), age_seconds: ageSeconds, exact: complete }
        : null,
    scanned: messages.length,
    messages: shown,
  });
};

const outcomeLine = (o: RedriveOutcome): string =>
  `  ${o.status.padEnd(10)} ${o.messageId}${o.eventId ? `  event ${o.eventId}` : ''}  → ${o.destination}${o.receipt ? `  (${o.receipt})` : ''}${o.error ? `  ${o.error}` : ''}`;

/** `promote dlq <env> --redrive [--dry-run] [--max N]`, journaled. */
const redrive = async (
  io: IoHost,
  conn: Connection,
  clients: ReturnType<typeof opsClients>,
  queue: DlqQueue,
  flags: DlqFlags,
) => {
  const env = conn.target.env;
  const max = flags.max ?? DEFAULT_REDRIVE_MAX;
  const dryRun = flags.dryRun === true;
  if (!dryRun) {
    const go = await io.confirm(
      'APPROVAL',
      `Redrive up to ${max} message(s) of ${queue.name} (${queue.visible} there) to the targets that failed them?`,
    );
    if (!go) {
      throw new PromoteError('approval_declined', 'APPROVAL_DECLINED', 'redrive declined');
    }
  }
  const caller = await conn.apis.sts.whoAmI().catch(() => undefined);
  const journal = new OpsJournal(conn.home, conn.state, (error) =>
    io.warn('OPS_JOURNAL_REMOTE', `the state table did not take the record: ${error.message}`),
  );
  const record: OpsRecord = {
    schema: 1,
    id: newOpsId(),
    kind: 'dlq-redrive',
    env: env.name,
    actor: actor(),
    ...(caller ? { callerArn: caller.arn } : {}),
    sandbox: conn.target.sandbox,
    dryRun,
    startedAt: new Date().toISOString(),
    status: 'running',
    details: { queue: queue.name, max, depthBefore: queue.visible },
  };
  await journal.save(record);
  let report: RedriveReport;
  try {
    report = await redriveDlq({
      queueUrl: queue.url,
      env,
      clients,
      max,
      dryRun,
      onOutcome: (o) => io.info('DLQ_REDRIVE', outcomeLine(o)),
    });
  } catch (error) {
    await journal.fail(record, error);
    throw error;
  }
  const after = await describeDlq(clients.sqs, queue.name).catch(() => undefined);
  // Ids and destinations only: the bodies (personal data) stay in the queue or the target.
  record.details = {
    ...record.details,
    counts: report.counts,
    messages: report.outcomes.map((o) => ({
      messageId: o.messageId,
      ...(o.eventId ? { eventId: o.eventId } : {}),
      destination: o.destination,
      status: o.status,
      ...(o.receipt ? { receipt: o.receipt } : {}),
      ...(o.error ? { error: o.error } : {}),
      deleted: o.deleted,
    })),
    ...(after ? { depthAfter: after.visible } : {}),
  };
  record.status = report.counts.failed ? 'failed' : 'succeeded';
  record.finishedAt = new Date().toISOString();
  await journal.save(record);
  const c = report.counts;
  io.info(
    'DLQ_REDRIVE_DONE',
    dryRun
      ? `dry run: ${c['would-send']} would be sent, ${c.skipped} skipped; nothing changed (record ${journal.pathOf(record)})`
      : `${c.sent} sent (${c.deleted} deleted from ${queue.name}), ${c.failed} failed, ${c.skipped} skipped${after ? `; ${after.visible} left` : ''} (record ${journal.pathOf(record)})`,
  );
  const document = {
    ok: c.failed === 0,
    env: env.name,
    dry_run: dryRun,
    max,
    queue: queueDoc(queue),
    counts: c,
    outcomes: report.outcomes,
    left: after?.visible ?? null,
    record: { id: record.id, path: journal.pathOf(record) },
  };
  if (c.failed) {
    throw new PromoteError(
      'deploy_failed',
      'DLQ_REDRIVE_INCOMPLETE',
      `${c.failed} message(s) could not be delivered and stay in ${queue.name}`,
      'see each failure above; fix the target and run the redrive again (it is safe to repeat)',
      document,
    );
  }
  io.document(document);
};

/** `promote dlq <env> …`: the run (imported only when the command is used). */
export const dlq = async (value: string, flags: DlqFlags, command: Command): Promise<void> => {
  const io = ioOf(command);
  const env = envArg(value);
  if (!flags.redrive && (flags.dryRun || flags.max !== undefined)) {
    throw new PromoteError(
      'usage',
      'DLQ_NEEDS_REDRIVE',
      '--dry-run and --max apply to a redrive',
      `promote dlq ${env} --redrive --dry-run`,
    );
  }
  const conn = await connect(env, command.optsWithGlobals() as GlobalFlags, io);
  const clients = opsClients(conn.target);
  const queue = await describeDlq(clients.sqs, ENVIRONMENTS[env].dlq);
  if (flags.redrive) await redrive(io, conn, clients, queue, flags);
  else await view(io, env, queue, flags.show, clients.sqs);
};
