import { join, resolve } from 'node:path';

/**
 * Where the sandbox keeps its state: `.promote/sandbox/` under the working directory, or
 * under `PROMOTE_HOME` when set (tests use a temp dir each).
 */
export const promoteHome = (): string =>
  // An empty PROMOTE_HOME (e.g. `export PROMOTE_HOME=$UNSET_VAR`) must not mean "here":
  // that would write sandbox state into the source tree.
  resolve(process.env.PROMOTE_HOME?.trim() || '.promote');

export const sandboxPaths = (home = promoteHome()) => {
  const root = join(home, 'sandbox');
  return {
    root,
    /** pid, ports and start time of the running daemon. */
    state: join(root, 'state.json'),
    daemonLog: join(root, 'daemon.log'),
    dynamodb: join(root, 'dynamodb'),
    /**
     * Pids of the engines (DynamoDB Local, moto) and of the process that owns them. Created
     * exclusively, it is also the lock on `dynamodb/`: see sandbox/engines/engine-lock.ts.
     */
    engines: join(root, 'engines.pid'),
    /** Mutating calls forwarded to moto, replayed after a restart. */
    motoJournal: join(root, 'moto-journal.jsonl'),
    credentials: join(root, 'credentials.json'),
    code: join(root, 'code'),
    backups: join(root, 'backups'),
    /** AWS Backup selections (moto has none): see sandbox/backup/selection-store.ts. */
    backupSelections: join(root, 'backup-selections.json'),
    metrics: join(root, 'metrics.jsonl'),
    alarms: join(root, 'alarms.json'),
    faults: join(root, 'faults.json'),
    logs: join(root, 'logs'),
    keys: join(root, 'keys'),
  };
};

export type SandboxPaths = ReturnType<typeof sandboxPaths>;
