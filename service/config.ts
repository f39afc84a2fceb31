import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { idempotencyTableName } from './adapters/table-schema.js';

/** Environment variables the function reads (set by terraform and the sandbox). */
const envSchema = z.object({
  ENVIRONMENT: z.string().default('dev'),
  TABLE_NAME: z.string().min(1),
  IDEMPOTENCY_TABLE_NAME: z.string().min(1).optional(),
  EVENT_BUS_NAME: z.string().min(1).default('default'),
  DLQ_URL: z.string().url().optional(),
  SERVICE_VERSION: z.string().optional(),
  PAGINATION_TOKEN_SECRET: z.string().min(16).optional(),
  POWERTOOLS_SERVICE_NAME: z.string().default('order-service'),
});

export interface ServiceConfig {
  readonly environment: string;
  readonly tableName: string;
  readonly idempotencyTableName: string;
  readonly eventBusName: string;
  readonly dlqUrl: string | undefined;
  readonly version: string;
  readonly paginationSecret: string;
  readonly serviceName: string;
}

/** Reads and validates the function's configuration; throws naming the bad variable. */
export const loadConfig = (env: NodeJS.ProcessEnv = process.env): ServiceConfig => {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid configuration: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const e = parsed.data;
  return {
    environment: e.ENVIRONMENT,
    tableName: e.TABLE_NAME,
    idempotencyTableName: e.IDEMPOTENCY_TABLE_NAME ?? idempotencyTableName(e.TABLE_NAME),
    eventBusName: e.EVENT_BUS_NAME,
    dlqUrl: e.DLQ_URL,
    // Lambda sets AWS_LAMBDA_FUNCTION_VERSION; the build stamps SERVICE_VERSION (git sha).
    version: e.SERVICE_VERSION ?? env.AWS_LAMBDA_FUNCTION_VERSION ?? 'unknown',
    // Without a configured secret, tokens are valid only within one container; that is
    // safe (a stale token gets 400) but callers should configure one per environment.
    paginationSecret: e.PAGINATION_TOKEN_SECRET ?? randomBytes(32).toString('hex'),
    serviceName: e.POWERTOOLS_SERVICE_NAME,
  };
};
