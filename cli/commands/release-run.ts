import type { Command } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import { createGithubClient } from '../github/github-client.js';
import { createEnvRelease, requireSemver } from '../github/release.js';
import { ioOf } from './io-of.js';
import type { ReleaseFlags } from './release.js';

/** `promote release <env>`: the run (imported only when the command is used). */
export const release = async (env: EnvName, flags: ReleaseFlags, command: Command) => {
  const io = ioOf(command);
  requireSemver(flags.version);
  const client = await createGithubClient({
    env: process.env,
    ...(flags.repo !== undefined ? { repo: flags.repo } : {}),
  });
  const result = await createEnvRelease(
    client,
    { env, version: flags.version, ...(flags.ref !== undefined ? { ref: flags.ref } : {}) },
    process.env,
  );
  io.info(
    'GITHUB_RELEASED',
    `tagged ${result.tag} on ${result.sha.slice(0, 7)}${result.previousTag ? ` (since ${result.previousTag})` : ''}: ${result.releaseUrl}`,
    { tag: result.tag, sha: result.sha, url: result.releaseUrl },
  );
  io.result(result.changelog.trimEnd());
  io.document({ ok: true, env, release: result });
};
