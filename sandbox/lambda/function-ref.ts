import { invalidParameter } from './errors.js';

/** What an Invoke's `FunctionName` (+ `Qualifier`) names. */
export interface FunctionRef {
  readonly name: string;
  /** `$LATEST`, a version number or an alias name; absent means `$LATEST`. */
  readonly qualifier?: string;
  /** Present when the caller passed an ARN (full or partial). */
  readonly account?: string;
  readonly region?: string;
}

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[a-zA-Z0-9$_-]{1,128})$/;
const FULL_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::([^:]+))?$/;
const NAME_WITH_QUALIFIER = /^([^:]+)(?::([^:]+))?$/;

/**
 * Parses every form Lambda accepts: `name`, `name:qualifier`, `123456789012:function:name`
 * and `arn:aws:lambda:region:123456789012:function:name[:qualifier]`. A qualifier embedded
 * in the name must agree with the `Qualifier` parameter, as Lambda requires.
 *
 * @example
 * parseFunctionRef('arn:aws:lambda:eu-west-1:815856636111:function:order-handler-sit:live')
 * // → { name: 'order-handler-sit', qualifier: 'live', account: '815856636111', region: 'eu-west-1' }
 */
export const parseFunctionRef = (value: string, qualifier?: string): FunctionRef => {
  let name: string | undefined;
  let embedded: string | undefined;
  let account: string | undefined;
  let region: string | undefined;
  const full = FULL_ARN.exec(value);
  const partial = full ? undefined : PARTIAL_ARN.exec(value);
  if (full) [, region, account, name, embedded] = full;
  else if (partial) [, account, name, embedded] = partial;
  else [, name, embedded] = NAME_WITH_QUALIFIER.exec(value) ?? [];
  if (!name || !NAME.test(name)) {
    throw invalidParameter(`Invalid function name or ARN: ${value}`);
  }
  if (embedded && qualifier && embedded !== qualifier) {
    throw invalidParameter(
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
  }
  const resolved = qualifier || embedded;
  if (resolved !== undefined && !QUALIFIER.test(resolved)) {
    throw invalidParameter(`Invalid qualifier: ${resolved}`);
  }
  return {
    name,
    ...(resolved ? { qualifier: resolved } : {}),
    ...(account ? { account } : {}),
    ...(region ? { region } : {}),
  };
};

/** The unqualified ARN of a function, as Lambda prints it. */
export const functionArn = (region: string, account: string, name: string): string =>
  `arn:aws:lambda:${region}:${account}:function:${name}`;
