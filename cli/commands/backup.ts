import type { Command } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';
import { envArg } from './arg-parsers.js';

/** Registers `promote backup <env>`: the promote backup step, on its own. */
export const registerBackupCommand = (program: Command): void => {
  program
    .command('backup')
    .description(
      "on-demand backup of the env's orders table, waited on until AVAILABLE, with its item counts per status journaled (what `promote restore` checks against)",
    )
    .argument('<env>', ENV_NAMES.join(' | '))
    .addHelpText(
      'after',
      `
Examples:
  $ promote backup prod --profile Tebogo-prod
  $ promote backup sit --sandbox --json`,
    )
    .action(async (value: string, _opts, command: Command) => {
      const { backupCommand } = await import('./backup-run.js');
      await backupCommand(envArg(value), command);
    });
};
