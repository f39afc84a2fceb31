import { type Command, Option } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';
import { PLANS } from '../plans/plans.js';
import { collect, envArg, percent, positive } from './arg-parsers.js';

/**
 * `promote dev|sit|prod` and `promote resume <env>`: the definitions only — commander
 * needs them for `--help`; the run itself (SDK clients, listr2…) is imported when used.
 */
const run = async (env: Parameters<typeof envArg>[0], command: Command, resume = false) => {
  const { promote } = await import('./promote-run.js');
  await promote(envArg(env), command, resume);
};

const canaryOptions = (command: Command): Command =>
  command
    .option('--canary', 'shift traffic 10% → 50% → 100% with CloudWatch gates instead of at once')
    .addOption(
      new Option(
        '--bake-scale <factor>',
        'multiply every bake (e.g. 0.01 in the sandbox)',
      ).argParser(positive('--bake-scale')),
    )
    .addOption(
      new Option(
        '--analysis-interval <seconds>',
        'seconds between analyses (default: the plan’s 60, scaled)',
      ).argParser(positive('--analysis-interval')),
    )
    .addOption(
      new Option(
        '--analysis-window <seconds>',
        'seconds of metrics each analysis reads (default: the plan’s 300, scaled)',
      ).argParser(positive('--analysis-window')),
    )
    .addOption(
      new Option(
        '--pause-before <percent>',
        'stop before shifting to this weight (repeatable)',
      ).argParser(percent),
    )
    .addOption(
      new Option(
        '--allow-alarm <name>',
        'an alarm already firing that must not block (repeatable; needs --reason)',
      ).argParser(collect),
    )
    .option(
      '--allow-low-traffic',
      'bake even when the traffic cannot give the analyses enough samples (needs --reason)',
    )
    .option('--reason <text>', 'why (journaled; required with --allow-alarm, --allow-low-traffic)');

/** Registers `promote dev|sit|prod` and `promote resume <env>`. */
export const registerPromoteCommands = (program: Command): void => {
  for (const env of ENV_NAMES) {
    canaryOptions(
      program
        .command(env)
        .description(
          `run the ${env} promotion plan: ${PLANS[env].steps.map((s) => s.kind).join(' → ')}`,
        )
        .option('--artifact <zip>', 'deploy this package instead of building the current tree')
        .option('--resume', 'continue the last unfinished run of this environment from its journal')
        .option('--abort', 'with --resume: roll the unfinished run back instead of continuing')
        .option(
          '--force-unlock',
          'remove a stale lock first (check `promote history` that its run is dead)',
        )
        .option(
          '--token <jwt>',
          `smoke-test token (default: ${env.toUpperCase()}_TOKEN, or minted in the sandbox)`,
        )
        .option('--junit <file>', 'also write the smoke results as JUnit XML')
        .option('--plan-only', 'terraform: plan, review and save the plan, print its SHA-256, stop')
        .option('--plan-file <file>', 'terraform: apply this saved plan (needs --approve-plan)')
        .option('--approve-plan <sha256>', 'terraform: the approved SHA-256 of --plan-file')
        .addOption(
          new Option(
            '--allow-destroy <address>',
            'terraform: let the plan delete/replace this stateful resource (repeatable; needs --reason)',
          ).argParser(collect),
        )
        .option('--skip-terraform', 'go on without terraform (no binary); needs --reason')
        .option(
          '--change-request <id>',
          'PROD: the approved change request, journaled with the approval',
        )
        .addOption(
          new Option(
            '--via <where>',
            "run the plan in CI instead of here: dispatch the env's workflow and follow it",
          ).choices(['github']),
        )
        .option('--ref <ref>', '--via github: the tag or branch to run (default: the tag at HEAD)')
        .option(
          '--repo <owner/name>',
          '--via github: the repository (default: GITHUB_REPOSITORY, else origin)',
        )
        .addOption(
          new Option(
            '--override-gate <gate>',
            "PROD break-glass: ship without SIT's sign-off of this package (needs --reason; journaled, shown in red)",
          ).argParser(collect),
        ),
    )
      .addHelpText(
        'after',
        `
Examples:
  $ promote ${env} --sandbox --yes                    the whole plan against the local sandbox
  $ promote ${env} --profile Tebogo-${env}               against AWS with an SSO profile
  $ promote ${env} --canary --pause-before 50          stop for a manual look before 50%
  $ promote ${env} --canary --allow-alarm order-handler-${env}-high-duration-read --reason "INC-42, fixed by this release"
  $ promote ${env} --sandbox --canary --bake-scale 0.01 --yes   bakes in seconds
  $ promote ${env} --ci --json > run.json              in CI: no prompts, one JSON document
  $ promote ${env} --resume [--abort]                  continue (or roll back) a run that crashed
  $ promote ${env} --via github --ref v1.2.0-${env}${env === 'prod' ? ' --change-request CHG-1234' : ''}   dispatch the workflow, follow it, exit with its conclusion
  $ promote ${env} --plan-only --ci                    CI job 1: plan, print its SHA-256
  $ promote ${env} --plan-file ${env}.tfplan --approve-plan <sha256> --ci --yes   CI job 2, after approval`,
      )
      .action(async (_opts, command: Command) => run(env, command));
  }
  canaryOptions(
    program
      .command('resume')
      .description('continue a paused (--pause-before) or crashed run of an environment')
      .argument('<env>', ENV_NAMES.join(' | '))
      .option('--abort', 'roll the run back instead of continuing')
      .option('--token <jwt>', 'smoke-test token'),
  )
    .addHelpText('after', '\nExamples:\n  $ promote resume prod\n  $ promote resume prod --abort')
    .action(async (value: string, _opts, command: Command) => {
      await run(value, command, true);
    });
};
