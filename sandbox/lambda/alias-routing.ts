import {
  functionNotFound,
  invalidParameter,
  LambdaServiceError,
  validationError,
} from './errors.js';

/**
 * The checks Lambda makes on an alias's `FunctionVersion` + `RoutingConfig` (CreateAlias,
 * UpdateAlias), in the order AWS answers them, worded as AWS words them. Recorded answers:
 * test/fixtures/aws/lambda/control-plane-errors.json (`alias-*`).
 */

/** What the checks need to know about the function. */
export interface AliasTarget {
  /** The unqualified function ARN (messages name `<arn>:<version>`). */
  readonly functionArn: string;
  /** The alias's primary version after the call: `$LATEST` or a number. */
  readonly functionVersion: string;
  /** `AdditionalVersionWeights` as sent (anything JSON can hold), or undefined. */
  readonly weights: unknown;
  /** Published versions of the function (numbers, `$LATEST` excluded). */
  readonly versions: ReadonlySet<string>;
}

const KEY_CONSTRAINT =
  'Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+]';
const VALUE_CONSTRAINT =
  'Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]';

/**
 * A number as Java's `Double.toString` prints it (Lambda's validation messages come from
 * Java): `2` → `2.0`, `-1` → `-1.0`, `0.5` → `0.5`, `1e-4` → `1.0E-4`.
 */
export const javaDouble = (value: number): string => {
  if (!Number.isFinite(value))
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  const magnitude = Math.abs(value);
  if (magnitude === 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa = '', exponent = ''] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent.replace('+', '')}`;
};

/** A map as Java prints it: `{2=0.5, 3=0.1}`. */
const javaMap = (weights: Record<string, unknown>): string =>
  `{${Object.entries(weights)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? javaDouble(v) : String(v)}`)
    .join(', ')}}`;

/**
 * The framework's input validation (ValidationException), which runs before any of
 * Lambda's own checks: keys must be version numbers, values numbers in [0, 1].
 */
const validateShape = (weights: Record<string, unknown>): void => {
  const errors: string[] = [];
  const at = `Value '${javaMap(weights)}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: `;
  const keys = Object.keys(weights);
  if (keys.some((k) => !/^[0-9]+$/.test(k) || k.length > 1024)) errors.push(at + KEY_CONSTRAINT);
  const values = Object.values(weights);
  if (values.some((v) => typeof v !== 'number' || !(v >= 0 && v <= 1))) {
    errors.push(at + VALUE_CONSTRAINT);
  }
  if (errors.length) {
    const count = `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: `;
    throw validationError(count + errors.join('; '));
  }
};

/**
 * @throws LambdaServiceError exactly as Lambda refuses the alias (status, code, message).
 *
 * @example
 * checkAliasRouting({ functionArn, functionVersion: '1', weights: { '1': 0.5 }, versions })
 * // → 400 InvalidParameterValueException "Invalid function version 1. Function version 1
 * //   is already included in routing configuration."
 */
export const checkAliasRouting = (target: AliasTarget): void => {
  const { functionArn, functionVersion, versions } = target;
  const raw = target.weights;
  const weights =
    raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  validateShape(weights);
  if (functionVersion !== '$LATEST' && !versions.has(functionVersion)) {
    throw functionNotFound(`Function not found: ${functionArn}:${functionVersion}`);
  }
  const keys = Object.keys(weights);
  if (keys.length === 0) return;
  if (keys.length > 1) {
    throw invalidParameter('Number of items in AdditionalVersionWeights cannot be greater than 1');
  }
  for (const key of keys) {
    if (key === functionVersion) {
      throw invalidParameter(
        `Invalid function version ${key}. Function version ${key} is already included in routing configuration.`,
      );
    }
  }
  if (functionVersion === '$LATEST') {
    // AWS sends this one without `Type` (recorded).
    throw new LambdaServiceError(
      400,
      'InvalidParameterValueException',
      '$LATEST is not supported for an alias pointing to more than 1 version',
      {},
      'message',
    );
  }
  for (const key of keys) {
    if (!versions.has(key)) throw functionNotFound(`Function not found: ${functionArn}:${key}`);
  }
};
