import { invalidParameter, validationError } from './errors.js';

/**
 * `MaxItems` / `Marker` paging as Lambda's list calls do it: at most `MaxItems` items (and
 * never more than the call's own cap), `NextMarker` only when more follow. The marker is
 * opaque to callers; here it names the last item returned, so a page boundary survives
 * items being added or deleted between calls.
 */

export interface Page<T> {
  readonly items: T[];
  readonly nextMarker?: string;
}

const encode = (key: string) => Buffer.from(JSON.stringify({ after: key })).toString('base64url');

const decode = (marker: string): string => {
  try {
    const parsed = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8')) as unknown;
    const after = (parsed as { after?: unknown })?.after;
    if (typeof after === 'string') return after;
  } catch {
    // fall through
  }
  throw invalidParameter(`Invalid marker: ${marker}`);
};

/** `MaxItems` from the query: 1..10000 (the API's constraint), absent means the cap. */
export const maxItemsOf = (query: URLSearchParams, cap: number): number => {
  const raw = query.get('MaxItems');
  if (raw === null || raw === '') return cap;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw validationError(
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  }
  if (value > 10_000) {
    throw validationError(
      `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000`,
    );
  }
  return Math.min(value, cap);
};

/**
 * One page of `items` (already in the API's order) after `marker`.
 *
 * @param keyOf the item's identity (a version number, an alias name)
 * @param rank orders identities the way `items` is ordered
 */
export const pageOf = <T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  rank: (key: string) => number | string,
  marker: string | null,
  maxItems: number,
): Page<T> => {
  let rest = [...items];
  if (marker) {
    const after = rank(decode(marker));
    rest = rest.filter((item) => rank(keyOf(item)) > after);
  }
  const page = rest.slice(0, maxItems);
  const last = page.at(-1);
  return rest.length > page.length && last !== undefined
    ? { items: page, nextMarker: encode(keyOf(last)) }
    : { items: page };
};
