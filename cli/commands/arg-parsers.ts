import { InvalidArgumentError } from 'commander';
import { ENV_NAMES, type EnvName, isEnvName } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';

/**
 * Parsers for command arguments and options, shared by every command so that the same
 * value is refused the same way everywhere (exit code 2, README § Exit codes).
 */

/** An `<env>` argument or `--env` value checked in an action: a usage PromoteError. */
export const envArg = (value: string): EnvName => {
  if (!isEnvName(value)) {
    throw new PromoteError(
      'usage',
      'UNKNOWN_ENV',
      `unknown environment "${value}"`,
      `one of ${ENV_NAMES.join(', ')}`,
    );
  }
  return value;
};

/** `--env` as a commander option parser (commander prints the usage error). */
export const parseEnv = (value: string): EnvName => {
  if (!isEnvName(value)) throw new InvalidArgumentError(`must be one of ${ENV_NAMES.join(', ')}`);
  return value;
};

/** A number within [min, max], as a commander option parser. */
export const numberIn = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new InvalidArgumentError(`must be between ${min} and ${max}`);
  return n;
};

/** `60s`, `2m`, `1500ms` or plain seconds → milliseconds (at most one hour). */
export const parseDuration = (value: string): number => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('use e.g. 60s, 2m or 1500ms');
  const n = Number(match[1]);
  const ms = match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms <= 0 || ms > 3_600_000) throw new InvalidArgumentError('must be between 1ms and 1h');
  return ms;
};

/** A positive number (`--bake-scale`, `--analysis-interval`), as a commander option parser. */
export const positive = (what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`${what} must be a positive number`);
  return n;
};

/** A weight in percent, 0 < n < 100, repeatable (`--pause-before 10 --pause-before 50`). */
export const percent = (value: string, previous: number[] = []) => {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isInteger(n) || n <= 0 || n >= 100)
    throw new InvalidArgumentError('a weight in percent, e.g. 50');
  return [...previous, n];
};

/** A repeatable string option. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];
