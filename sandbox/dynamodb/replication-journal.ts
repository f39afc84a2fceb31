import { readFileSync } from 'node:fs';
import { appendFile, writeFile } from 'node:fs/promises';
import type { WireItem } from './local-wire.js';

/**
 * The replicator's pending items on disk (JSON lines), so a crash or a restart delays
 * replication but loses none of it: appended once per event-loop turn as writes are queued,
 * rewritten as what is still pending once it has grown or drained.
 */

/** One item still to replicate from `source`. */
export interface PendingRecord {
  readonly account: string;
  readonly source: string;
  readonly table: string;
  readonly key: WireItem;
  /** The first write not yet replicated (epoch ms). */
  readonly writtenAt: number;
}

const line = ({ account, source, table, key, writtenAt }: PendingRecord) =>
  `${JSON.stringify({ account, source, table, key, writtenAt })}\n`;

export class ReplicationJournal {
  private chain: Promise<unknown> = Promise.resolve();
  private buffer: string[] = [];
  /** Lines in the file (an estimate; Infinity forces the next compaction). */
  private lines = 0;

  constructor(private readonly path: string) {}

  /** What a previous run left pending; a line cut by a crash is skipped. */
  restore(): PendingRecord[] {
    let text = '';
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return [];
    }
    const records: PendingRecord[] = [];
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      try {
        records.push(JSON.parse(raw) as PendingRecord);
      } catch {
        // Torn by a crash mid-append: that item's write happened just before; it is lost
        // with it only if the process died between DynamoDB Local's answer and this line.
      }
    }
    this.lines = records.length ? Number.POSITIVE_INFINITY : 0;
    return records;
  }

  append(record: PendingRecord): void {
    this.buffer.push(line(record));
    if (this.buffer.length === 1) setImmediate(() => this.flush());
  }

  /** Rewrites the file as `pending` when it has grown past `maxLines` or nothing is pending. */
  compact(pending: Iterable<PendingRecord>, size: number, maxLines = 2_000): void {
    if (this.lines < maxLines && size > 0) return;
    if (this.lines === 0 && !this.buffer.length) return;
    this.flush();
    const text = [...pending].map(line).join('');
    this.lines = size;
    this.chain = this.chain.then(
      () => writeFile(this.path, text),
      () => undefined,
    );
  }

  /** Writes what is buffered; resolves when the file has everything. */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
  }

  private flush(): void {
    if (!this.buffer.length) return;
    const text = this.buffer.join('');
    this.lines += this.buffer.length;
    this.buffer = [];
    this.chain = this.chain.then(
      () => appendFile(this.path, text),
      () => undefined,
    );
  }
}
