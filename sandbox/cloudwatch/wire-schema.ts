import { z } from 'zod';
import { invalidNextToken, invalidParameterValue, missingParameter } from './cloudwatch-error.js';

/**
 * zod building blocks that read one operation input from either wire protocol: JSON 1.0
 * (numbers, booleans, epoch-second timestamps) and awsQuery (everything a string, ISO
 * timestamps, an empty list sent as `Name=`).
 */

/** A double: a JSON number or a numeric string; non-finite values are refused. */
export const wireNumber = z
  .union([z.number(), z.string().trim().min(1).transform(Number)])
  .pipe(z.number().refine(Number.isFinite, 'must be a finite number'));

export const wireInteger = wireNumber.pipe(z.number().int('must be an integer'));

export const wireBoolean = z.union([
  z.boolean(),
  z.enum(['true', 'false']).transform((v) => v === 'true'),
]);

/** A timestamp as epoch ms: epoch seconds (JSON), ISO 8601 (awsQuery) or a Date. */
export const wireTimestamp = z
  .union([z.number(), z.date(), z.string().trim().min(1)])
  .transform((value, ctx) => {
    const ms =
      typeof value === 'number'
        ? value * 1000
        : value instanceof Date
          ? value.getTime()
          : /^\d+(\.\d+)?$/.test(value)
            ? Number(value) * 1000
            : Date.parse(value);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'is not a valid timestamp' });
      return z.NEVER;
    }
    return Math.round(ms);
  });

/** A list; awsQuery encodes an empty list as an empty string. */
export const wireList = <T extends z.ZodType>(
  item: T,
  size: { readonly min?: number; readonly max?: number } = {},
) => {
  let array = z.array(item);
  if (size.min !== undefined) array = array.min(size.min);
  if (size.max !== undefined) array = array.max(size.max);
  return z.preprocess((v) => (v === '' ? [] : v), array);
};

export const dimensionSchema = z.object({
  Name: z.string().min(1).max(255),
  Value: z.string().min(1).max(1024),
});

export const metricSchema = z.object({
  Namespace: z.string().min(1).max(255),
  MetricName: z.string().min(1).max(255),
  Dimensions: wireList(dimensionSchema, { max: 30 }).optional(),
});

export type WireMetric = z.infer<typeof metricSchema>;

/** A dimension list → record, refusing the same name twice. */
export const dimensionRecord = (
  dimensions: ReadonlyArray<{ Name: string; Value: string }> | undefined,
): Record<string, string> => {
  const record: Record<string, string> = {};
  for (const { Name, Value } of dimensions ?? []) {
    if (Name in record) throw invalidParameterValue(`The dimension ${Name} is given twice.`);
    record[Name] = Value;
  }
  return record;
};

/** A record → the wire's dimension list, sorted by name for stable output. */
export const dimensionList = (record: Readonly<Record<string, string>>) =>
  Object.keys(record)
    .sort()
    .map((Name) => ({ Name, Value: record[Name] as string }));

const at = (raw: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      value !== null && typeof value === 'object'
        ? (value as Record<PropertyKey, unknown>)[key]
        : undefined,
    raw,
  );

/** `MetricData.member.1.MetricName`: the awsQuery spelling of a path, as AWS's messages use. */
const describePath = (path: readonly PropertyKey[]): string =>
  path.map((k) => (typeof k === 'number' ? `member.${k + 1}` : String(k))).join('.');

/**
 * Parses an operation input; a missing required member → MissingParameter, anything else
 * → InvalidParameterValue, both naming the member.
 */
export const parseInput = <T extends z.ZodType>(schema: T, raw: unknown): z.output<T> => {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw invalidParameterValue('Invalid request');
  const name = describePath(issue.path);
  if (at(raw, issue.path) === undefined && issue.code === 'invalid_type') {
    throw missingParameter(name || 'input');
  }
  throw invalidParameterValue(
    `The value for parameter ${name || 'input'} is invalid: ${issue.message}`,
  );
};

/** Opaque paging token over an offset. */
export const encodeToken = (offset: number): string =>
  Buffer.from(JSON.stringify({ o: offset })).toString('base64url');

/** Offset of a paging token; 0 without one. */
export const decodeToken = (token: string | undefined): number => {
  if (!token) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through to the error
  }
  throw invalidNextToken();
};

/** CloudWatch's StandardUnit values. */
export const STANDARD_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

export const unitSchema = z.enum(STANDARD_UNITS);

export const tagSchema = z.object({
  Key: z.string().min(1).max(128),
  Value: z.string().max(256),
});

/** One page of `items` from a paging token's offset, with the token of the next page. */
export const page = <T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
): { readonly items: T[]; readonly nextToken?: string } => {
  const offset = decodeToken(token);
  const end = offset + size;
  return end < items.length
    ? { items: items.slice(offset, end), nextToken: encodeToken(end) }
    : { items: items.slice(offset) };
};
