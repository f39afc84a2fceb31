/**
 * EventBridge content filtering, for the parts of EventBridge the sandbox serves itself
 * (which events an archive keeps, which rules a replay reaches): moto has a matcher but does
 * not expose it (its TestEventPattern is a stub), so the sandbox needs its own.
 *
 * Covered: literal values (string, number, boolean, null), nested objects, arrays in the
 * event (any element may match), `prefix`, `suffix`, `anything-but` (value, list, prefix,
 * suffix), `numeric`, `exists`, `equals-ignore-case`, `wildcard` and `$or`. Not covered:
 * `cidr` — a pattern using it matches nothing, which errs on the side of not delivering.
 */

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Matcher = Record<string, unknown>;

/** Thrown for a pattern that is not valid JSON or not an object. */
export class InvalidEventPattern extends Error {
  override readonly name = 'InvalidEventPattern';
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const wildcardRegex = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    's',
  );

/** `prefix`/`suffix` take a string or `{ "equals-ignore-case": string }`. */
const affix = (spec: unknown, value: string, test: (v: string, s: string) => boolean): boolean => {
  if (typeof spec === 'string') return test(value, spec);
  if (isObject(spec) && typeof spec['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), spec['equals-ignore-case'].toLowerCase());
  }
  return false;
};

const numeric = (spec: unknown, value: unknown): boolean => {
  if (typeof value !== 'number' || !Array.isArray(spec)) return false;
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const bound = Number(spec[i + 1]);
    const ok =
      spec[i] === '='
        ? value === bound
        : spec[i] === '<'
          ? value < bound
          : spec[i] === '<='
            ? value <= bound
            : spec[i] === '>'
              ? value > bound
              : spec[i] === '>='
                ? value >= bound
                : false;
    if (!ok) return false;
  }
  return spec.length >= 2;
};

/** One matcher object (`{prefix: …}`, `{numeric: […]}` …) against one present scalar. */
const matchOperator = (matcher: Matcher, value: unknown): boolean => {
  const [[operator, spec] = []] = Object.entries(matcher);
  const text = typeof value === 'string' ? value : undefined;
  switch (operator) {
    case 'prefix':
      return text !== undefined && affix(spec, text, (v, s) => v.startsWith(s));
    case 'suffix':
      return text !== undefined && affix(spec, text, (v, s) => v.endsWith(s));
    case 'equals-ignore-case':
      return (
        text !== undefined && typeof spec === 'string' && text.toLowerCase() === spec.toLowerCase()
      );
    case 'wildcard':
      return text !== undefined && typeof spec === 'string' && wildcardRegex(spec).test(text);
    case 'numeric':
      return numeric(spec, value);
    case 'anything-but': {
      if (Array.isArray(spec)) return !spec.some((s) => s === value);
      if (isObject(spec)) {
        if (text === undefined) return true;
        if ('prefix' in spec) return !affix(spec.prefix, text, (v, s) => v.startsWith(s));
        if ('suffix' in spec) return !affix(spec.suffix, text, (v, s) => v.endsWith(s));
        if ('equals-ignore-case' in spec) {
          const list = ([] as unknown[]).concat(spec['equals-ignore-case']);
          return !list.some((s) => typeof s === 'string' && s.toLowerCase() === text.toLowerCase());
        }
        return false;
      }
      return spec !== value;
    }
    default:
      // cidr and anything newer: not understood, so not matched.
      return false;
  }
};

/** A field's allowed values (the pattern's array) against the event's value at that key. */
const matchField = (allowed: unknown[], present: boolean, value: unknown): boolean => {
  const values = Array.isArray(value) ? value : [value];
  return allowed.some((rule) => {
    if (isObject(rule) && 'exists' in rule) return rule.exists === present;
    if (!present) return false;
    return values.some((v) => (isObject(rule) ? matchOperator(rule, v) : rule === v));
  });
};

const matchObject = (pattern: Record<string, unknown>, event: unknown): boolean =>
  Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') {
      return (
        Array.isArray(rule) && rule.some((branch) => isObject(branch) && matchObject(branch, event))
      );
    }
    const container = isObject(event) ? event : {};
    const present = key in container;
    const value = container[key];
    if (Array.isArray(rule)) return matchField(rule, present, value);
    if (isObject(rule)) {
      // A nested pattern needs the event's value to be an object (or objects, in an array).
      const nested = Array.isArray(value) ? value : [value];
      return nested.some((v) => isObject(v) && matchObject(rule, v));
    }
    return false;
  });

/** Parses a pattern as PutRule/CreateArchive receive it (a JSON string). */
export const parseEventPattern = (text: string): Record<string, unknown> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidEventPattern(`event pattern is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new InvalidEventPattern('event pattern must be a JSON object');
  return parsed;
};

/**
 * True when `event` matches `pattern` (an object, or its JSON text).
 *
 * @example
 * matchesEventPattern({ 'detail-type': ['payment.succeeded'] }, { 'detail-type': 'payment.succeeded' })
 * // → true
 */
export const matchesEventPattern = (
  pattern: Record<string, unknown> | string,
  event: Record<string, Json | undefined> | Record<string, unknown>,
): boolean =>
  matchObject(typeof pattern === 'string' ? parseEventPattern(pattern) : pattern, event);
