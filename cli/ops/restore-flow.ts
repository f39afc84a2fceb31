import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Environment } from '../../infra/environments.js';
import type { ErrorCode } from '../codes.js';
import { PromoteError } from '../errors.js';
import type { RestoreSource } from '../journal/restore-evidence.js';
import type { RunJournal } from '../journal/run-journal.js';
import type { RestoreApi, TableShape } from './restore-api.js';
import { checkRestoreTarget } from './restore-names.js';
import { type ResolvedSource, resolveBackup, resolvePointInTime } from './restore-source.js';
import { type Validation, validateRestore } from './restore-validate.js';
import type { ExpectedCounts } from './restore-validation.js';
import { type WaitOptions, waitUntilRestored } from './restore-wait.js';

/**
 * One restore, start to verdict, with no session concerns (lock, journal files, output):
 * refuse a bad target, resolve the source, start the restore into the side table, wait
 * until it is ACTIVE, validate it. The same code runs against AWS and the sandbox.
 */

export interface RestoreRequest {
  /** `--backup <arn|latest>`. */
  readonly backup?: string;
  /** `--pitr <time>`, parsed. */
  readonly pitr?: Date | 'latest';
}

export interface RestoreFlowInput {
  readonly api: RestoreApi;
  readonly doc: DynamoDBDocumentClient;
  readonly env: Environment;
  readonly request: RestoreRequest;
  /** The side table to create (checked: never a table the env runs on). */
  readonly target: string;
  /** The env's journals, newest first (the backup step's counts are there). */
  readonly runs: () => Promise<RunJournal[]>;
  readonly timeoutMs: number;
  readonly samples?: number;
  readonly signal?: AbortSignal;
  readonly progress?: (text: string) => void;
  /** Once DynamoDB accepted the restore: journal it before the long wait. */
  readonly onStarted?: (table: string, source: RestoreSource) => Promise<void>;
  /** Once the side table is ACTIVE. */
  readonly onRestored?: (table: TableShape) => Promise<void>;
  /** Poll timing and clock, for tests. */
  readonly wait?: Pick<WaitOptions, 'sleep' | 'now' | 'initialDelayMs' | 'maxDelayMs'>;
  readonly random?: () => number;
}

export interface RestoreOutcome {
  readonly table: string;
  readonly source: RestoreSource;
  readonly expected: ExpectedCounts;
  readonly validation: Validation;
}

/** AWS's refusals of a restore call, as the CLI's own errors. */
const explainRestoreError = (error: unknown, target: string, table: string): unknown => {
  const wrap = (reason: 'usage' | 'preflight_blocked', code: ErrorCode) =>
    new PromoteError(
      reason,
      code,
      `${(error as Error).message} (restoring ${table} into ${target})`,
      undefined,
      undefined,
      { cause: error },
    );
  switch ((error as Error).name) {
    case 'TableAlreadyExistsException':
      return wrap('usage', 'RESTORE_TARGET_EXISTS');
    case 'InvalidRestoreTimeException':
      return wrap('usage', 'RESTORE_TIME_OUTSIDE_WINDOW');
    case 'PointInTimeRecoveryUnavailableException':
      return wrap('preflight_blocked', 'RESTORE_PITR_DISABLED');
    default:
      return error;
  }
};

/**
 * Restores the env's orders table into `target` and validates it.
 *
 * @throws PromoteError RESTORE_TARGET_IS_LIVE / RESTORE_BAD_TARGET / RESTORE_TARGET_EXISTS
 *   before anything is created; RESTORE_TIMEOUT / RESTORE_FAILED / INTERRUPTED while waiting.
 *   A failed validation is not thrown: it is the outcome's verdict.
 */
export const runRestore = async (input: RestoreFlowInput): Promise<RestoreOutcome> => {
  const { api, env, target, request } = input;
  checkRestoreTarget(env, target);
  if (await api.describeTable(target)) {
    throw new PromoteError(
      'usage',
      'RESTORE_TARGET_EXISTS',
      `${target} already exists; a restore creates a new table`,
      `pick another --target, or delete it: promote restore ${env.name} --cleanup ${target}`,
    );
  }
  const resolved: ResolvedSource = request.backup
    ? await resolveBackup(api, env, request.backup, input.runs)
    : await resolvePointInTime(api, env, request.pitr ?? 'latest');
  let source = resolved.source;
  let point = resolved.point;
  const calledAt = new Date();
  const started = await (source.kind === 'backup'
    ? api.restoreFromBackup(source.arn, target)
    : api.restoreToPointInTime(env.tableName, target, request.pitr ?? 'latest')
  ).catch((error: unknown) => {
    throw explainRestoreError(error, target, env.tableName);
  });
  if (source.kind === 'pitr' && !point) {
    // `latest`: DynamoDB says which moment it took; without that, no later than the call.
    point = started.restoreDateTime ?? calledAt;
    source = { ...source, at: point.toISOString() };
  }
  input.progress?.(`${target}: ${started.status}, restoring from ${describeSource(source)}`);
  await input.onStarted?.(target, source);
  const cleanupHint = `delete it with "promote restore ${env.name} --cleanup ${target}"`;
  const restored = await waitUntilRestored(api, target, {
    timeoutMs: input.timeoutMs,
    cleanupHint,
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.progress ? { progress: input.progress } : {}),
    ...input.wait,
  });
  await input.onRestored?.(restored);
  const validation = await validateRestore({
    api,
    doc: input.doc,
    live: env.tableName,
    side: target,
    expected: resolved.expected,
    ...(point ? { point } : {}),
    ...(input.samples !== undefined ? { samples: input.samples } : {}),
    ...(input.random ? { random: input.random } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return { table: target, source, expected: resolved.expected, validation };
};

/** `backup orders-prod-pre-deployment-… (USER, 2026-12-01T20:30:00.000Z)` or `orders-prod at …`. */
export const describeSource = (source: RestoreSource): string =>
  source.kind === 'backup'
    ? `backup ${source.name ?? source.arn}${source.type || source.createdAt ? ` (${[source.type, source.createdAt].filter(Boolean).join(', ')})` : ''}`
    : `${source.table} as of ${source.at}`;
