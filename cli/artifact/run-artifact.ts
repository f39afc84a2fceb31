import { PromoteError } from '../errors.js';
import type { GitFacts } from '../git-facts.js';
import type { RunInputs } from '../journal/run-journal.js';
import { type ArtifactFacts, inspectArtifact } from './inspect-artifact.js';

/** The release's name in journals and reports: the env's tag (`v1.2.0-sit`), else the commit. */
const releaseOf = (git: GitFacts) => git.tag ?? git.sha?.slice(0, 12) ?? 'local';

/**
 * What goes into the package itself: the commit only, never the env's tag — `v1.2.0-sit` and
 * `v1.2.0-prod` name one commit, and SIT and PROD must receive the same bytes (the sign-off
 * PROD requires is for SIT's CodeSha256).
 */
const packageLabel = (git: GitFacts) => git.sha?.slice(0, 12) ?? 'local';

/**
 * The package a new run deploys, checked before any step and any AWS call: `--artifact`
 * as given, or the working tree built now into the run's directory (so a resume finds the
 * very same bytes there).
 */
export const artifactFor = async (
  flags: { artifact?: string },
  dir: string,
  git: GitFacts,
): Promise<{ facts: ArtifactFacts; inputs: RunInputs['artifact'] }> => {
  if (flags.artifact) {
    const facts = inspectArtifact(flags.artifact);
    return { facts, inputs: { ...pick(facts), source: 'given', release: releaseOf(git) } };
  }
  const { buildArtifact } = await import('../../scripts/build.js');
  let built: { path: string };
  try {
    built = await buildArtifact({ release: packageLabel(git), outDir: dir });
  } catch (error) {
    throw new PromoteError(
      'usage',
      'BUILD_FAILED',
      `building the service failed: ${(error as Error).message}; nothing was changed`,
      'fix the build (npm run build) or pass --artifact <zip>',
      undefined,
      { cause: error },
    );
  }
  const facts = inspectArtifact(built.path);
  return { facts, inputs: { ...pick(facts), source: 'built', release: releaseOf(git) } };
};

const pick = (facts: ArtifactFacts) => ({
  path: facts.path,
  bytes: facts.bytes,
  sha256: facts.sha256,
  codeSha256: facts.codeSha256,
});
