import type { Command } from 'commander';
import { ENV_NAMES } from '../../infra/environments.js';
import { envArg } from './arg-parsers.js';

/** The flags of `promote release <env>`. */
export interface ReleaseFlags {
  version: string;
  ref?: string;
  repo?: string;
}

/**
 * Registers `promote release <env> --version <semver>`: only commander definitions here, the
 * GitHub client is imported when the command runs, so other commands start no slower.
 */
export const registerReleaseCommand = (program: Command): void => {
  program
    .command('release')
    .description(
      "tag a commit v<semver>-<env> on GitHub and publish a Release with the changelog since the env's previous tag",
    )
    .argument('<env>', ENV_NAMES.join(' | '))
    .requiredOption('--version <semver>', 'the version to release, e.g. 1.2.0 (tag v1.2.0-<env>)')
    .option(
      '--ref <sha|branch>',
      'the commit to tag (default: GITHUB_SHA in Actions, else the default branch)',
    )
    .option(
      '--repo <owner/name>',
      'the GitHub repository (default: GITHUB_REPOSITORY, else origin)',
    )
    .addHelpText(
      'after',
      `
Token: GITHUB_TOKEN or GH_TOKEN with contents:write. GitHub Enterprise: GITHUB_API_URL.

Examples:
  $ GH_TOKEN=$(gh auth token) promote release sit --version 1.2.0
  $ promote release prod --version 1.2.0 --ref 3f9c2ab       tag that commit v1.2.0-prod
  $ promote release sit --version 1.3.0-rc.1 --repo acme/order-lambda --json

Refuses a version that is not semver and a tag that already exists (exit 2).`,
    )
    .action(async (value: string, flags: ReleaseFlags, command: Command) => {
      const { release } = await import('./release-run.js');
      await release(envArg(value), flags, command);
    });
};
