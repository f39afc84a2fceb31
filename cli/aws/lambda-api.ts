import {
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import type { AwsTarget } from './target.js';

/**
 * Lambda changes a function asynchronously: after UpdateFunctionCode (or a configuration
 * change, or while the function is still being created) it refuses another change and a
 * PublishVersion with 409 "The operation cannot be performed at this time. An update is in
 * progress for resource: …" until LastUpdateStatus is Successful.
 */
export const isUpdateInProgress = (error: unknown): boolean => {
  const e = error as { name?: string; message?: string } | undefined;
  return (
    e?.name === 'ResourceConflictException' &&
    /An update is in progress|currently in the following state: Pending/.test(e.message ?? '')
  );
};

/** How long to keep retrying a call refused as "update in progress", and how. */
export interface UpdateRetry {
  /** Attempts in all (the first included). */
  readonly attempts: number;
  /** First pause; doubled after each refusal, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** 8 attempts over at most ~1 + 2 + 4 + 8 + 10 + 10 + 10 = 45 s. */
export const DEFAULT_UPDATE_RETRY: UpdateRetry = {
  attempts: 8,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Runs `call`, retrying it with bounded exponential backoff while Lambda answers 409
 * "update in progress"; any other error, or the last refusal, is thrown as is.
 */
export const retryWhileUpdating = async <T>(
  call: () => Promise<T>,
  retry: UpdateRetry = DEFAULT_UPDATE_RETRY,
): Promise<T> => {
  let delay = retry.baseDelayMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isUpdateInProgress(error) || attempt >= retry.attempts) throw error;
      await retry.sleep(delay);
      delay = Math.min(delay * 2, retry.maxDelayMs);
    }
  }
};

/** What the steps need to know about one function version. */
export interface VersionInfo {
  readonly version: string;
  readonly codeSha256: string;
  readonly description: string;
  readonly lastModified?: string;
}

/** Where alias `live` points: the stable version and the canary weights. */
export interface AliasInfo {
  readonly version: string;
  /** Additional version → weight (0..1); empty when all traffic goes to `version`. */
  readonly weights: Readonly<Record<string, number>>;
}

/** The function configuration the verify step checks. */
export interface FunctionInfo extends VersionInfo {
  readonly runtime?: string;
  readonly handler?: string;
  readonly state?: string;
  readonly lastUpdateStatus?: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout?: number;
  readonly memorySize?: number;
}

/**
 * The Lambda calls `promote` makes, bound to one environment's function and alias — the
 * narrow surface the deploy role allows (CDK toolkit style: the blast radius is visible).
 */
export interface LambdaApi {
  getFunction(qualifier?: string): Promise<FunctionInfo>;
  getAlias(): Promise<AliasInfo>;
  /** Points the alias at `version` with `weights` (an empty object clears them). */
  updateAlias(version: string, weights: Readonly<Record<string, number>>): Promise<AliasInfo>;
  /** Uploads the code; retried (bounded) while another change to the function is running. */
  updateCode(zip: Uint8Array): Promise<{ codeSha256: string }>;
  /**
   * Waits until the function is Active and LastUpdateStatus is Successful; throws with the
   * reason when it failed.
   */
  waitUpdated(maxWaitSeconds?: number): Promise<void>;
  /**
   * Publishes `$LATEST`, refusing if its code is not `codeSha256` (someone else deployed);
   * retried (bounded) while an update is still in progress.
   */
  publishVersion(codeSha256: string, description: string): Promise<VersionInfo>;
  /** Published versions, oldest first (`$LATEST` excluded). */
  listVersions(): Promise<VersionInfo[]>;
  /**
   * `aws lambda get-function` as the plan saves it (`pre-deployment-snapshot.json`), minus
   * `Code.Location`: a presigned URL is a credential and must not land in a file.
   */
  snapshot(): Promise<Record<string, unknown>>;
  /** Invokes one version directly (warm-up before it takes traffic). */
  invoke(qualifier: string, payload: unknown): Promise<{ functionError?: string; payload: string }>;
}

const toVersion = (c: {
  Version?: string;
  CodeSha256?: string;
  Description?: string;
  LastModified?: string;
}): VersionInfo => ({
  version: c.Version ?? '',
  codeSha256: c.CodeSha256 ?? '',
  description: c.Description ?? '',
  ...(c.LastModified ? { lastModified: c.LastModified } : {}),
});

export const lambdaApi = (
  target: AwsTarget,
  client = new LambdaClient(target.clientConfig),
  retry: UpdateRetry = DEFAULT_UPDATE_RETRY,
): LambdaApi => {
  const FunctionName = target.env.functionName;
  const Name = target.env.alias;
  const alias = (a: {
    FunctionVersion?: string;
    RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
  }): AliasInfo => ({
    version: a.FunctionVersion ?? '',
    weights: a.RoutingConfig?.AdditionalVersionWeights ?? {},
  });
  return {
    async getFunction(qualifier) {
      const out = await client.send(
        new GetFunctionCommand({ FunctionName, ...(qualifier ? { Qualifier: qualifier } : {}) }),
      );
      const c = out.Configuration ?? {};
      return {
        ...toVersion(c),
        ...(c.Runtime ? { runtime: c.Runtime } : {}),
        ...(c.Handler ? { handler: c.Handler } : {}),
        ...(c.State ? { state: c.State } : {}),
        ...(c.LastUpdateStatus ? { lastUpdateStatus: c.LastUpdateStatus } : {}),
        environment: c.Environment?.Variables ?? {},
        ...(c.Timeout !== undefined ? { timeout: c.Timeout } : {}),
        ...(c.MemorySize !== undefined ? { memorySize: c.MemorySize } : {}),
      };
    },
    async getAlias() {
      return alias(await client.send(new GetAliasCommand({ FunctionName, Name })));
    },
    async updateAlias(version, weights) {
      return alias(
        await client.send(
          new UpdateAliasCommand({
            FunctionName,
            Name,
            FunctionVersion: version,
            RoutingConfig: { AdditionalVersionWeights: { ...weights } },
          }),
        ),
      );
    },
    async updateCode(zip) {
      const out = await retryWhileUpdating(
        () => client.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: zip })),
        retry,
      );
      return { codeSha256: out.CodeSha256 ?? '' };
    },
    async waitUpdated(maxWaitSeconds = 300) {
      await waitUntilFunctionUpdatedV2({ client, maxWaitTime: maxWaitSeconds }, { FunctionName });
    },
    async publishVersion(codeSha256, description) {
      return toVersion(
        await retryWhileUpdating(
          () =>
            client.send(
              new PublishVersionCommand({
                FunctionName,
                CodeSha256: codeSha256,
                Description: description,
              }),
            ),
          retry,
        ),
      );
    },
    async invoke(qualifier, payload) {
      const out = await client.send(
        new InvokeCommand({
          FunctionName,
          Qualifier: qualifier,
          Payload: Buffer.from(JSON.stringify(payload)),
        }),
      );
      return {
        ...(out.FunctionError ? { functionError: out.FunctionError } : {}),
        payload: Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8'),
      };
    },
    async snapshot() {
      const { $metadata: _metadata, ...out } = await client.send(
        new GetFunctionCommand({ FunctionName }),
      );
      const { Location: _location, ...code } = out.Code ?? {};
      return { ...out, Code: code };
    },
    async listVersions() {
      const versions: VersionInfo[] = [];
      let Marker: string | undefined;
      do {
        const page = await client.send(new ListVersionsByFunctionCommand({ FunctionName, Marker }));
        versions.push(...(page.Versions ?? []).map(toVersion));
        Marker = page.NextMarker;
      } while (Marker);
      return versions
        .filter((v) => v.version !== '$LATEST')
        .sort((a, b) => Number(a.version) - Number(b.version));
    },
  };
};
