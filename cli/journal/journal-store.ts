import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { EnvName } from '../../infra/environments.js';
import type { StateApi, StateItem } from '../aws/state-api.js';
import { attachGuardianRecords, readGuardianRecords } from './guardian-records.js';
import type { RunJournal } from './run-journal.js';
import { writeDurably } from './write-durably.js';

const RUN_PK = 'run';

/** What a look at the journals found, problems included (never silently dropped). */
export interface JournalScan {
  /** Newest first; for a run with two copies, the one with the higher `seq`. */
  readonly runs: RunJournal[];
  /** Runs whose local file and state-table copy disagree. */
  readonly divergent: ReadonlyArray<{
    runId: string;
    localSeq: number;
    remoteSeq: number;
    newer: 'local' | 'remote';
  }>;
  /** Journal files or items that could not be parsed (a torn write, a hand edit). */
  readonly unreadable: ReadonlyArray<{ where: string; error: string }>;
  /** The state table could not be read: only local copies were seen. */
  readonly remoteError?: string;
}

export interface JournalStoreOptions {
  /** Attempts for a remote write before it is reported (default 3). */
  readonly attempts?: number;
  /** Delay before the first retry, doubled after each (default 250 ms). */
  readonly retryDelayMs?: number;
}

const seqOf = (journal: Pick<RunJournal, 'seq'>) => journal.seq ?? 0;

/**
 * Keeps journals in two places: `.promote/runs/<env>/<runId>.json` (always, even when AWS
 * is unreachable; fsynced, renamed into place) and the environment's state table (so CI
 * runners share them). Every save bumps `seq`; the remote write is conditional on the
 * remote copy being older, retried, and on failure reported to `onRemoteError` and marked
 * in the local copy (`remoteStale`) — never allowed to stop a rollback.
 */
export class JournalStore {
  private readonly attempts: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly home: string,
    private state: StateApi | undefined,
    private readonly onRemoteError: (error: Error) => void = () => {},
    options: JournalStoreOptions = {},
  ) {
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.retryDelayMs = options.retryDelayMs ?? 250;
  }

  /**
   * Starts writing to the environment's state table too. Runs call this only once they
   * hold the lock, so a run blocked at preflight (wrong account…) writes nothing remote.
   */
  attach(state: StateApi): void {
    this.state = state;
  }

  get attached(): boolean {
    return this.state !== undefined;
  }

  private dir(env: EnvName): string {
    return join(this.home, 'runs', env);
  }

  /** The local file of a run (printed in reports so people can find it). */
  pathOf(journal: Pick<RunJournal, 'env' | 'runId'>): string {
    return join(this.dir(journal.env), `${journal.runId}.json`);
  }

  private writeLocal(journal: RunJournal): void {
    mkdirSync(this.dir(journal.env), { recursive: true });
    writeDurably(this.pathOf(journal), `${JSON.stringify(journal, null, 2)}\n`);
  }

  /** Only the local copy, now (no network): for the last words of a run being killed. */
  saveLocal(journal: RunJournal): void {
    journal.seq = seqOf(journal) + 1;
    this.writeLocal(journal);
  }

  async save(journal: RunJournal): Promise<void> {
    journal.seq = seqOf(journal) + 1;
    this.writeLocal(journal);
    if (!this.state) return;
    const failure = await this.putRemote(journal);
    if (failure) {
      journal.remoteStale = {
        seq: journal.seq,
        error: failure.message,
        at: new Date().toISOString(),
      };
      this.writeLocal(journal);
      this.onRemoteError(failure);
    } else if (journal.remoteStale) {
      delete journal.remoteStale;
      this.writeLocal(journal);
    }
  }

  /** Undefined when written; else why not (after retries). */
  private async putRemote(journal: RunJournal): Promise<Error | undefined> {
    const state = this.state as StateApi;
    let last: Error | undefined;
    for (let attempt = 0; attempt < this.attempts; attempt += 1) {
      if (attempt > 0) await delay(this.retryDelayMs * 2 ** (attempt - 1));
      try {
        const written = await state.put(
          {
            pk: RUN_PK,
            sk: journal.runId,
            seq: seqOf(journal),
            status: journal.status,
            command: journal.command,
            actor: journal.actor,
            startedAt: journal.startedAt,
            journal: JSON.stringify(journal),
          },
          // The newest copy wins: never overwrite a copy someone else moved further (a run
          // marked superseded by its successor stays superseded).
          {
            expression: 'attribute_not_exists(seq) OR seq < :seq',
            values: { ':seq': seqOf(journal) },
          },
        );
        if (written) return undefined;
        return new Error(
          `the state table holds a newer copy of run ${journal.runId} than seq ${seqOf(journal)} (another run changed it)`,
        );
      } catch (error) {
        last = error as Error;
      }
    }
    return last;
  }

  /**
   * The newest `limit` readable local journals. Files are named by run id, which sorts by
   * start time, so they are read newest first and reading stops at `limit`: older ones cannot
   * be among the newest runs (a watcher scans every few seconds; a laptop may hold thousands).
   */
  private readLocal(
    env: EnvName,
    unreadable: Array<{ where: string; error: string }>,
    limit: number,
  ) {
    const byId = new Map<string, RunJournal>();
    let files: string[] = [];
    try {
      files = readdirSync(this.dir(env))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .reverse();
    } catch {
      // no local runs yet
    }
    for (const file of files) {
      if (byId.size >= limit) break;
      const path = join(this.dir(env), file);
      try {
        const journal = JSON.parse(readFileSync(path, 'utf8')) as RunJournal;
        if (!journal.runId || !Array.isArray(journal.steps)) throw new Error('not a run journal');
        byId.set(journal.runId, journal);
      } catch (error) {
        unreadable.push({ where: path, error: (error as Error).message });
      }
    }
    return byId;
  }

  private async readRemote(
    unreadable: Array<{ where: string; error: string }>,
    limit: number,
  ): Promise<{ byId: Map<string, RunJournal>; error?: string }> {
    const byId = new Map<string, RunJournal>();
    if (!this.state) return { byId };
    let items: StateItem[];
    try {
      items = await this.state.query(RUN_PK, limit);
    } catch (error) {
      // Reported once, through the scan's `remoteError` (writes go to `onRemoteError`).
      return { byId, error: (error as Error).message };
    }
    for (const item of items) {
      try {
        const journal = JSON.parse(String(item.journal)) as RunJournal;
        byId.set(journal.runId, journal);
      } catch (error) {
        unreadable.push({
          where: `${this.state.tableName} run ${String(item.sk)}`,
          error: (error as Error).message,
        });
      }
    }
    return { byId };
  }

  /** Newest first, local and remote merged by `seq`, with what did not add up. */
  async scan(env: EnvName, limit = 20): Promise<JournalScan> {
    const unreadable: Array<{ where: string; error: string }> = [];
    const divergent: Array<JournalScan['divergent'][number]> = [];
    const remote = await this.readRemote(unreadable, limit);
    const local = this.readLocal(env, unreadable, limit);
    const merged = new Map(remote.byId);
    for (const [runId, mine] of local) {
      const theirs = merged.get(runId);
      if (!theirs) {
        merged.set(runId, mine);
        continue;
      }
      if (seqOf(mine) !== seqOf(theirs)) {
        divergent.push({
          runId,
          localSeq: seqOf(mine),
          remoteSeq: seqOf(theirs),
          newer: seqOf(mine) > seqOf(theirs) ? 'local' : 'remote',
        });
      }
      if (seqOf(mine) > seqOf(theirs)) merged.set(runId, mine);
    }
    const runs = [...merged.values()]
      .filter((j) => j.env === env)
      .sort((a, b) => (a.runId < b.runId ? 1 : -1))
      .slice(0, limit);
    let remoteError = remote.error;
    if (this.state && !remoteError) {
      // The canary guardian's records, shown with the runs they rolled back.
      try {
        attachGuardianRecords(runs, await readGuardianRecords(this.state, Math.max(limit, 20)));
      } catch (error) {
        remoteError = `guardian records: ${(error as Error).message}`;
      }
    }
    return { runs, divergent, unreadable, ...(remoteError ? { remoteError } : {}) };
  }

  /** Newest first (see {@link scan} for what could not be read). */
  async list(env: EnvName, limit = 20): Promise<RunJournal[]> {
    return (await this.scan(env, limit)).runs;
  }
}
