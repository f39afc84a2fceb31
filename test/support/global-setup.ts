import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, startMoto } from '../../sandbox/engines/local-engines.js';
import { buildCli, builtCliHash, cliSourceHash } from '../../scripts/build-cli.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    motoEndpoint: string;
  }
}

/** One DynamoDB Local and one moto for the whole run; each test file uses its own tables. */
export default async function setup(project: TestProject) {
  // The e2e tests run bin/promote.mjs, i.e. the bundle `npm ci` builds. A bundle built from
  // other sources (edited since) is rebuilt exactly as `prepare` would, never used stale.
  if (builtCliHash() !== cliSourceHash()) await buildCli();
  const [dynamo, moto] = await Promise.all([startDynamoDbLocal(), startMoto()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('motoEndpoint', moto.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), moto.stop()]);
  };
}
