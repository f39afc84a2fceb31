import type { MetricDatum, MetricSink } from '../cloudwatch/metric-sink.js';
import {
  type LocalDynamoError,
  localBatchGet,
  localBatchWrite,
  type WireItem,
} from './local-wire.js';
import type { ReplicaRegistry } from './replica-registry.js';
import { type PendingRecord, ReplicationJournal } from './replication-journal.js';
import {
  LagCounters,
  type ReplicationStats,
  replicationLagFromEnv,
  replicationLatency,
} from './replication-stats.js';
import { keyId, type WrittenKey } from './write-keys.js';
import { WriteOrder } from './write-order.js';

/**
 * Global tables' asynchronous replication. A write acknowledged in one region (DynamoDB
 * Local has persisted it) is queued; `lagMs` later the item is re-read from that region and
 * put (or deleted) in every other member region, straight in DynamoDB Local — never through
 * the gateway, so nothing replicates twice. Writes of an item within the window coalesce;
 * a flush moves a table's items in batches (BatchGetItem, BatchWriteItem), cheap under load.
 * - Last writer wins, as in AWS (write-order.ts): an item is not overwritten in a region
 *   holding a later write of it, which replicates the other way instead.
 * - A region in an outage neither sends nor receives: its items wait, then flow on recovery.
 * - Pending items are journaled (replication-journal.ts): a restart delays replication but
 *   loses none; nothing is copied that the source did not persist (it is read back there).
 * - `AWS/DynamoDB ReplicationLatency` (ms; `TableName`, `ReceivingRegion`) is published in
 *   the source region for every item delivered.
 */

interface Pending extends PendingRecord {
  /** `account|table|keyId`: the item, whatever region. */
  readonly id: string;
  /** Regions that have it already (the others were down). */
  readonly done?: readonly string[];
  /** After a failed delivery: not before this (epoch ms). */
  readonly notBefore?: number;
}

export interface ReplicatorOptions {
  /** DynamoDB Local. */
  readonly endpoint: string;
  readonly registry: ReplicaRegistry;
  readonly metrics: MetricSink;
  readonly lagMs?: number;
  /** A region in an outage (sandbox/gateway/region-outage.ts). */
  readonly isDown?: (region: string) => boolean;
  /** Journal of pending items (JSON lines). */
  readonly pendingPath: string;
  readonly log?: (line: string) => void;
}

const STAMP_TTL_MS = 120_000;
const RETRY_MS = 1_000;
/**
 * Flushes are at least this far apart (at most the lag): under steady traffic each one then
 * moves ~100 ms of writes in one batch per table, instead of a few items per flush.
 */
const FLUSH_SPACING_MS = 100;

export class Replicator {
  readonly lagMs: number;
  private readonly queue = new Map<string, Pending>();
  private readonly order = new WriteOrder();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly journal: ReplicationJournal;
  private readonly isDown: (region: string) => boolean;
  /** Items taken off the queue by the flush under way (still pending to an observer). */
  private inFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastFlushAt = 0;
  private closed = false;
  private readonly counters = new LagCounters();

  constructor(private readonly options: ReplicatorOptions) {
    this.lagMs = options.lagMs ?? replicationLagFromEnv();
    this.isDown = options.isDown ?? (() => false);
    this.journal = new ReplicationJournal(options.pendingPath);
    for (const record of this.journal.restore()) {
      const id = `${record.account}|${record.table}|${keyId(record.key)}`;
      const queued = `${record.source}|${id}`;
      if (!this.queue.has(queued)) this.queue.set(queued, { ...record, id });
    }
    if (this.queue.size) options.log?.(`replication: ${this.queue.size} pending items resumed`);
    this.arm();
  }

  /** Records a successful write in `region` and queues its items for the other regions. */
  enqueue(account: string, region: string, written: readonly WrittenKey[]): void {
    if (this.closed) return;
    const now = Date.now();
    for (const { table, key } of written) {
      const id = `${account}|${table}|${keyId(key)}`;
      this.order.record(region, id, now);
      const queued = `${region}|${id}`;
      if (this.queue.has(queued)) continue;
      const pending: Pending = { account, source: region, table, key, id, writtenAt: now };
      this.queue.set(queued, pending);
      this.journal.append(pending);
    }
    this.arm();
  }

  /** Runs `fn` while no replication of `table` runs (a replica's backfill). */
  exclusive<T>(account: string, table: string, fn: () => Promise<T>): Promise<T> {
    const lock = `${account}|${table}`;
    const run = (this.locks.get(lock) ?? Promise.resolve()).catch(() => undefined).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(lock, tail);
    void tail.then(() => {
      if (this.locks.get(lock) === tail) this.locks.delete(lock);
    });
    return run;
  }

  /** A region came back (or went down): look at the waiting items again. */
  wake(): void {
    for (const [queued, pending] of this.queue) {
      if (pending.notBefore) this.queue.set(queued, { ...pending, notBefore: 0 });
    }
    this.arm(true);
  }

  stats(): ReplicationStats {
    const held = [...this.queue.values()].filter((p) => !this.movable(p)).length;
    return this.counters.snapshot({
      lagMs: this.lagMs,
      pending: this.queue.size + this.inFlight,
      heldByOutage: held,
    });
  }

  /** Stops replicating; what is pending stays journaled for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.flushing;
    await this.journal.close();
  }

  /** Member regions that still miss the item. */
  private missing(pending: Pending): string[] {
    return this.options.registry
      .peers(pending.account, pending.source, pending.table)
      .filter((r) => !pending.done?.includes(r));
  }

  /**
   * Whether an item can move now: its source is up and some region still missing it is up
   * (or none is missing any more, and it only has to leave the queue).
   */
  private movable(pending: Pending): boolean {
    if (this.isDown(pending.source)) return false;
    const missing = this.missing(pending);
    return !missing.length || missing.some((r) => !this.isDown(r));
  }

  private dueAt(pending: Pending): number {
    return Math.max(pending.writtenAt + this.lagMs, pending.notBefore ?? 0);
  }

  /**
   * Sets the timer for the earliest item that can move. New writes are due after the ones
   * queued, so an armed timer stands unless `force` (an outage ended, a flush finished).
   */
  private arm(force = false): void {
    if (this.closed || this.flushing || (this.timer && !force)) return;
    let earliest = Number.POSITIVE_INFINITY;
    for (const pending of this.queue.values()) {
      const due = this.dueAt(pending);
      if (due < earliest && this.movable(pending)) earliest = due;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    if (earliest === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flushing = this.flush().finally(() => {
          this.flushing = undefined;
          this.arm(true);
        });
      },
      Math.max(
        0,
        earliest - Date.now(),
        this.lastFlushAt + Math.min(FLUSH_SPACING_MS, this.lagMs) - Date.now(),
      ),
    );
    this.timer.unref?.();
  }

  private async flush(): Promise<void> {
    const now = Date.now();
    this.lastFlushAt = now;
    const groups = new Map<string, [string, Pending][]>();
    for (const [queued, pending] of this.queue) {
      if (this.dueAt(pending) > now || !this.movable(pending)) continue;
      const group = `${pending.account}|${pending.source}|${pending.table}`;
      groups.set(group, [...(groups.get(group) ?? []), [queued, pending]]);
    }
    // Taken off the queue first: a write landing while this one is copied queues anew.
    for (const entries of groups.values()) {
      for (const [queued] of entries) this.queue.delete(queued);
      this.inFlight += entries.length;
    }
    const latencies: MetricDatum[] = [];
    await Promise.all(
      [...groups.values()].map((entries) => {
        const [, first] = entries[0] as [string, Pending];
        return this.exclusive(first.account, first.table, () =>
          this.deliver(first.account, first.source, first.table, entries, latencies),
        ).catch((error: Error) => {
          this.options.log?.(`replication ${first.table} from ${first.source}: ${error.message}`);
          for (const [queued, pending] of entries)
            this.requeue(queued, pending, { notBefore: Date.now() + RETRY_MS });
        });
      }),
    );
    this.inFlight = 0;
    if (latencies.length) this.options.metrics.put(latencies);
    // Write order older than any replication window still open is no longer needed.
    this.order.prune(now - Math.max(STAMP_TTL_MS, this.lagMs * 20));
    this.journal.compact(this.queue.values(), this.queue.size);
  }

  private requeue(queued: string, pending: Pending, change: Partial<Pending>): void {
    if (!this.queue.has(queued)) this.queue.set(queued, { ...pending, ...change });
  }

  /**
   * Copies one table's due items from `source` to every member region that is up: one
   * consistent read of them all, then per region the puts and deletes a later write there
   * does not supersede.
   */
  private async deliver(
    account: string,
    source: string,
    table: string,
    entries: ReadonlyArray<[string, Pending]>,
    latencies: MetricDatum[],
  ): Promise<void> {
    // The order of the source's writes as of now, before its items are read.
    const sourceSeq = new Map(entries.map(([, p]) => [p.id, this.order.seqOf(source, p.id)]));
    let items: WireItem[];
    try {
      items = await localBatchGet(
        this.options.endpoint,
        account,
        source,
        table,
        entries.map(([, p]) => p.key),
      );
    } catch (error) {
      if ((error as LocalDynamoError).code === 'ResourceNotFoundException') return; // table gone
      throw error;
    }
    // Found items by key (the key attributes are those of any queued key of the table).
    const names = Object.keys(entries[0]?.[1].key ?? {});
    const byId = new Map(
      items.map((item) => [keyId(Object.fromEntries(names.map((n) => [n, item[n] ?? {}]))), item]),
    );
    const targets = new Set(
      entries.flatMap(([, p]) => this.missing(p)).filter((r) => !this.isDown(r)),
    );
    const delivered = new Map<string, string[]>();
    for (const target of targets) {
      const wanted = entries.filter(([, p]) => this.missing(p).includes(target));
      // A later write of the item in the target wins there, and replicates back.
      const sent = wanted.filter(
        ([, p]) => this.order.seqOf(target, p.id) <= (sourceSeq.get(p.id) ?? 0),
      );
      try {
        await localBatchWrite(
          this.options.endpoint,
          account,
          target,
          table,
          sent.map(([, p]) => {
            const item = byId.get(keyId(p.key));
            return item ? { PutRequest: { Item: item } } : { DeleteRequest: { Key: p.key } };
          }),
        );
      } catch (error) {
        // The replica was deleted meanwhile: nothing to deliver there any more.
        if ((error as LocalDynamoError).code !== 'ResourceNotFoundException') {
          this.options.log?.(`replication ${table} → ${target}: ${(error as Error).message}`);
          continue;
        }
      }
      const now = Date.now();
      const values: number[] = [];
      for (const [, p] of sent) {
        this.order.holds(target, p.id, sourceSeq.get(p.id) ?? 0, now);
        values.push(now - p.writtenAt);
      }
      for (const [, p] of wanted) delivered.set(p.id, [...(delivered.get(p.id) ?? []), target]);
      if (values.length) {
        latencies.push(replicationLatency({ account, source, table, target, values, now }));
        this.counters.record(values, now);
      }
    }
    for (const [queued, p] of entries) {
      const done = [...(p.done ?? []), ...(delivered.get(p.id) ?? [])];
      const left = this.missing({ ...p, done });
      if (!left.length) continue;
      // Still missing somewhere: down (waits for the region) or failed (retried shortly).
      const failed = left.some((r) => !this.isDown(r));
      this.requeue(queued, p, { done, ...(failed ? { notBefore: Date.now() + RETRY_MS } : {}) });
    }
  }
}
