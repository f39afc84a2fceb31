import type { AwsTarget } from './target.js';

/**
 * The same environment, account and credentials in another of its regions (PROD's failover
 * region): every client built from it signs for that region, and the env's facts name it.
 */
export const inRegion = (target: AwsTarget, region: string): AwsTarget => ({
  ...target,
  env: { ...target.env, region },
  clientConfig: { ...target.clientConfig, region },
  describe: `${target.describe} in ${region}`,
});

/**
 * A region's own API origin outside the sandbox: `PROMOTE_API_URL_<ENV>_<REGION>` (e.g.
 * `PROMOTE_API_URL_PROD_EU_WEST_1`), else none — the public domain follows DNS, not a region.
 */
export const regionalApiUrlOf = (
  envName: string,
  region: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): string | undefined =>
  processEnv[`PROMOTE_API_URL_${envName.toUpperCase()}_${region.toUpperCase().replace(/-/g, '_')}`]
    ?.trim()
    .replace(/\/+$/, '') || undefined;
