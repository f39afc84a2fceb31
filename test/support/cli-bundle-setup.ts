import { buildCli, builtCliHash, cliSourceHash } from '../../scripts/build-cli.js';

/**
 * The e2e tests run bin/promote.mjs, i.e. the bundle `npm ci` builds. A bundle built from
 * other sources (edited since) is rebuilt exactly as `prepare` would, never used stale.
 */
export default async function setup(): Promise<void> {
  if (builtCliHash() !== cliSourceHash()) await buildCli();
}
