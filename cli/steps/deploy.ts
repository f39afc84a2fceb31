import { readFile } from 'node:fs/promises';
import { buildArtifact } from '../../scripts/build.js';
import { codeSha256Of } from '../artifact/inspect-artifact.js';
import { PromoteError } from '../errors.js';
import type { StepContext, StepModule } from './step-context.js';

/** Lambda's CodeSha256: base64 of the zip's SHA-256. */
export const codeSha256 = codeSha256Of;

const releaseLabel = (ctx: StepContext): string =>
  ctx.options.git?.tag ?? ctx.options.git?.sha?.slice(0, 12) ?? 'local';

const loadArtifact = async (ctx: StepContext): Promise<{ zip: Buffer; release: string }> => {
  const inputs = ctx.journal.inputs?.artifact;
  const path = inputs?.path ?? ctx.options.artifact;
  if (path) {
    let zip: Buffer;
    try {
      zip = await readFile(path);
    } catch (error) {
      throw new PromoteError(
        'usage',
        'ARTIFACT_UNREADABLE',
        `cannot read the artifact ${path}: ${(error as Error).message}; nothing was deployed`,
      );
    }
    // The file the run was asked to deploy, byte for byte (it was hashed before the first step).
    if (inputs && codeSha256Of(zip) !== inputs.codeSha256) {
      throw new PromoteError(
        'usage',
        'ARTIFACT_CHANGED',
        `the artifact ${path} changed since the run began (CodeSha256 ${codeSha256Of(zip)}, journaled ${inputs.codeSha256}); nothing was deployed`,
        'start a new run for the new package',
      );
    }
    return { zip, release: inputs?.release ?? releaseLabel(ctx) };
  }
  ctx.progress('building the service (esbuild)…');
  const built = await buildArtifact({ release: releaseLabel(ctx) });
  return { zip: built.data, release: releaseLabel(ctx) };
};

/**
 * The plan's Step 5: upload the code, wait until Lambda reports the update Successful, and
 * publish a version guarded by CodeSha256 (if someone else changed `$LATEST` meanwhile,
 * PublishVersion refuses). The same package twice publishes nothing new: the existing
 * version with that hash becomes the candidate.
 */
export const deploy: StepModule<'deploy'> = {
  kind: 'deploy',
  title: (_spec, plan) => `Deploy ${plan.env.functionName}: upload, publish version`,
  async run(ctx) {
    const { lambda } = ctx.apis;
    const alias = await lambda.getAlias();
    ctx.journal.versions.before ??= alias.version;
    const { zip, release } = await loadArtifact(ctx);
    const sha = codeSha256(zip);
    ctx.journal.artifact = { codeSha256: sha, release, bytes: zip.length };
    ctx.record.evidence.artifact = { codeSha256: sha, release, bytes: zip.length };
    const existing = (await lambda.listVersions()).filter((v) => v.codeSha256 === sha).pop();
    if (existing) {
      if (Number(existing.version) < Number(alias.version)) {
        // Same bytes as an older release: what was asked, but never silently backwards.
        ctx.io.warn(
          'CANDIDATE_OLDER',
          `this package is already published as version ${existing.version}, older than live ${alias.version}: the alias will move back to it`,
        );
        ctx.record.evidence.older = { candidate: existing.version, live: alias.version };
      }
      ctx.journal.versions.candidate = existing.version;
      ctx.record.evidence.reused = existing.version;
      ctx.progress(`package unchanged: version ${existing.version} already has CodeSha256 ${sha}`);
      return;
    }
    const uploaded = await lambda.updateCode(zip);
    if (uploaded.codeSha256 !== sha) {
      throw new PromoteError(
        'deploy_failed',
        'CODE_HASH_MISMATCH',
        `Lambda stored CodeSha256 ${uploaded.codeSha256}, expected ${sha}; the alias was not touched`,
      );
    }
    ctx.progress('waiting for LastUpdateStatus=Successful…');
    try {
      await lambda.waitUpdated();
    } catch (error) {
      throw new PromoteError(
        'deploy_failed',
        'CODE_UPDATE_FAILED',
        `the code update did not succeed: ${(error as Error).message}; alias ${ctx.plan.env.alias} still on ${alias.version}`,
      );
    }
    const git = ctx.options.git;
    const description = [
      `release ${release}`,
      git?.sha ? `git ${git.sha.slice(0, 12)}` : undefined,
      `by promote run ${ctx.journal.runId}`,
    ]
      .filter(Boolean)
      .join(' ')
      .slice(0, 256);
    const published = await lambda.publishVersion(sha, description);
    ctx.journal.versions.candidate = published.version;
    ctx.record.evidence.published = { version: published.version, description };
    ctx.progress(`published version ${published.version}`);
  },
};
