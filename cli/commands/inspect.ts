import type { Command } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';

/** `preflight`, `status`, `plan`, `history`: the read-only commands. */
export const registerInspectCommands = (program: Command): void => {
  program
    .command('plan')
    .description('print every step and threshold of an environment plan, without running it')
    .argument('<env>', ENV_NAMES.join(' | '))
    .addHelpText('after', '\nExample:\n  $ promote plan prod')
    .action(async (value: string, _opts, command: Command) => {
      (await import('./plan-run.js')).planCommand(value, command);
    });

  program
    .command('preflight')
    .description(
      "run the plan's preflight checks (account, region, infrastructure, DLQ, alarms) — read-only",
    )
    .requiredOption('--env <env>', ENV_NAMES.join(' | '))
    .addHelpText(
      'after',
      '\nExamples:\n  $ promote preflight --env sit --sandbox\n  $ promote preflight --env prod --profile Tebogo-prod',
    )
    .action(async (flags: { env: string }, command: Command) => {
      await (await import('./inspect-run.js')).preflightCommand(flags, command);
    });

  program
    .command('status')
    .description('alias and weights, versions with release tags, last runs, alarms in ALARM, lock')
    .argument('<env>', ENV_NAMES.join(' | '))
    .addHelpText('after', '\nExample:\n  $ promote status prod --sandbox')
    .action(async (value: string, _opts, command: Command) => {
      await (await import('./inspect-run.js')).statusCommand(value, command);
    });

  program
    .command('history')
    .description('past promote and rollback runs of an environment, newest first')
    .argument('<env>', ENV_NAMES.join(' | '))
    .option('--limit <n>', 'how many', '20')
    .addHelpText('after', '\nExample:\n  $ promote history sit --sandbox --json')
    .action(async (value: string, opts: { limit: string }, command: Command) => {
      await (await import('./inspect-run.js')).historyCommand(value, opts, command);
    });
};
