import type { Environment } from '../../infra/environments.js';
import { stateTableName } from '../../infra/state-table.js';
import { PromoteError } from '../errors.js';

/**
 * Names of the side tables a restore writes into. A restore never overwrites a table the
 * environment runs on: it creates `orders-<env>-restored-<UTC time>`, and `--cleanup` deletes
 * only names of that shape — so neither command can ever touch the live table.
 */

/** DynamoDB's rule for table names: 3–255 of `a-z A-Z 0-9 _ . -`. */
export const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

/** `orders-prod-restored-`: what every side table of `env` starts with. */
export const sideTablePrefix = (env: Pick<Environment, 'tableName'>): string =>
  `${env.tableName}-restored-`;

/** `2026-12-01T20:30:15.123Z` → `20261201T203015Z` (UTC, sortable, valid in a table name). */
export const compactUtc = (at: Date): string =>
  at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/**
 * The side table for a restore started at `now`: `orders-prod-restored-20261201T203015Z`.
 * Seconds are kept so two restores in one minute do not collide.
 */
export const sideTableName = (env: Pick<Environment, 'tableName'>, now: Date): string =>
  `${sideTablePrefix(env)}${compactUtc(now)}`;

/** True for a name `--cleanup` may delete: a valid table name under the env's side prefix. */
export const isSideTable = (env: Pick<Environment, 'tableName'>, name: string): boolean =>
  TABLE_NAME.test(name) &&
  name.startsWith(sideTablePrefix(env)) &&
  name.length > sideTablePrefix(env).length;

/** The tables an environment runs on: never a restore's target, never deleted. */
export const liveTables = (env: Environment): string[] => [
  env.tableName,
  env.idempotencyTableName,
  stateTableName(env.name),
];

/**
 * Refuses a restore target that is a table the environment runs on (the live orders table
 * above all), or any name outside the side-table pattern (which `--cleanup` could not
 * remove later).
 *
 * @example
 * checkRestoreTarget(ENVIRONMENTS.prod, 'orders-prod'); // throws RESTORE_TARGET_IS_LIVE
 */
export const checkRestoreTarget = (env: Environment, name: string): void => {
  if (liveTables(env).includes(name)) {
    throw new PromoteError(
      'usage',
      'RESTORE_TARGET_IS_LIVE',
      `refusing to restore into ${name}: it is a table ${env.name} runs on; a restore only ever creates a side table`,
      `leave out --target (default ${sideTablePrefix(env)}<UTC time>) or name one ${sideTablePrefix(env)}…`,
    );
  }
  if (!isSideTable(env, name)) {
    throw new PromoteError(
      'usage',
      'RESTORE_BAD_TARGET',
      `refusing to restore into ${name}: a restore of ${env.tableName} goes into ${sideTablePrefix(env)}<suffix> (letters, digits, _ . -, at most 255 characters)`,
      `e.g. --target ${sideTablePrefix(env)}incident-42, or leave out --target`,
    );
  }
};

/** Refuses to delete anything but a side table of `env`. */
export const checkCleanupTarget = (env: Environment, name: string): void => {
  if (!isSideTable(env, name) || liveTables(env).includes(name)) {
    throw new PromoteError(
      'usage',
      'RESTORE_CLEANUP_REFUSED',
      `refusing to delete ${name}: --cleanup deletes only side tables named ${sideTablePrefix(env)}*`,
      `list them with "promote restore ${env.name} --cleanup" (no name)`,
    );
  }
};
