import { createHash, randomUUID } from 'node:crypto';
import type { MetricSink } from '../cloudwatch/metric-sink.js';
import { type CodeStore, hexFromCodeSha256 } from './code-store.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import {
  accessDenied,
  invalidRequestContent,
  invalidRuntime,
  LambdaServiceError,
  requestTooLarge,
  resourceNotFound,
  serviceException,
  tooManyRequests,
} from './errors.js';
import type { FaultRegistry } from './fault-registry.js';
import { FunctionLogs, logTail } from './function-logs.js';
import { parseFunctionRef } from './function-ref.js';
import { FunctionResolver, type ResolvedFunction } from './function-resolver.js';
import { type CredentialsFor, instanceEnvironment } from './instance-environment.js';
import { InstancePool } from './instance-pool.js';
import { InvocationLog } from './invocation-log.js';
import { lambdaMetricData } from './lambda-metrics.js';
import { FunctionInitError, type InstanceSpec, type InvocationOutcome } from './warm-instance.js';
import type { Random } from './weighted-routing.js';
import type { ErrorBody } from './worker-bootstrap.js';

export interface LambdaRuntimeDeps {
  /** moto, for function configuration, aliases and reserved concurrency. */
  readonly motoEndpoint: string;
  readonly codeStore: CodeStore;
  readonly metrics: MetricSink;
  readonly faults: FaultRegistry;
  /** Where `<account>/<region>/<function>.log` files go. */
  readonly logsDir: string;
  /** The sandbox gateway URL, given to functions as `AWS_ENDPOINT_URL`. */
  readonly endpointUrl: string;
  readonly credentialsFor: CredentialsFor;
  /** Draws for alias weights and fault error rates; default `Math.random`. */
  readonly random?: Random;
  /** Configuration cache TTL, at most 1 s; default 500 ms. */
  readonly configTtlMs?: number;
  /**
   * Concurrency limit of a function without reserved concurrency: default 1000, AWS's default
   * account concurrency, which unreserved functions share.
   */
  readonly defaultConcurrencyLimit?: number;
  /**
   * Cold starts at once (default: the machine's cores); instances themselves grow with
   * concurrency, up to the function's limit, as in Lambda.
   */
  readonly maxConcurrentColdStarts?: number;
  /** Idle instances are stopped after this long; default 5 min. */
  readonly idleMs?: number;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeInput {
  readonly account: string;
  readonly region: string;
  /** Name, `name:qualifier`, partial or full ARN. */
  readonly functionName: string;
  readonly qualifier?: string;
  readonly payload: Buffer;
  readonly invocationType: InvocationType;
  readonly logType?: 'None' | 'Tail';
  /** `X-Amz-Client-Context`: base64 JSON, passed on as `context.clientContext`. */
  readonly clientContext?: string;
}

export interface InvokeResult {
  /** 200 (RequestResponse, function errors included), 202 (Event) or 204 (DryRun). */
  readonly statusCode: number;
  readonly requestId: string;
  readonly executedVersion?: string;
  readonly payload: Buffer;
  readonly functionError?: 'Unhandled';
  /** base64 of the last 4 KB of the invocation's log, when `logType` is `Tail`. */
  readonly logResult?: string;
}

const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
const ASYNC_PAYLOAD_LIMIT = 256 * 1024;
const EVENT_THROTTLE_RETRIES = 5;
const empty = Buffer.alloc(0);

/**
 * Lambda's data plane for the sandbox: resolves what an Invoke targets through moto, then
 * runs the handler in a warm, isolated Worker of that exact version and code, enforcing
 * timeout and concurrency, injecting faults, and publishing Lambda's metrics, EMF metrics
 * and logs.
 *
 * @example
 * const runtime = new LambdaRuntime({ motoEndpoint, codeStore, metrics, faults, logsDir,
 *   endpointUrl: 'http://127.0.0.1:4566', credentialsFor });
 * const result = await runtime.invoke({ account: '815856636111', region: 'eu-west-1',
 *   functionName: 'order-handler-sit', qualifier: 'live', payload: Buffer.from('{}'),
 *   invocationType: 'RequestResponse' });
 */
export class LambdaRuntime {
  readonly logs: FunctionLogs;
  private readonly resolver: FunctionResolver;
  private readonly pool: InstancePool;
  private readonly limiter = new ConcurrencyLimiter();
  private readonly random: Random;
  private readonly background = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly deps: LambdaRuntimeDeps) {
    this.random = deps.random ?? Math.random;
    this.resolver = new FunctionResolver(deps.motoEndpoint, this.random, deps.configTtlMs ?? 500);
    this.pool = new InstancePool({
      idleMs: deps.idleMs ?? 300_000,
      maxAgeMs: 30 * 60_000,
      initTimeoutMs: 10_000,
      ...(deps.maxConcurrentColdStarts
        ? { maxConcurrentColdStarts: deps.maxConcurrentColdStarts }
        : {}),
    });
    this.logs = new FunctionLogs(deps.logsDir);
  }

  /** @throws LambdaServiceError for request-level failures (not found, throttled, bad payload). */
  async invoke(input: InvokeInput): Promise<InvokeResult> {
    if (this.closed) throw serviceException('The Lambda runtime is shut down');
    const ref = parseFunctionRef(input.functionName, input.qualifier);
    if (ref.account && ref.account !== input.account) {
      throw accessDenied(
        `User in account ${input.account} is not authorized to perform: lambda:InvokeFunction on resource: ${input.functionName}`,
      );
    }
    if (ref.region && ref.region !== input.region) {
      throw resourceNotFound(`Function not found: ${input.functionName}`);
    }
    const limit = input.invocationType === 'Event' ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
    if (input.payload.length > limit) {
      throw requestTooLarge(`Request must be smaller than ${limit} bytes for the Invoke operation`);
    }
    const event = input.payload.length === 0 ? '{}' : input.payload.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(event);
    } catch (error) {
      throw invalidRequestContent(
        `Could not parse request body into json: ${(error as Error).message}`,
      );
    }
    const fn = await this.resolver.resolve(input.account, input.region, ref);
    if (!fn.runtime.startsWith('nodejs')) {
      throw invalidRuntime(
        `The sandbox runs Node.js functions only; ${fn.functionName} uses ${fn.runtime}`,
      );
    }
    const requestId = randomUUID();
    if (input.invocationType === 'DryRun') {
      return { statusCode: 204, requestId, executedVersion: fn.version, payload: empty };
    }
    const clientContext = decodeClientContext(input.clientContext);
    if (input.invocationType === 'Event') {
      this.runInBackground(() => this.execute(fn, event, parsed, requestId, false, clientContext));
      return { statusCode: 202, requestId, payload: empty };
    }
    return this.execute(fn, event, parsed, requestId, input.logType === 'Tail', clientContext);
  }

  /** Drops cached configuration of a function, so a control-plane change applies at once. */
  invalidate(account: string, region: string, functionName: string): void {
    this.resolver.invalidate(account, region, functionName);
  }

  /** Resolves when every `Event` invocation accepted so far has finished. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /** How many warm instances exist (busy or idle), across every function. */
  get instances(): number {
    return this.pool.size;
  }

  /**
   * Shuts the runtime down: new invocations are refused, every warm instance (busy ones
   * included, whose invocations then fail) and every cold start under way is stopped, queued
   * `Event` invocations end, and the moto clients are released. Idempotent. Call it before
   * exiting (a test's afterAll), or Worker threads keep the process alive.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
    await this.settled();
    this.resolver.close();
    await this.logs.close();
  }

  private async execute(
    fn: ResolvedFunction,
    event: string,
    parsed: unknown,
    requestId: string,
    tail: boolean,
    clientContext: unknown,
  ): Promise<InvokeResult> {
    const started = Date.now();
    const base = {
      account: fn.account,
      region: fn.region,
      functionName: fn.functionName,
      ...(fn.qualifier ? { qualifier: fn.qualifier } : {}),
      executedVersion: fn.version,
    };
    const concurrencyKey = `${fn.account}/${fn.region}/${fn.functionName}`;
    const limit = fn.reservedConcurrency ?? this.deps.defaultConcurrencyLimit ?? 1000;
    const running = this.limiter.tryAcquire(concurrencyKey, limit);
    if (running === undefined) {
      this.deps.metrics.put(lambdaMetricData({ ...base, timestamp: started, throttles: 1 }));
      throw tooManyRequests(fn.reservedConcurrency !== undefined);
    }
    try {
      const log = new InvocationLog(fn.version, requestId);
      log.platform(`START RequestId: ${requestId} Version: ${fn.version}`);
      const { outcome, initMs } = await this.run(fn, event, parsed, requestId, log, clientContext);
      if (!outcome.ok) {
        log.platform(
          outcome.error.errorType === 'Sandbox.Timedout'
            ? `${new Date().toISOString()} ${requestId} ${outcome.error.errorMessage}`
            : `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(outcome.error)}`,
        );
      }
      log.platform(`END RequestId: ${requestId}`);
      const init = initMs === undefined ? '' : `\tInit Duration: ${initMs.toFixed(2)} ms`;
      log.platform(
        `REPORT RequestId: ${requestId}\tDuration: ${outcome.durationMs.toFixed(2)} ms\t` +
          `Billed Duration: ${Math.ceil(outcome.durationMs)} ms\tMemory Size: ${fn.memoryMb} MB${init}`,
      );
      this.deps.metrics.put([
        ...log.metricData(fn.account, fn.region),
        ...lambdaMetricData({
          ...base,
          timestamp: started,
          invocations: 1,
          errors: outcome.ok ? 0 : 1,
          durationMs: outcome.durationMs,
          concurrentExecutions: running,
        }),
      ]);
      await this.logs.append(fn.account, fn.region, fn.functionName, log.records);
      return {
        statusCode: 200,
        requestId,
        executedVersion: fn.version,
        payload: Buffer.from(outcome.ok ? outcome.payload : JSON.stringify(outcome.error)),
        ...(outcome.ok ? {} : { functionError: 'Unhandled' as const }),
        ...(tail ? { logResult: logTail(log.records) } : {}),
      };
    } finally {
      this.limiter.release(concurrencyKey);
    }
  }

  /** Gets a warm instance (cold-starting one if needed) and runs the invocation on it. */
  private async run(
    fn: ResolvedFunction,
    event: string,
    parsed: unknown,
    requestId: string,
    log: InvocationLog,
    clientContext: unknown,
  ): Promise<{ outcome: InvocationOutcome; initMs?: number }> {
    const key = poolKey(fn);
    const acquireStarted = performance.now();
    let acquired: Awaited<ReturnType<InstancePool['acquire']>>;
    try {
      acquired = await this.pool.acquire(
        key,
        () => this.spec(fn),
        (s, l) => log.output(s, l),
      );
    } catch (error) {
      if (!(error instanceof FunctionInitError)) throw error;
      return { outcome: { ok: false, error: error.body, durationMs: 0, fatal: true } };
    }
    const { instance, coldStart } = acquired;
    const initMs = coldStart ? performance.now() - acquireStarted : undefined;
    const effect = this.deps.faults.effect(fn.account, fn.functionName, fn.version, parsed);
    const failing = effect.errorRate > 0 && this.random() < effect.errorRate;
    const injectedError: ErrorBody | undefined = failing
      ? {
          errorType: 'Sandbox.InjectedFault',
          errorMessage: `Fault injected by the sandbox into ${fn.functionName}:${fn.version} (errorRate ${effect.errorRate})`,
        }
      : undefined;
    let outcome: InvocationOutcome;
    try {
      outcome = await instance.invoke(
        {
          type: 'invoke',
          event,
          context: {
            awsRequestId: requestId,
            functionName: fn.functionName,
            functionVersion: fn.version,
            invokedFunctionArn: fn.invokedFunctionArn,
            memoryLimitInMB: String(fn.memoryMb),
            ...(clientContext === undefined ? {} : { clientContext }),
          },
          // The timeout starts now: init has its own limit, as in Lambda.
          deadline: Date.now() + fn.timeoutSeconds * 1000,
          delayMs: effect.latencyMs,
          ...(injectedError ? { injectedError } : {}),
        },
        fn.timeoutSeconds * 1000,
      );
    } catch (error) {
      // The instance could not take the invocation (it died between acquire and invoke).
      this.pool.discard(instance);
      throw error;
    }
    if (outcome.ok || !outcome.fatal) this.pool.release(key, instance);
    else this.pool.discard(instance);
    return { outcome, ...(initMs === undefined ? {} : { initMs }) };
  }

  private async spec(fn: ResolvedFunction): Promise<InstanceSpec> {
    const sha256 = hexFromCodeSha256(fn.codeSha256);
    let taskRoot: string;
    try {
      // An empty digest would name the store's own directory as the task root.
      if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('moto reported no usable CodeSha256');
      taskRoot = await this.deps.codeStore.extract(sha256);
    } catch (error) {
      throw serviceException(
        `The sandbox has no code for ${fn.functionName}:${fn.version} (CodeSha256 ${fn.codeSha256}); ` +
          `deploy it through the sandbox endpoint. ${(error as Error).message}`,
      );
    }
    const credentials = await this.deps.credentialsFor(fn.account, fn.role);
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    const env = instanceEnvironment(fn, {
      taskRoot,
      endpointUrl: this.deps.endpointUrl,
      credentials,
      logStreamName: `${day}/[${fn.version}]${randomUUID().replaceAll('-', '')}`,
    });
    return { taskRoot, handler: fn.handler, env, memoryMb: fn.memoryMb };
  }

  /** Runs an `Event` invocation; throttles are retried with backoff, as Lambda's queue does. */
  private runInBackground(attempt: () => Promise<unknown>): void {
    const run = async () => {
      for (let retry = 0; ; retry++) {
        try {
          await attempt();
          return;
        } catch (error) {
          const throttled = error instanceof LambdaServiceError && error.status === 429;
          if (!throttled || retry >= EVENT_THROTTLE_RETRIES || this.closed) return;
          await new Promise((r) => setTimeout(r, 100 * 2 ** retry));
          if (this.closed) return;
        }
      }
    };
    const pending = run();
    this.background.add(pending);
    void pending.finally(() => this.background.delete(pending));
  }
}

/** One pool per version, code and configuration: a change to any of them means new instances. */
const poolKey = (fn: ResolvedFunction): string => {
  const config = createHash('sha256')
    .update(JSON.stringify([fn.handler, fn.runtime, fn.memoryMb, fn.role, fn.environment]))
    .digest('hex')
    .slice(0, 16);
  return `${fn.account}/${fn.region}/${fn.functionName}/${fn.version}/${fn.codeSha256}/${config}`;
};

const decodeClientContext = (header: string | undefined): unknown => {
  if (!header) return undefined;
  try {
    return JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
};
