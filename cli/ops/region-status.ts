import type { AliasInfo, LambdaApi } from '../aws/lambda-api.js';

/** Where one region's alias points and which package that is. */
export interface RegionAlias {
  readonly region: string;
  readonly alias?: AliasInfo;
  /** CodeSha256 of the version the alias points at (weights aside). */
  readonly codeSha256?: string;
  /** Why it could not be read (a region down, missing rights). */
  readonly error?: string;
}

/** Reads one region's alias and the package behind it; a failure is an answer, not a throw. */
export const readRegionAlias = async (
  region: string,
  lambda: LambdaApi,
  aliasName: string,
): Promise<RegionAlias> => {
  try {
    const [alias, fn] = await Promise.all([lambda.getAlias(), lambda.getFunction(aliasName)]);
    return { region, alias, codeSha256: fn.codeSha256 };
  } catch (error) {
    return { region, error: (error as Error).message };
  }
};

/**
 * Drift between an environment's regions: the alias serves different packages, or is
 * mid-shift in one region only. Version numbers are per region and never compared; the
 * package (CodeSha256) is the identity. Unreadable regions are not drift (they are reported
 * as unreadable), so a DR drill with a region down does not cry wolf.
 *
 * @returns one sentence per problem, empty when the regions agree.
 */
export const regionDrift = (regions: readonly RegionAlias[]): string[] => {
  const readable = regions.filter((r) => r.codeSha256 !== undefined);
  const problems: string[] = [];
  const [first, ...rest] = readable;
  for (const other of rest) {
    if (first && other.codeSha256 !== first.codeSha256) {
      problems.push(
        `${first.region} serves ${first.codeSha256} (version ${first.alias?.version}) but ${other.region} serves ${other.codeSha256} (version ${other.alias?.version})`,
      );
    }
  }
  for (const r of readable) {
    if (r.alias && Object.keys(r.alias.weights).length > 0 && readable.length > 1) {
      problems.push(`${r.region} is mid-shift (weights ${JSON.stringify(r.alias.weights)})`);
    }
  }
  return problems;
};
