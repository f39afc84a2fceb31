import { type Command, Option } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';
import { SMOKE_TEST_IDS } from '../smoke/smoke-suite.js';

export interface SmokeFlags {
  env: string;
  only?: string;
  junit?: string;
  baseUrl?: string;
  token?: string;
  readOnly?: boolean;
  sandbox?: boolean;
  profile?: string;
}

/** Registers `smoke --env <env>` (the bin also answers to `smoke`). */
export const registerSmokeCommand = (program: Command): void => {
  program
    .command('smoke')
    .description("run the plan's 11 smoke tests over HTTP against an environment's API")
    .addOption(new Option('--env <env>', ENV_NAMES.join(' | ')).makeOptionMandatory())
    .option(
      '--only <ids>',
      `comma-separated subset (dependencies are added): ${SMOKE_TEST_IDS.join(',')}`,
    )
    .option('--read-only', 'only the tests that write nothing (health, list)')
    .option('--junit <file>', 'write JUnit XML for CI test reporting')
    .option('--base-url <url>', "API origin (default: the environment's, or the sandbox front)")
    .option('--token <jwt>', 'bearer token (default: <ENV>_TOKEN, or minted in the sandbox)')
    .addHelpText(
      'after',
      `
Examples:
  $ SIT_TOKEN=… smoke --env sit
  $ smoke --env sit --sandbox --only create,get --junit smoke.xml
  $ promote smoke --env prod --read-only --json`,
    )
    .action(async (flags: SmokeFlags, command: Command) => {
      const { smoke } = await import('./smoke-run.js');
      await smoke(flags, command);
    });
};
