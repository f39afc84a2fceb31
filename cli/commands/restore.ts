import { type Command, Option } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';
import { envArg, numberIn } from './arg-parsers.js';

export interface RestoreFlags {
  backup?: string;
  pitr?: string;
  target?: string;
  timeout?: string;
  samples?: number;
  /** `--cleanup` alone (true) lists side tables; with a name deletes that one. */
  cleanup?: string | true;
  sandbox?: boolean;
  profile?: string;
}

/** Registers `promote restore <env>` (the plan's rollback Option 4, rehearsed in SIT). */
export const registerRestoreCommand = (program: Command): void => {
  program
    .command('restore')
    .description(
      "restore the env's orders table from a backup or a point in time into a side table (never over live), wait until ACTIVE and validate it",
    )
    .argument('<env>', ENV_NAMES.join(' | '))
    .option('--backup <arn|latest>', 'a backup ARN, or the newest AVAILABLE backup of the table')
    .option(
      '--pitr <time>',
      'point in time: ISO-8601 with zone (2026-12-01T20:30:00Z), a span back (30m, 2h), or latest',
    )
    .option('--target <table>', 'the side table (default: orders-<env>-restored-<UTC time>)')
    .option('--timeout <span>', 'how long to wait for the table to be ACTIVE (up to 24h)', '60m')
    .addOption(
      new Option('--samples <n>', 'random orders read back and compared with live')
        .argParser(numberIn(0, 1000))
        .default(20),
    )
    .option(
      '--cleanup [table]',
      'delete a side table; without a name, list them and delete after confirmation (--yes in CI)',
    )
    .addHelpText(
      'after',
      `
Exit codes: 0 restored and validated · 10 restored but validation failed (the side table is
kept, named in the message) or the restore failed/timed out · 2 bad flags, a target that
is a live table · 3 no backup / PITR off · 7 lock held · 130 interrupted.

Examples:
  $ promote restore prod --backup latest
  $ promote restore prod --pitr 2026-12-01T20:30:00Z --timeout 2h
  $ promote restore sit --sandbox --pitr 30m --json
  $ promote restore prod --cleanup orders-prod-restored-20261201T203015Z
  $ promote restore prod --cleanup --yes`,
    )
    .action(async (value: string, _opts, command: Command) => {
      const { restoreCommand } = await import('./restore-run.js');
      await restoreCommand(envArg(value), command);
    });
};
