import type { Command } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';
import { parseDuration } from './arg-parsers.js';

export interface ReplayFlags {
  from: string;
  to?: string;
  rule?: string;
  dryRun?: boolean;
  wait: number;
}

/** Registers `events replay <env>`: the plan's event replay procedure, as a command. */
export const registerEventsCommands = (program: Command): void => {
  const events = program
    .command('events')
    .description("the env's EventBridge events: replay a window from its archive");
  events
    .command('replay')
    .description(
      "replay the archived events of a time window onto the env's bus (every rule, or --rule), and wait until it ends",
    )
    .argument('<env>', ENV_NAMES.join(' | '))
    .requiredOption(
      '--from <time>',
      'start: ISO-8601 with zone, or a span back from now (2h, 30m, 1d)',
    )
    .option('--to <time>', 'end (exclusive), as --from; default now')
    .option('--rule <name>', "only this rule of the archive's bus receives the replay")
    .option('--dry-run', 'check the window and the archive, replay nothing')
    .option(
      '--wait <duration>',
      'how long to follow the replay (60s, 10m; at most 1h)',
      parseDuration,
      600_000,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ promote events replay sit --from 2h --dry-run
  $ promote events replay sit --from 2026-12-01T08:00:00Z --to 2026-12-01T09:00:00Z --yes
  $ promote events replay prod --from 30m --rule order-events-prod --json --yes`,
    )
    .action(async (env: string, flags: ReplayFlags, command: Command) => {
      const { replay } = await import('./events-run.js');
      await replay(env, flags, command);
    });
};
