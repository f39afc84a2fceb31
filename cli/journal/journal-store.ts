import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StateApi } from '../aws/state-api.js';
import type { EnvName } from '../plans/environments.js';
import type { RunJournal } from './run-journal.js';

const RUN_PK = 'run';

/**
 * Keeps journals in two places: `.promote/runs/<env>/<runId>.json` (always, even when AWS
 * is unreachable) and the environment's state table (so CI runners share them). A failed
 * remote write is reported to `onRemoteError`, never allowed to stop a rollback.
 */
export class JournalStore {
  constructor(
    private readonly home: string,
    private state: StateApi | undefined,
    private readonly onRemoteError: (error: Error) => void = () => {},
  ) {}

  /**
   * Starts writing to the environment's state table too. Runs call this only once they
   * hold the lock, so a run blocked at preflight (wrong account…) writes nothing remote.
   */
  attach(state: StateApi): void {
    this.state = state;
  }

  private dir(env: EnvName): string {
    return join(this.home, 'runs', env);
  }

  /** The local file of a run (printed in reports so people can find it). */
  pathOf(journal: Pick<RunJournal, 'env' | 'runId'>): string {
    return join(this.dir(journal.env), `${journal.runId}.json`);
  }

  async save(journal: RunJournal): Promise<void> {
    mkdirSync(this.dir(journal.env), { recursive: true });
    const path = this.pathOf(journal);
    writeFileSync(`${path}.tmp`, `${JSON.stringify(journal, null, 2)}\n`);
    renameSync(`${path}.tmp`, path);
    if (!this.state) return;
    try {
      await this.state.put({
        pk: RUN_PK,
        sk: journal.runId,
        status: journal.status,
        command: journal.command,
        actor: journal.actor,
        startedAt: journal.startedAt,
        journal: JSON.stringify(journal),
      });
    } catch (error) {
      this.onRemoteError(error as Error);
    }
  }

  /** Newest first: the state table's runs, plus local-only ones (e.g. written offline). */
  async list(env: EnvName, limit = 20): Promise<RunJournal[]> {
    const byId = new Map<string, RunJournal>();
    if (this.state) {
      try {
        for (const item of await this.state.query(RUN_PK, limit)) {
          const journal = JSON.parse(String(item.journal)) as RunJournal;
          byId.set(journal.runId, journal);
        }
      } catch (error) {
        this.onRemoteError(error as Error);
      }
    }
    let files: string[] = [];
    try {
      files = readdirSync(this.dir(env)).filter((f) => f.endsWith('.json'));
    } catch {
      // no local runs yet
    }
    for (const file of files) {
      const runId = file.replace(/\.json$/, '');
      if (byId.has(runId)) continue;
      try {
        byId.set(runId, JSON.parse(readFileSync(join(this.dir(env), file), 'utf8')) as RunJournal);
      } catch {
        // a torn file from a crash mid-write is ignored; the .tmp rename makes this rare
      }
    }
    return [...byId.values()]
      .filter((j) => j.env === env)
      .sort((a, b) => (a.runId < b.runId ? 1 : -1))
      .slice(0, limit);
  }
}
