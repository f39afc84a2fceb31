import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, startMoto } from '../../sandbox/engines/local-engines.js';
import buildCliBundle from './cli-bundle-setup.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    motoEndpoint: string;
  }
}

/** One DynamoDB Local and one moto for the whole run; each test file uses its own tables. */
export default async function setup(project: TestProject) {
  await buildCliBundle();
  const [dynamo, moto] = await Promise.all([startDynamoDbLocal(), startMoto()]);
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('motoEndpoint', moto.endpoint);
  return async () => {
    await Promise.all([dynamo.stop(), moto.stop()]);
  };
}
