import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isUpdateInProgress,
  type LambdaApi,
  lambdaApi,
  retryWhileUpdating,
  type UpdateRetry,
} from '../../cli/aws/lambda-api.js';
import type { AwsTarget } from '../../cli/aws/target.js';
import { codeSha256 } from '../../cli/steps/deploy.js';
import { ENVIRONMENTS } from '../../infra/environments.js';
import {
  createFunction,
  esmHandler,
  type LambdaHarness,
  makeZip,
  REGION,
  SIT,
  startLambdaHarness,
} from './lambda-harness.js';

/**
 * The promote CLI's Lambda calls against a control plane whose changes are asynchronous,
 * as AWS's are: UpdateFunctionCode and PublishVersion refused with 409 "update in
 * progress" are retried with bounded backoff, and the deploy sequence (upload → wait for
 * Successful → publish guarded by CodeSha256) goes through without a refusal.
 */

const UPDATE_MS = 1_500;

describe('promote CLI Lambda calls under asynchronous updates', () => {
  let h: LambdaHarness;
  let sit: LambdaClient;

  beforeAll(async () => {
    h = await startLambdaHarness({ updateMs: UPDATE_MS });
    sit = h.lambda(SIT);
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A retry policy that records its pauses (really pausing, briefly). */
  const recordingRetry = (attempts = 20): UpdateRetry & { pauses: number[] } => {
    const pauses: number[] = [];
    return {
      attempts,
      baseDelayMs: 100,
      maxDelayMs: 400,
      pauses,
      sleep: (ms) => {
        pauses.push(ms);
        return new Promise((resolve) => setTimeout(resolve, ms));
      },
    };
  };

  const apiFor = (name: string, retry: UpdateRetry): LambdaApi => {
    const target: AwsTarget = {
      env: { ...ENVIRONMENTS.sit, functionName: name },
      sandbox: true,
      clientConfig: {
        region: REGION,
        endpoint: h.endpoint,
        credentials: { accessKeyId: 'sandbox-sit', secretAccessKey: 'sandbox' },
        maxAttempts: 1,
      },
      apiBaseUrl: 'http://unused',
      describe: 'lambda harness',
    };
    return lambdaApi(target, sit, retry);
  };

  const fresh = async (base: string) => {
    const name = h.name(base);
    await createFunction(h, { name, code: esmHandler(`return 'v1';`) });
    return name;
  };

  it('deploys as the deploy step does (upload, wait for Successful, publish) without a refusal', async () => {
    // Prepare
    const name = await fresh('deploy');
    const retry = recordingRetry();
    const api = apiFor(name, retry);
    const zip = await makeZip(esmHandler(`return 'v2';`));

    // Act
    const uploaded = await api.updateCode(zip);
    const during = await api.getFunction();
    await api.waitUpdated(30);
    const published = await api.publishVersion(codeSha256(zip), 'release test');

    // Assess
    expect(uploaded.codeSha256).toBe(codeSha256(zip));
    expect(during.lastUpdateStatus).toBe('InProgress');
    expect(published).toMatchObject({ version: '1', codeSha256: codeSha256(zip) });
    expect(retry.pauses).toEqual([]);
  });

  it('retries a PublishVersion refused while the upload is still in progress, then publishes', async () => {
    // Prepare
    const name = await fresh('publish');
    const retry = recordingRetry();
    const api = apiFor(name, retry);
    const zip = await makeZip(esmHandler(`return 'v2';`));
    await api.updateCode(zip);

    // Act
    const published = await api.publishVersion(codeSha256(zip), 'no wait');

    // Assess
    expect(retry.pauses.length).toBeGreaterThan(0);
    expect(retry.pauses).toEqual(
      retry.pauses.map((_, i) => Math.min(100 * 2 ** i, 400)), // doubling, capped
    );
    expect(published).toMatchObject({ version: '1', codeSha256: codeSha256(zip) });
  });

  it('retries an upload refused because another change is running', async () => {
    // Prepare
    const name = await fresh('upload');
    const retry = recordingRetry();
    const api = apiFor(name, retry);
    await sit.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: name, Description: 'someone else' }),
    );
    const zip = await makeZip(esmHandler(`return 'v3';`));

    // Act
    const uploaded = await api.updateCode(zip);
    await api.waitUpdated(30);
    const config = await sit.send(new GetFunctionConfigurationCommand({ FunctionName: name }));

    // Assess
    expect(retry.pauses.length).toBeGreaterThan(0);
    expect(uploaded.codeSha256).toBe(codeSha256(zip));
    expect(config).toMatchObject({ CodeSha256: codeSha256(zip), Description: 'someone else' });
  });

  it('gives up after the bounded number of attempts with the 409 itself', async () => {
    // Prepare
    const name = await fresh('bounded');
    const retry = recordingRetry(2);
    const api = apiFor(name, retry);
    await api.updateCode(await makeZip(esmHandler(`return 'v2';`)));

    // Act
    const error = await api.publishVersion('', 'too soon').then(
      () => undefined,
      (e: unknown) => e as Error,
    );

    // Assess
    expect(retry.pauses).toEqual([100]);
    expect(isUpdateInProgress(error)).toBe(true);
    expect(error?.name).toBe('ResourceConflictException');
  });

  it('does not retry other refusals (a CodeSha256 that is not the current code)', async () => {
    // Prepare
    const name = await fresh('other');
    const retry = recordingRetry();

    // Act
    const error = await retryWhileUpdating(
      () => sit.send(new PublishVersionCommand({ FunctionName: name, CodeSha256: 'wrong=' })),
      retry,
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );

    // Assess
    expect(error?.name).toBe('InvalidParameterValueException');
    expect(retry.pauses).toEqual([]);
  });
});
