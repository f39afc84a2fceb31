/**
 * `npm run build:guardian` (and every `build:cli`, so `npm ci` leaves it where terraform
 * reads it): bundles the canary guardian (guardian/index.ts) with esbuild and packs it into a
 * deterministic zip, `dist/guardian/guardian.zip`. Terraform deploys that file to each
 * guarded environment; the sandbox builds the same package in memory when it provisions one.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { bundle, zip } from './build.js';
import { projectRoot } from './project-root.js';

const root = projectRoot(import.meta.url);

/** Where terraform/main.tf expects the package (relative to the checkout). */
export const GUARDIAN_PACKAGE = join('dist', 'guardian', 'guardian.zip');

export interface GuardianPackage {
  readonly data: Buffer;
  /** Hex SHA-256 of the zip. */
  readonly sha256: string;
  /** What Lambda shows as `CodeSha256` (and terraform as `source_code_hash`). */
  readonly codeSha256: string;
  /** Where it was written, when it was. */
  readonly path?: string;
}

/** Builds the guardian's package; writes it to `outFile` when one is given. */
export const buildGuardianPackage = async (
  options: { outFile?: string } = {},
): Promise<GuardianPackage> => {
  const data = await zip([['index.mjs', await bundle('guardian/index.ts')]]);
  const digest = createHash('sha256').update(data);
  const sha256 = digest.copy().digest('hex');
  const built = { data, sha256, codeSha256: digest.digest('base64') };
  if (!options.outFile) return built;
  await mkdir(resolve(options.outFile, '..'), { recursive: true });
  await writeFile(options.outFile, data);
  return { ...built, path: options.outFile };
};

// By name, not by import.meta.url: bundled into the sandbox daemon, this module's URL is the
// daemon's own, which would run this block there.
if (process.argv[1]?.endsWith('build-guardian.ts')) {
  const built = await buildGuardianPackage({ outFile: join(root, GUARDIAN_PACKAGE) });
  console.log(`built ${relative(root, built.path ?? '')}`);
  console.log(`  size        ${(built.data.length / 1024).toFixed(1)} KiB`);
  console.log(`  CodeSha256  ${built.codeSha256}`);
}
