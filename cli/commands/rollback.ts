import type { Command } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';
import { envArg } from './arg-parsers.js';

/** Registers `rollback <env> --to <version|tag>` (the bin also answers to `rollback`). */
export const registerRollbackCommand = (program: Command): void => {
  program
    .command('rollback')
    .description('instant, verified alias switch back to a published version')
    .argument('<env>', ENV_NAMES.join(' | '))
    .option(
      '--to <version|tag>',
      'version number or release tag (default: the version before the last promote)',
    )
    .option('--reason <text>', 'why — kept in the journal and report')
    .option('--force-unlock', 'remove a stale lock first')
    .option('--token <jwt>', 'token for the read-only smoke check')
    .addHelpText(
      'after',
      `
Examples:
  $ rollback prod --to 41 --reason "error spike after 42"
  $ rollback prod --to v1.0.0-prod
  $ promote rollback sit --sandbox --to 1`,
    )
    .action(async (value: string, _opts, command: Command) => {
      const { rollback } = await import('./rollback-run.js');
      await rollback(envArg(value), command);
    });
};
