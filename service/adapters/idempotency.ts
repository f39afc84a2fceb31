import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { OrderError } from '../domain/errors.js';

/** Who asked for what: the parts that together identify one logical request. */
export interface IdempotencyScope {
  /** The caller's subject: keys are per caller, so one customer's key can never replay another's. */
  readonly caller: string;
  readonly operation: string;
  /** The order the operation targets ('' for create). */
  readonly target: string;
  /** The client's `Idempotency-Key` header. */
  readonly key: string;
}

/**
 * Runs an operation at most once per scope: a replay returns the first response, the same
 * key with a different body is refused (422), and a concurrent duplicate waits for the first
 * to finish rather than running twice.
 */
export interface IdempotencyGuard {
  run<T>(
    scope: IdempotencyScope,
    payload: unknown,
    operation: () => Promise<T>,
    context?: Context,
  ): Promise<{ result: T; replayed: boolean }>;
}

/** How long a key is remembered (the record's TTL). */
const KEY_TTL_SECONDS = 24 * 60 * 60;
/** How long a duplicate waits for an in-flight original before giving up with 409. */
const IN_PROGRESS_WAIT_MS = 8_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Powertools idempotency over a DynamoDB table (TTL attribute `expiration`). */
export class PowertoolsIdempotencyGuard implements IdempotencyGuard {
  private readonly store: DynamoDBPersistenceLayer;

  constructor(client: DynamoDBClient, tableName: string) {
    this.store = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  }

  async run<T>(
    scope: IdempotencyScope,
    payload: unknown,
    operation: () => Promise<T>,
    context?: Context,
  ): Promise<{ result: T; replayed: boolean }> {
    let replayed = true;
    const config = new IdempotencyConfig({
      eventKeyJmesPath: 'scope',
      payloadValidationJmesPath: 'payload',
      expiresAfterSeconds: KEY_TTL_SECONDS,
      // Per-container caches would let two containers disagree; the table is the truth.
      useLocalCache: false,
      throwOnNoIdempotencyKey: true,
    });
    if (context) config.registerLambdaContext(context);
    const once = makeIdempotent(
      async (_input: { scope: IdempotencyScope; payload: unknown }) => {
        replayed = false;
        return operation();
      },
      { persistenceStore: this.store, config },
    );
    const deadline = Date.now() + IN_PROGRESS_WAIT_MS;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = (await once({ scope, payload })) as T;
        return { result, replayed };
      } catch (error) {
        if (error instanceof IdempotencyValidationError) {
          throw new OrderError(
            'unprocessable',
            'idempotency_key_reused',
            'this Idempotency-Key was already used with a different request body',
          );
        }
        if (error instanceof IdempotencyAlreadyInProgressError && Date.now() < deadline) {
          await sleep(Math.min(50 * 2 ** attempt, 500) * (0.5 + Math.random()));
          continue;
        }
        if (error instanceof IdempotencyAlreadyInProgressError) {
          throw new OrderError(
            'conflict',
            'request_in_progress',
            'a request with this Idempotency-Key is still in progress; retry shortly',
          );
        }
        throw error;
      }
    }
  }
}
