import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The events each EventBridge archive holds. moto keeps an archive's events in memory (lost
 * on restart) and replays all of them whatever the window, so the sandbox keeps them itself:
 * one JSON-lines file per archive under the sandbox home, appended as events arrive, read
 * back for a replay. Only buses with an archive pay anything.
 */

/** An event as EventBridge delivers it (`version`, `id`, `detail-type`, `time` …). */
export type BusEvent = Record<string, unknown> & { readonly id: string; readonly time: string };

interface Archived {
  readonly event: BusEvent;
  /** When the archive took it (epoch ms): retention counts from here. */
  readonly at: number;
}

const DAY_MS = 86_400_000;

/** The event's own time (what a replay window selects on), epoch ms. */
export const eventTimeOf = (event: Pick<BusEvent, 'time'>): number => Date.parse(event.time);

export class ArchiveStore {
  private readonly loaded = new Map<string, Archived[]>();
  /** Archive ARN → CreationTime (epoch seconds) as first created. */
  private readonly created: Record<string, number> = {};

  /** @param dir where the files live (none: memory only). */
  constructor(private readonly dir?: string) {
    const file = this.createdFile();
    if (file && existsSync(file)) {
      try {
        Object.assign(this.created, JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        // unreadable: moto's own times are shown
      }
    }
  }

  private createdFile(): string | undefined {
    return this.dir ? join(this.dir, 'created.json') : undefined;
  }

  /**
   * An archive's first CreationTime: moto re-creates archives when a restarted sandbox
   * replays its journal, and would otherwise date them from the restart (which would make
   * the events kept from before look older than their archive).
   */
  creationTime(archiveArn: string, fromMoto?: number): number | undefined {
    return this.created[archiveArn] ?? fromMoto;
  }

  noteCreated(archiveArn: string, creationTime: number): void {
    this.created[archiveArn] = creationTime;
    this.saveCreated();
  }

  private saveCreated(): void {
    const file = this.createdFile();
    if (!file || !this.dir) return;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(file, JSON.stringify(this.created));
  }

  private file(archiveArn: string): string | undefined {
    return this.dir
      ? join(this.dir, `${archiveArn.replace(/[^A-Za-z0-9._-]/g, '_')}.jsonl`)
      : undefined;
  }

  private load(archiveArn: string): Archived[] {
    let entries = this.loaded.get(archiveArn);
    if (entries) return entries;
    entries = [];
    const file = this.file(archiveArn);
    if (file && existsSync(file)) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line) continue;
        try {
          entries.push(JSON.parse(line) as Archived);
        } catch {
          // a torn last line after a crash
        }
      }
    }
    this.loaded.set(archiveArn, entries);
    return entries;
  }

  append(archiveArn: string, event: BusEvent, at = Date.now()): void {
    const entry: Archived = { event, at };
    this.load(archiveArn).push(entry);
    const file = this.file(archiveArn);
    if (!file || !this.dir) return;
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(file, `${JSON.stringify(entry)}\n`);
  }

  /**
   * Drops events past the archive's retention (0 = kept forever) and rewrites the file when
   * any went. Called before every read, so an expired event is never counted or replayed.
   */
  private prune(archiveArn: string, retentionDays: number, now: number): Archived[] {
    const entries = this.load(archiveArn);
    if (!retentionDays) return entries;
    const kept = entries.filter((e) => now - e.at < retentionDays * DAY_MS);
    if (kept.length === entries.length) return entries;
    this.loaded.set(archiveArn, kept);
    const file = this.file(archiveArn);
    if (file) writeFileSync(file, kept.map((e) => `${JSON.stringify(e)}\n`).join(''));
    return kept;
  }

  /** DescribeArchive's EventCount and SizeBytes. */
  stats(archiveArn: string, retentionDays: number, now = Date.now()) {
    const entries = this.prune(archiveArn, retentionDays, now);
    return {
      eventCount: entries.length,
      sizeBytes: entries.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.event)), 0),
    };
  }

  /** Events whose own time is in [from, to), oldest first (a replay goes minute by minute). */
  window(archiveArn: string, retentionDays: number, from: number, to: number, now = Date.now()) {
    return this.prune(archiveArn, retentionDays, now)
      .map((e) => e.event)
      .filter((e) => {
        const t = eventTimeOf(e);
        return t >= from && t < to;
      })
      .sort((a, b) => eventTimeOf(a) - eventTimeOf(b));
  }

  /** DeleteArchive: its events go with it. */
  drop(archiveArn: string): void {
    this.loaded.delete(archiveArn);
    delete this.created[archiveArn];
    this.saveCreated();
    const file = this.file(archiveArn);
    if (file) rmSync(file, { force: true });
  }
}
