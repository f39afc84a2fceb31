import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { SandboxState } from './control-client.js';
import { EngineDirBusy } from './engines/engine-lock.js';
import { MissingPrerequisite } from './engines/local-engines.js';
import { sandboxPaths } from './paths.js';
import { startSandbox } from './sandbox.js';

/**
 * The detached sandbox process `promote sandbox up` starts. It writes `state.json` only once
 * everything answers, removes it on the way out, and stops on SIGTERM/SIGINT or a
 * `POST /_sandbox/shutdown`. Its stdout/stderr is `.promote/sandbox/daemon.log`.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4566' },
    home: { type: 'string', default: '.promote' },
    fresh: { type: 'boolean', default: false },
  },
});
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const paths = sandboxPaths(values.home);
const started = Date.now();

try {
  const sandbox = await startSandbox({
    home: values.home,
    port: Number(values.port),
    fresh: values.fresh,
    log,
  });
  const state: SandboxState = {
    pid: process.pid,
    endpoint: sandbox.endpoint,
    port: sandbox.port,
    apiUrls: sandbox.apiUrls,
    failoverApiUrls: sandbox.failoverApiUrls,
    startedAt: new Date(started).toISOString(),
    coldStartMs: Date.now() - started,
  };
  writeFileSync(`${paths.state}.tmp`, JSON.stringify(state, null, 2));
  renameSync(`${paths.state}.tmp`, paths.state);
  log(`ready in ${state.coldStartMs} ms`);

  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    await sandbox.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  await sandbox.shutdownRequested;
  await shutdown('shutdown requested');
} catch (error) {
  // One line saying what is wrong (e.g. "install Java 17"), not a stack trace. The exit code
  // tells startDaemon which of them it was (3: a prerequisite, 4: the home is in use).
  const expected = error instanceof MissingPrerequisite || error instanceof EngineDirBusy;
  log(
    expected
      ? `cannot start: ${(error as Error).message}`
      : `cannot start: ${(error as Error).stack ?? error}`,
  );
  process.exit(error instanceof MissingPrerequisite ? 3 : error instanceof EngineDirBusy ? 4 : 1);
}
