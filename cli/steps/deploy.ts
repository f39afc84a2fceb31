import { readFile } from 'node:fs/promises';
import { buildArtifact } from '../../scripts/build.js';
import { codeSha256Of } from '../artifact/inspect-artifact.js';
import type { LambdaApi } from '../aws/lambda-api.js';
import { PromoteError } from '../errors.js';
import type { StepContext, StepModule } from './step-context.js';

/** Lambda's CodeSha256: base64 of the zip's SHA-256. */
export const codeSha256 = codeSha256Of;

const releaseLabel = (ctx: StepContext): string =>
  ctx.options.git?.tag ?? ctx.options.git?.sha?.slice(0, 12) ?? 'local';

export const loadArtifact = async (ctx: StepContext): Promise<{ zip: Buffer; release: string }> => {
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
 * Puts a package into one region's function: reuses the published version that already holds
 * these bytes, else uploads, waits until Lambda reports the update Successful, and publishes a
 * version guarded by CodeSha256 (if someone else changed `$LATEST` meanwhile, PublishVersion
 * refuses). Used for the primary region (deploy) and PROD's failover region.
 *
 * @returns the version holding the package, and whether it was published by this call.
 */
export const publishPackage = async (input: {
  readonly lambda: LambdaApi;
  readonly zip: Buffer;
  readonly codeSha256: string;
  readonly description: string;
  /** The alias's name and version now (for the messages: what stays live if this fails). */
  readonly alias: string;
  readonly live: string;
  /** The region, when it is not the primary. */
  readonly region?: string;
  readonly progress: (text: string) => void;
}): Promise<{ version: string; published: boolean }> => {
  const { lambda, codeSha256: sha } = input;
  const live = `alias ${input.alias} still on ${input.live}${input.region ? ` in ${input.region}` : ''}`;
  const existing = (await lambda.listVersions()).filter((v) => v.codeSha256 === sha).pop();
  if (existing) {
    input.progress(`package unchanged: version ${existing.version} already has CodeSha256 ${sha}`);
    return { version: existing.version, published: false };
  }
  const uploaded = await lambda.updateCode(input.zip);
  if (uploaded.codeSha256 !== sha) {
    throw new PromoteError(
      'deploy_failed',
      'CODE_HASH_MISMATCH',
      `Lambda stored CodeSha256 ${uploaded.codeSha256}, expected ${sha}; ${live}`,
    );
  }
  input.progress('waiting for LastUpdateStatus=Successful…');
  try {
    await lambda.waitUpdated();
  } catch (error) {
    throw new PromoteError(
      'deploy_failed',
      'CODE_UPDATE_FAILED',
      `the code update did not succeed: ${(error as Error).message}; ${live}`,
    );
  }
  const published = await lambda.publishVersion(sha, input.description);
  input.progress(`published version ${published.version}`);
  return { version: published.version, published: true };
};

/** The version's description: release, commit and the run that published it. */
export const versionDescription = (ctx: StepContext, release: string): string =>
  [
    `release ${release}`,
    ctx.options.git?.sha ? `git ${ctx.options.git.sha.slice(0, 12)}` : undefined,
    `by promote run ${ctx.journal.runId}`,
  ]
    .filter(Boolean)
    .join(' ')
    .slice(0, 256);

/** The plan's Step 5 in the primary region: upload the code and publish a version. */
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
    const description = versionDescription(ctx, release);
    const { version, published } = await publishPackage({
      lambda,
      zip,
      codeSha256: sha,
      description,
      alias: ctx.plan.env.alias,
      live: alias.version,
      progress: (text) => ctx.progress(text),
    });
    ctx.journal.versions.candidate = version;
    if (published) {
      ctx.record.evidence.published = { version, description };
      return;
    }
    if (Number(version) < Number(alias.version)) {
      // Same bytes as an older release: what was asked, but never silently backwards.
      ctx.io.warn(
        'CANDIDATE_OLDER',
        `this package is already published as version ${version}, older than live ${alias.version}: the alias will move back to it`,
      );
      ctx.record.evidence.older = { candidate: version, live: alias.version };
    }
    ctx.record.evidence.reused = version;
  },
};
