import { randomUUID } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { resolve } from 'node:path';
import {
  type EngineSpec,
  engineName,
  findEngineProcesses,
  isRunning,
  readProcess,
  runsEngine,
} from './processes.js';

/**
 * The pid file of a sandbox's engines, which is also the lock on its DynamoDB data
 * directory. It names the process that owns the engines (pid + start time) and each engine
 * it started. Whoever creates it (O_EXCL) may run engines on the directory; a file whose
 * owner is gone is stale, and the engines it names — plus any DynamoDB Local still on the
 * directory — are orphans, stopped before new ones start.
 */

export interface EngineRecord {
  readonly pid: number;
  readonly startTime?: number;
  readonly spec: EngineSpec;
}

export interface EngineLockFile {
  readonly token: string;
  readonly owner: { readonly pid: number; readonly startTime?: number };
  readonly dataDir: string;
  readonly createdAt: string;
  readonly engines: readonly EngineRecord[];
}

/** Another live process runs (or is starting) engines on the same data directory. */
export class EngineDirBusy extends Error {
  override readonly name = 'EngineDirBusy';
}

export interface EngineLock {
  readonly file: string;
  /** Notes a started engine, so that a later start can stop it if its owner dies. */
  record(engine: { pid: number; spec: EngineSpec }): void;
  /** Removes the file if it is still ours; call once the engines have stopped. */
  release(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const parse = (text: string): EngineLockFile | undefined => {
  try {
    const doc = JSON.parse(text) as EngineLockFile;
    return typeof doc?.owner?.pid === 'number' && Array.isArray(doc.engines) ? doc : undefined;
  } catch {
    return undefined;
  }
};

const tryCreate = (file: string, content: EngineLockFile): boolean => {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(content, null, 2));
  } finally {
    closeSync(fd);
  }
  return true;
};

/**
 * The lock's content, 'gone' when it vanished meanwhile, or undefined when it stays
 * unreadable — its creator died between the exclusive create and the write.
 */
const readLock = async (file: string): Promise<EngineLockFile | 'gone' | undefined> => {
  // A racing creator writes right after its create, so an empty file is usually seen only
  // for an instant.
  for (let i = 0; i < 10; i += 1) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return 'gone';
    }
    const doc = parse(text);
    if (doc) return doc;
    await sleep(50);
  }
  return undefined;
};

const ownerAlive = (lock: EngineLockFile) => isRunning(lock.owner.pid, lock.owner.startTime);

const busy = (lock: EngineLockFile, dataDir: string) => {
  const engines = lock.engines
    .filter((e) => isRunning(e.pid, e.startTime))
    .map((e) => `${engineName(e.spec)} pid ${e.pid}`);
  return new EngineDirBusy(
    `the sandbox data directory ${dataDir} is held by another live sandbox process ` +
      `(pid ${lock.owner.pid}${engines.length ? `; ${engines.join(', ')}` : ''}, since ${lock.createdAt}); ` +
      `stop that one first (promote sandbox down, or kill ${lock.owner.pid}) or use another PROMOTE_HOME`,
  );
};

interface Victim {
  readonly pid: number;
  readonly startTime?: number;
  readonly name: string;
}

const signal = (pid: number, sig: NodeJS.Signals, dataDir: string) => {
  try {
    process.kill(pid, sig);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return;
    throw new EngineDirBusy(
      `cannot stop pid ${pid}, an orphaned engine holding ${dataDir} (${code}); stop it by hand`,
    );
  }
};

const until = async (done: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(50);
  return done();
};

/** SIGTERM, SIGKILL after 3 s, as `LocalEngine.stop` does for engines still parented. */
export const stopOrphans = async (
  victims: readonly Victim[],
  dataDir: string,
  log: (line: string) => void,
): Promise<void> => {
  const live = victims.filter((v) => isRunning(v.pid, v.startTime));
  if (!live.length) return;
  const gone = (v: Victim) => !isRunning(v.pid, v.startTime);
  for (const v of live) signal(v.pid, 'SIGTERM', dataDir);
  if (!(await until(() => live.every(gone), 3_000))) {
    for (const v of live.filter((v) => !gone(v))) signal(v.pid, 'SIGKILL', dataDir);
    if (!(await until(() => live.every(gone), 5_000))) {
      const left = live.filter((v) => !gone(v)).map((v) => `${v.name} pid ${v.pid}`);
      throw new EngineDirBusy(
        `could not stop orphaned engines holding ${dataDir} (${left.join(', ')}); stop them by hand`,
      );
    }
  }
  for (const v of live) log(`stopped orphaned ${v.name} (pid ${v.pid}) that held ${dataDir}`);
};

/** The engines a stale lock names that are still alive and still those engines. */
const recordedOrphans = (lock: EngineLockFile): Victim[] =>
  lock.engines.flatMap((e) => {
    const info = readProcess(e.pid);
    const same =
      info &&
      (e.startTime === undefined ||
        info.startTime === undefined ||
        info.startTime === e.startTime) &&
      runsEngine(info.argv, e.spec, info.cwd);
    return same ? [{ pid: e.pid, name: engineName(e.spec), ...startOf(e.startTime) }] : [];
  });

const startOf = (startTime: number | undefined) => (startTime === undefined ? {} : { startTime });

/**
 * Takes the lock on `dataDir`: stops what a dead owner left behind, and refuses (EngineDirBusy)
 * while a live process holds it. Nothing on disk is touched before the lock is ours.
 */
export const claimEngineLock = async (options: {
  /** The pid file; `sandboxPaths().engines`. */
  file: string;
  dataDir: string;
  log?: (line: string) => void;
}): Promise<EngineLock> => {
  const { file } = options;
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? (() => {});
  const content: EngineLockFile & { engines: EngineRecord[] } = {
    token: randomUUID(),
    owner: { pid: process.pid, ...startOf(readProcess(process.pid)?.startTime) },
    dataDir,
    createdAt: new Date().toISOString(),
    engines: [],
  };

  for (let attempt = 0; !tryCreate(file, content); attempt += 1) {
    if (attempt >= 5) {
      throw new EngineDirBusy(`could not take ${file}: other processes keep replacing it`);
    }
    const seen = await readLock(file);
    if (seen === 'gone') continue;
    if (seen && ownerAlive(seen)) throw busy(seen, dataDir);
    // Stale. Move it aside rather than delete it: of two processes that judged the same file
    // stale, only one gets it, and the other cannot delete a lock taken meanwhile.
    const aside = `${file}.stale-${process.pid}-${randomUUID().slice(0, 8)}`;
    try {
      renameSync(file, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const taken = await readLock(aside);
    const held = taken === 'gone' ? undefined : taken;
    if (held && ownerAlive(held)) {
      // What we moved was a fresh claim made after we looked: put it back and give way.
      try {
        linkSync(aside, file);
      } catch {
        // A third process created one meanwhile; either way the directory is taken.
      }
      rmSync(aside, { force: true });
      throw busy(held, dataDir);
    }
    try {
      if (held) await stopOrphans(recordedOrphans(held), dataDir, log);
    } finally {
      rmSync(aside, { force: true });
    }
  }

  const write = () => {
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(content, null, 2));
    renameSync(tmp, file);
  };
  const release = () => {
    const current = (() => {
      try {
        return parse(readFileSync(file, 'utf8'));
      } catch {
        return undefined;
      }
    })();
    if (current?.token === content.token) rmSync(file, { force: true });
  };

  try {
    // The lock is ours, so any DynamoDB Local still on the directory is left over: a lock
    // removed by hand, a `sandbox reset` while an orphan ran, or an engine started by hand.
    const strays = findEngineProcesses({ kind: 'dynamodb', port: 0, dataDir }).map((p) => ({
      pid: p.pid,
      name: 'DynamoDB Local',
      ...startOf(p.startTime),
    }));
    await stopOrphans(strays, dataDir, log);
  } catch (error) {
    release();
    throw error;
  }

  return {
    file,
    record: ({ pid, spec }) => {
      content.engines.push({ pid, spec, ...startOf(readProcess(pid)?.startTime) });
      write();
    },
    release,
  };
};
