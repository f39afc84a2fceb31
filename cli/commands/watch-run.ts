import type { Command } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import { requestAbort } from '../canary/abort-request.js';
import { PromoteError } from '../errors.js';
import type { GlobalFlags } from '../global-flags.js';
import { JournalStore } from '../journal/journal-store.js';
import type { RunJournal } from '../journal/run-journal.js';
import { OneTimeToken } from '../watch/abort-token.js';
import { WatchServer } from '../watch/watch-server.js';
import { envArg } from './arg-parsers.js';
import { actor, connect } from './connect.js';
import { ioOf } from './io-of.js';
import { parsePort } from './sandbox.js';
import type { WatchFlags } from './watch.js';

/** The run a watcher follows: one going on, else the newest promote or rollback. */
export const currentRun = (runs: readonly RunJournal[]): RunJournal | undefined => {
  const moving = runs.filter((r) => r.command === 'promote' || r.command === 'rollback');
  return moving.find((r) => r.status === 'running') ?? moving[0];
};

const refreshSeconds = (value: string | undefined): number => {
  const seconds = Number(value ?? '2');
  if (!Number.isFinite(seconds) || seconds < 0.5 || seconds > 60) {
    throw new PromoteError(
      'usage',
      'WATCH_BAD_REFRESH',
      `--refresh ${value}: give seconds between 0.5 and 60`,
    );
  }
  return seconds;
};

/**
 * `promote watch <env>`: serves the live view until Ctrl-C. Journals are read from this
 * machine and the env's state table (so a run on a CI runner shows too); the abort, when
 * offered, is recorded in the state table, where the run polls for it.
 */
export const watchCommand = async (
  envValue: string,
  flags: WatchFlags,
  command: Command,
): Promise<void> => {
  const io = ioOf(command);
  const env: EnvName = envArg(envValue);
  const refresh = refreshSeconds(flags.refresh);
  let port = 0;
  if (flags.port !== undefined) {
    try {
      port = parsePort(flags.port);
    } catch (error) {
      throw new PromoteError(
        'usage',
        'WATCH_BAD_PORT',
        `--port ${flags.port}: ${(error as Error).message}`,
      );
    }
  }
  const conn = await connect(env, command.optsWithGlobals() as GlobalFlags, io);
  const store = new JournalStore(conn.home, conn.state);
  const token = flags.allowAbort ? new OneTimeToken() : undefined;
  const who = actor();
  const server = new WatchServer({
    env,
    refreshMs: refresh * 1000,
    port,
    source: async () => {
      const scan = await store.scan(env, 5);
      if (scan.remoteError) io.debug('WATCH_REMOTE', `state table unreadable: ${scan.remoteError}`);
      return currentRun(scan.runs);
    },
    ...(token
      ? {
          abort: {
            token,
            request: (runId: string, reason: string) =>
              requestAbort(conn.state, {
                runId,
                by: who,
                via: 'promote watch',
                at: new Date().toISOString(),
                reason,
              }),
          },
        }
      : {}),
    onAbort: (outcome, detail) =>
      io.warn('WATCH_ABORT', `abort ${outcome === 'requested' ? 'requested' : outcome}: ${detail}`),
  });
  let url: string;
  try {
    url = await server.start();
  } catch (error) {
    throw new PromoteError(
      'usage',
      'WATCH_LISTEN_FAILED',
      `cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`,
      'pick another --port, or leave it out for a random free one',
    );
  }
  io.result(
    `live view of ${env}: ${url}  (${token ? 'abort offered' : 'read-only'}; Ctrl-C to stop)`,
  );
  if (token) io.result(`abort token (one use; keep it to yourself): ${token.value}`);
  io.event('WATCH_READY', { url, env, ...(token ? { token: token.value } : {}) });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  io.info('WATCH_STOPPED', `stopped serving ${url}`);
  io.document({ ok: true, env, url, abortUsed: token?.spent ?? false });
};
