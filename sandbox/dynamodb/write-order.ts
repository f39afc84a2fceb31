/**
 * The order of writes to replicated items, per region: what makes "last writer wins"
 * decidable. The sandbox sees every region's writes in one process, so a counter orders them
 * totally; a region's entry for an item is the sequence number of the write it holds (its
 * own, or one replicated into it). Entries older than any open replication window are
 * forgotten, so memory stays bounded under traffic.
 */
export class WriteOrder {
  private readonly byRegion = new Map<string, Map<string, { seq: number; at: number }>>();
  private last = 0;

  /** A write of `id` acknowledged in `region` now: the next number. */
  record(region: string, id: string, now = Date.now()): number {
    this.last += 1;
    this.of(region).set(id, { seq: this.last, at: now });
    return this.last;
  }

  /** The write of `id` that `region` holds (0: none known, e.g. after a restart). */
  seqOf(region: string, id: string): number {
    return this.byRegion.get(region)?.get(id)?.seq ?? 0;
  }

  /** `region` now holds the write numbered `seq` of `id` (replicated into it). */
  holds(region: string, id: string, seq: number, now = Date.now()): void {
    this.of(region).set(id, { seq, at: now });
  }

  /** Forgets entries older than `before` (epoch ms), once a region has many. */
  prune(before: number, threshold = 5_000): void {
    for (const map of this.byRegion.values()) {
      if (map.size < threshold) continue;
      for (const [id, entry] of map) if (entry.at < before) map.delete(id);
    }
  }

  private of(region: string) {
    let map = this.byRegion.get(region);
    if (!map) {
      map = new Map();
      this.byRegion.set(region, map);
    }
    return map;
  }
}
