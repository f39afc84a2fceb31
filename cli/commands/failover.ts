import { type Command, Option } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import { parseEnv } from './arg-parsers.js';
import type { FailoverFlags } from './failover-run.js';

/** `promote failover <env> --to <region>` and `promote failback <env>` (the plan's DR). */
export const registerFailoverCommands = (program: Command): void => {
  program
    .command('failover')
    .description("move the env's API (Route53 failover pair) to its failover region")
    .argument('<env>', 'environment with a failover region (prod)', parseEnv)
    .option('--to <region>', 'region to answer from (default: the failover region)')
    .option('--reason <text>', 'why (journaled; required)')
    .option('--allow-drift', 'fail over even when the regions serve different packages')
    .addHelpText(
      'after',
      `
Checks the region taking over first (same package as the other region when it can be read,
health answered, its table replica ACTIVE), then swaps the API's PRIMARY/SECONDARY records in
one Route53 change, waits until INSYNC and reads them back. The lock and the record go to the
env's state table in the region taking over (a global table): it works with the other region
down. Exit 3 when the target region is not fit, 4 when not approved, 10 when DNS does not
read back as asked.

Examples:
  $ promote failover prod --to eu-west-1 --reason "af-south-1 outage INC-4711" --yes
  $ promote failback prod --reason "af-south-1 recovered" --yes`,
    )
    .action(async (env: EnvName, flags: FailoverFlags, command: Command) => {
      const { failover } = await import('./failover-run.js');
      await failover(env, 'failover', { ...command.optsWithGlobals(), ...flags }, command);
    });
  program
    .command('failback')
    .description("move the env's API back to its primary region")
    .argument('<env>', 'environment with a failover region (prod)', parseEnv)
    .option('--reason <text>', 'why (journaled; required)')
    .addOption(
      new Option('--allow-drift', 'fail back even when the regions serve different packages'),
    )
    .action(async (env: EnvName, flags: FailoverFlags, command: Command) => {
      const { failover } = await import('./failover-run.js');
      await failover(env, 'failback', { ...command.optsWithGlobals(), ...flags }, command);
    });
};
