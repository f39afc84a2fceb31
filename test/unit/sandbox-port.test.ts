import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * `promote sandbox up|reset` take their port as the README says: `--port`, else
 * `PROMOTE_SANDBOX_PORT` (the variable `--sandbox` reads), else 4566. The daemon is not
 * started: the command's lazily loaded dependencies are replaced and the port it asks for
 * is read.
 */

const started: Array<{ port: number; fresh: boolean }> = [];

vi.mock('../../cli/commands/sandbox-run.js', () => ({
  ioOf: () => ({ info() {}, warn() {}, result() {}, document() {} }),
  startDaemon: async (options: { port: number; fresh: boolean }) => {
    started.push(options);
    return {
      alreadyRunning: false,
      state: { pid: 1, port: options.port, endpoint: `http://127.0.0.1:${options.port}` },
    };
  },
  stopDaemon: async () => false,
  sandboxPaths: () => ({ root: '/nonexistent/promote-sandbox-port-test' }),
  sandboxSetupHint: () => '',
}));

const { registerSandboxCommands } = await import('../../cli/commands/sandbox.js');

const run = async (...args: string[]) => {
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  registerSandboxCommands(program);
  for (const sub of program.commands) {
    sub.exitOverride();
    for (const leaf of sub.commands) leaf.exitOverride().configureOutput({ writeErr: () => {} });
  }
  await program.parseAsync(args, { from: 'user' });
  return started.at(-1)?.port;
};

describe('promote sandbox up/reset: the port', () => {
  beforeEach(() => {
    started.length = 0;
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is 4566 with neither --port nor PROMOTE_SANDBOX_PORT', async () => {
    // Prepare
    vi.stubEnv('PROMOTE_SANDBOX_PORT', undefined);

    // Act
    const port = await run('sandbox', 'up');

    // Assess
    expect(port).toBe(4566);
  });

  it('is PROMOTE_SANDBOX_PORT when --port is not given (up and reset)', async () => {
    // Prepare
    vi.stubEnv('PROMOTE_SANDBOX_PORT', '24600');

    // Act
    const up = await run('sandbox', 'up');
    const reset = await run('sandbox', 'reset');

    // Assess
    expect(up).toBe(24600);
    expect(reset).toBe(24600);
  });

  it('is --port over PROMOTE_SANDBOX_PORT', async () => {
    // Prepare
    vi.stubEnv('PROMOTE_SANDBOX_PORT', '24600');

    // Act
    const port = await run('sandbox', 'up', '--port', '24700');

    // Assess
    expect(port).toBe(24700);
  });

  it('refuses an invalid PROMOTE_SANDBOX_PORT like an invalid --port, starting nothing', async () => {
    // Prepare
    vi.stubEnv('PROMOTE_SANDBOX_PORT', '80');

    // Act
    const attempt = run('sandbox', 'up');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(CommanderError);
    await expect(attempt).rejects.toThrow(/PROMOTE_SANDBOX_PORT.*between 1024 and 65530/);
    expect(started).toEqual([]);
  });
});
