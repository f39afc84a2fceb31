import {
  type AliasConfiguration,
  type FunctionConfiguration,
  GetAliasCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { motoClient, releaseMotoClients } from '../moto/clients.js';
import { resourceNotFound, serviceException } from './errors.js';
import { type FunctionRef, functionArn } from './function-ref.js';
import { pickVersion, type Random } from './weighted-routing.js';

/** Everything the runtime needs to run one invocation of one version. */
export interface ResolvedFunction {
  readonly account: string;
  readonly region: string;
  readonly functionName: string;
  /** The qualifier the caller used, if any (drives the `Resource` metric dimension). */
  readonly qualifier?: string;
  /** The version that runs: `$LATEST` or a number, after alias routing. */
  readonly version: string;
  /** The ARN the caller invoked, qualified as they qualified it (`context.invokedFunctionArn`). */
  readonly invokedFunctionArn: string;
  readonly codeSha256: string;
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly role: string;
  /** Reserved concurrency; undefined when none is set. */
  readonly reservedConcurrency?: number;
}

interface Cached<T> {
  readonly value: Promise<T>;
  readonly expiresAt: number;
}

const isNotFound = (error: unknown) =>
  (error as { name?: string })?.name === 'ResourceNotFoundException';

/**
 * Resolves an invocation's target through moto's control plane: alias → version (honouring
 * routing weights) → that version's configuration and the function's reserved concurrency.
 *
 * Lookups are cached for a short TTL (≤ 1 s) so that a burst of invocations does not
 * hammer moto, yet a traffic shift is seen almost at once; the Lambda front door also
 * invalidates a function's entries whenever a control-plane change to it passes through.
 * The weighted pick itself is never cached: it is drawn per invocation.
 */
export class FunctionResolver {
  private readonly cache = new Map<string, Cached<unknown>>();

  constructor(
    private readonly motoEndpoint: string,
    private readonly random: Random,
    private readonly ttlMs = 500,
    private readonly now: () => number = Date.now,
  ) {
    if (ttlMs > 1_000) throw new Error('the configuration cache TTL must not exceed 1 s');
  }

  /** @throws LambdaServiceError ResourceNotFoundException for an unknown function/alias/version. */
  async resolve(account: string, region: string, ref: FunctionRef): Promise<ResolvedFunction> {
    const qualifier = ref.qualifier;
    let version = qualifier ?? '$LATEST';
    if (qualifier && qualifier !== '$LATEST' && !/^\d+$/.test(qualifier)) {
      const alias = await this.alias(account, region, ref.name, qualifier);
      version = pickVersion(
        alias.FunctionVersion ?? '$LATEST',
        alias.RoutingConfig?.AdditionalVersionWeights,
        this.random,
      );
    }
    const [config, reservedConcurrency] = await Promise.all([
      this.configuration(account, region, ref.name, version),
      this.reservedConcurrency(account, region, ref.name),
    ]);
    const arn = functionArn(region, account, ref.name);
    return {
      account,
      region,
      functionName: ref.name,
      ...(qualifier ? { qualifier } : {}),
      version: config.Version ?? version,
      invokedFunctionArn: qualifier ? `${arn}:${qualifier}` : arn,
      codeSha256: config.CodeSha256 ?? '',
      handler: config.Handler ?? 'index.handler',
      runtime: config.Runtime ?? 'nodejs20.x',
      timeoutSeconds: config.Timeout ?? 3,
      memoryMb: config.MemorySize ?? 128,
      environment: config.Environment?.Variables ?? {},
      role: config.Role ?? '',
      ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
    };
  }

  /** Forgets what is cached about one function (after a control-plane change to it). */
  invalidate(account: string, region: string, functionName: string): void {
    const prefix = `${account}/${region}/${functionName}/`;
    for (const key of this.cache.keys()) if (key.startsWith(prefix)) this.cache.delete(key);
  }

  /** Releases the moto clients (their keep-alive sockets); the resolver is unusable after. */
  close(): void {
    releaseMotoClients(this.motoEndpoint);
    this.cache.clear();
  }

  private alias(account: string, region: string, name: string, alias: string) {
    return this.cached(`${account}/${region}/${name}/alias/${alias}`, async () => {
      try {
        return await this.client(account, region).send(
          new GetAliasCommand({ FunctionName: name, Name: alias }),
        );
      } catch (error) {
        if (isNotFound(error)) {
          throw resourceNotFound(
            `Function not found: ${functionArn(region, account, name)}:${alias}`,
          );
        }
        throw serviceException(`alias lookup failed: ${(error as Error).message}`);
      }
    }) as Promise<AliasConfiguration>;
  }

  private configuration(account: string, region: string, name: string, version: string) {
    return this.cached(`${account}/${region}/${name}/version/${version}`, async () => {
      try {
        return await this.client(account, region).send(
          new GetFunctionConfigurationCommand({ FunctionName: name, Qualifier: version }),
        );
      } catch (error) {
        if (isNotFound(error)) {
          const suffix = version === '$LATEST' ? '' : `:${version}`;
          throw resourceNotFound(
            `Function not found: ${functionArn(region, account, name)}${suffix}`,
          );
        }
        throw serviceException(`configuration lookup failed: ${(error as Error).message}`);
      }
    }) as Promise<FunctionConfiguration>;
  }

  private reservedConcurrency(account: string, region: string, name: string) {
    return this.cached(`${account}/${region}/${name}/concurrency`, async () => {
      try {
        const answer = await this.client(account, region).send(
          new GetFunctionConcurrencyCommand({ FunctionName: name }),
        );
        return answer.ReservedConcurrentExecutions;
      } catch (error) {
        // The configuration lookup reports a missing function; here it just means "none".
        if (isNotFound(error)) return undefined;
        throw serviceException(`concurrency lookup failed: ${(error as Error).message}`);
      }
    }) as Promise<number | undefined>;
  }

  /** Caches the promise, so concurrent invocations share one lookup; failures are not kept. */
  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.value as Promise<T>;
    const value = load();
    this.cache.set(key, { value, expiresAt: this.now() + this.ttlMs });
    value.catch(() => {
      if (this.cache.get(key)?.value === value) this.cache.delete(key);
    });
    return value;
  }

  private client(account: string, region: string): LambdaClient {
    return motoClient(LambdaClient, this.motoEndpoint, account, region);
  }
}
