import type { Command } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';

/** `promote watch`'s own flags. */
export interface WatchFlags {
  allowAbort?: boolean;
  port?: string;
  refresh?: string;
}

/** Registers `promote watch <env>`: a local live view of the env's current run. */
export const registerWatchCommand = (program: Command): void => {
  program
    .command('watch')
    .description("serve a live view of the env's current run on 127.0.0.1 (Ctrl-C to stop)")
    .argument('<env>', ENV_NAMES.join(' | '))
    .option(
      '--allow-abort',
      'offer "abort and roll back" for a baking canary, armed by a one-time token printed here',
    )
    .option('--port <n>', 'port to listen on (default: a random free port)')
    .option('--refresh <seconds>', 'how often the journals are read', '2')
    .addHelpText(
      'after',
      `
The page follows the run that is going on (or the env's latest run, and switches to the
next one when it starts): steps, the weight on the canary, time left in the bake, the last
verdict, and the report's charts growing with each analysis. It is served on 127.0.0.1
only and is read-only unless --allow-abort is given; the abort then needs the token this
command prints, works once, and locks after 5 wrong tokens. The run rolls back as on a
failed gate (exit 5, CANARY_ABORTED) — from any machine, since the request goes through
the env's state table.

Examples:
  $ promote watch prod
  $ promote watch prod --allow-abort
  $ promote watch prod --sandbox --port 8787`,
    )
    .action(async (env: string, flags: WatchFlags, command: Command) => {
      const { watchCommand } = await import('./watch-run.js');
      await watchCommand(env, flags, command);
    });
};
