import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Check } from '../journal/step-evidence.js';
import { CLOCK_SKEW_MS } from './backup-counts.js';
import type { RestoreApi } from './restore-api.js';
import {
  checkNothingNewer,
  checkSamples,
  compareCounts,
  compareIndexes,
  compareSample,
  type ExpectedCounts,
  type SampleFinding,
  verdictOf,
} from './restore-validation.js';
import {
  countInto,
  type Item,
  STATUS_ATTRIBUTE,
  type StatusCounts,
  scanTable,
  totalOf,
} from './table-counts.js';

/**
 * Reads what the judgement needs (restore-validation.ts judges): the indexes of both
 * tables, one Scan of the side table (status, created_at and keys only), and N random
 * orders read back by key from the side table and from live.
 */

export interface ValidateInput {
  readonly api: Pick<RestoreApi, 'describeTable'>;
  readonly doc: DynamoDBDocumentClient;
  /** The env's live orders table. */
  readonly live: string;
  /** The restored side table (ACTIVE). */
  readonly side: string;
  readonly expected: ExpectedCounts;
  /** The moment the data is from, when known. */
  readonly point?: Date;
  /** How many random orders to read back (default 20). */
  readonly samples?: number;
  /** [0, 1) for the sampling, for tests. */
  readonly random?: () => number;
  readonly signal?: AbortSignal;
}

export interface Validation {
  readonly verdict: 'validated' | 'failed';
  readonly checks: Check[];
  readonly counts: StatusCounts;
  readonly samples: SampleFinding[];
}

/** Keeps a uniform random sample of `size` from a stream (reservoir sampling). */
export const reservoir = <T>(size: number, random: () => number = Math.random) => {
  const kept: T[] = [];
  let seen = 0;
  return {
    offer(value: T) {
      seen += 1;
      if (kept.length < size) kept.push(value);
      else {
        const slot = Math.floor(random() * seen);
        if (slot < size) kept[slot] = value;
      }
    },
    get values(): readonly T[] {
      return kept;
    },
  };
};

const keyText = (key: Item) =>
  Object.entries(key)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(',');

/** Validates a restored side table against the live table and the expected counts. */
export const validateRestore = async (input: ValidateInput): Promise<Validation> => {
  const [liveShape, sideShape] = await Promise.all([
    input.api.describeTable(input.live),
    input.api.describeTable(input.side),
  ]);
  if (!sideShape) throw new Error(`${input.side} is gone`);
  const keyNames = sideShape.keyNames;
  const byStatus: Record<string, number> = {};
  let newest: string | undefined;
  const sample = reservoir<Item>(input.samples ?? 20, input.random);
  await scanTable(
    input.doc,
    input.side,
    [...new Set([...keyNames, STATUS_ATTRIBUTE, 'created_at'])],
    (item) => {
      countInto(byStatus, item);
      const created = item.created_at;
      if (typeof created === 'string' && (!newest || created > newest)) newest = created;
      sample.offer(Object.fromEntries(keyNames.map((k) => [k, item[k]])));
    },
    input.signal ? { signal: input.signal } : {},
  );
  const counts: StatusCounts = { byStatus, total: totalOf(byStatus) };
  const findings: SampleFinding[] = [];
  for (const key of sample.values) {
    const [side, live] = await Promise.all(
      [input.side, input.live].map(async (table) => {
        const out = await input.doc.send(
          new GetCommand({ TableName: table, Key: key, ConsistentRead: true }),
        );
        return out.Item;
      }),
    );
    findings.push(compareSample(keyText(key), side, live));
  }
  const checks: Check[] = [
    compareCounts(input.expected, counts),
    compareIndexes(liveShape?.indexes ?? [], sideShape.indexes),
    checkSamples(findings),
    ...(input.point ? [checkNothingNewer(newest, input.point, CLOCK_SKEW_MS)] : []),
  ];
  return { verdict: verdictOf(checks), checks, counts, samples: findings };
};
