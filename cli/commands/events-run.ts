import type { Command } from 'commander';
import { PromoteError } from '../errors.js';
import type { GlobalFlags } from '../global-flags.js';
import {
  type ArchiveInfo,
  describeArchive,
  replayNameOf,
  replayWindow,
  ruleArnOnBus,
} from '../ops/events-replay.js';
import { opsClients } from '../ops/ops-clients.js';
import { newOpsId, OpsJournal, type OpsRecord } from '../ops/ops-journal.js';
import { checkRetention, parseWindow } from '../ops/time-window.js';
import { envArg } from './arg-parsers.js';
import { actor, connect } from './connect.js';
import type { ReplayFlags } from './events.js';
import { ioOf } from './io-of.js';

/** What EventBridge cannot tell, said once in the output instead of a made-up number. */
const NO_WINDOW_COUNT =
  'EventBridge reports how many events an archive holds in all, not how many fall in a window';
const NO_REPLAY_COUNT =
  'EventBridge reports how far a replay got in the window (EventLastReplayedTime), not how many events it replayed';

const archiveDoc = (a: ArchiveInfo) => ({
  name: a.name,
  arn: a.arn,
  bus: a.busName,
  state: a.state,
  retention_days: a.retentionDays,
  event_count: a.eventCount ?? null,
  size_bytes: a.sizeBytes ?? null,
});

/** `promote events replay <env> --from … [--to …] [--rule …] [--dry-run]`. */
export const replay = async (
  value: string,
  flags: ReplayFlags,
  command: Command,
): Promise<void> => {
  const io = ioOf(command);
  const env = envArg(value);
  const now = new Date();
  // Checked before connecting: a bad window needs no AWS call to be refused.
  const window = parseWindow({ from: flags.from, ...(flags.to ? { to: flags.to } : {}) }, now);
  const conn = await connect(env, command.optsWithGlobals() as GlobalFlags, io);
  const events = opsClients(conn.target).eventsHere;
  const archive = await describeArchive(events, `${conn.target.env.eventBus}-archive`);
  const { warnings } = checkRetention(
    window,
    {
      name: archive.name,
      retentionDays: archive.retentionDays,
      ...(archive.createdAt ? { createdAt: archive.createdAt } : {}),
    },
    now,
  );
  for (const warning of warnings) io.warn('EVENTS_REPLAY', warning);
  const filterArns = flags.rule ? [await ruleArnOnBus(events, archive, flags.rule)] : undefined;
  const target = `${archive.busName}${filterArns ? ` (rule ${flags.rule} only)` : ' (every rule)'}`;
  const span = `${window.from.toISOString()} … ${window.to.toISOString()}`;

  if (flags.dryRun) {
    io.info(
      'EVENTS_REPLAY',
      `dry run: would replay ${span} from ${archive.name} onto ${target}; nothing replayed`,
    );
    io.info(
      'EVENTS_REPLAY',
      `${archive.name} holds ${archive.eventCount ?? '?'} event(s) in all (${archive.retentionDays ? `${archive.retentionDays} days kept` : 'kept forever'}); ${NO_WINDOW_COUNT}`,
    );
    io.document({
      ok: true,
      env,
      dry_run: true,
      archive: archiveDoc(archive),
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      destination: { bus: archive.sourceArn, filter_arns: filterArns ?? [] },
      events_in_window: null,
      note: NO_WINDOW_COUNT,
      warnings,
    });
    return;
  }

  const go = await io.confirm(
    'APPROVAL',
    `Replay ${span} from ${archive.name} onto ${target}? Consumers receive these events again.`,
  );
  if (!go) throw new PromoteError('approval_declined', 'APPROVAL_DECLINED', 'replay declined');
  const caller = await conn.apis.sts.whoAmI().catch(() => undefined);
  const journal = new OpsJournal(conn.home, conn.state, (error) =>
    io.warn('OPS_JOURNAL_REMOTE', `the state table did not take the record: ${error.message}`),
  );
  const id = newOpsId(now);
  const name = replayNameOf(env, id);
  const record: OpsRecord = {
    schema: 1,
    id,
    kind: 'event-replay',
    env,
    actor: actor(),
    ...(caller ? { callerArn: caller.arn } : {}),
    sandbox: conn.target.sandbox,
    dryRun: false,
    startedAt: now.toISOString(),
    status: 'running',
    details: {
      replayName: name,
      archive: archive.arn,
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      filterArns: filterArns ?? [],
    },
  };
  await journal.save(record);
  io.info('EVENTS_REPLAY', `replay ${name}: ${span} from ${archive.name} onto ${target}`);
  let result: Awaited<ReturnType<typeof replayWindow>>;
  try {
    result = await replayWindow({
      events,
      archive,
      window,
      name,
      ...(filterArns ? { filterArns } : {}),
      description: `promote events replay ${env} by ${record.actor}`,
      waitMs: flags.wait,
      onProgress: (state, progress) =>
        io.info(
          'EVENTS_REPLAY_PROGRESS',
          `  ${state}${progress !== undefined && state === 'RUNNING' ? `, ${Math.round(progress * 100)}% into the window` : ''}`,
        ),
    });
  } catch (error) {
    await journal.fail(record, error);
    throw error;
  }
  record.details = { ...record.details, state: result.state, result };
  record.status = result.state === 'COMPLETED' ? 'succeeded' : 'failed';
  record.finishedAt = new Date().toISOString();
  await journal.save(record);
  const document = {
    ok: result.state === 'COMPLETED',
    env,
    replay: result,
    archive: archiveDoc(archive),
    events_replayed: null,
    note: NO_REPLAY_COUNT,
    warnings,
    record: { id, path: journal.pathOf(record) },
  };
  if (result.timedOut) {
    throw new PromoteError(
      'deploy_failed',
      'EVENTS_REPLAY_TIMEOUT',
      `replay ${name} is still ${result.state} after ${Math.round(flags.wait / 1000)} s`,
      `it goes on in EventBridge: aws events describe-replay --replay-name ${name}`,
      document,
    );
  }
  if (result.state !== 'COMPLETED') {
    throw new PromoteError(
      'deploy_failed',
      'EVENTS_REPLAY_FAILED',
      `replay ${name} ended ${result.state}${result.stateReason ? `: ${result.stateReason}` : ''}`,
      undefined,
      document,
    );
  }
  io.info(
    'EVENTS_REPLAY_DONE',
    `replay ${name} COMPLETED${result.eventLastReplayedTime ? `; the last event replayed dates from ${result.eventLastReplayedTime}` : '; EventBridge gave no last-replayed time (the window may hold no event)'} (record ${journal.pathOf(record)})`,
  );
  io.info('EVENTS_REPLAY_DONE', `note: ${NO_REPLAY_COUNT}`);
  io.document(document);
};
