import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Which tables are global tables (version 2019.11.21) and in which regions, persisted under
 * the sandbox home so a restart keeps them. DynamoDB Local knows nothing of replication: each
 * replica is an ordinary table of the same name in another region's database, and this
 * registry is what makes them one global table.
 */

/** AWS's `ReplicaStatus` values the sandbox goes through. */
export type ReplicaStatus = 'CREATING' | 'ACTIVE' | 'DELETING';

export interface ReplicaMember {
  readonly region: string;
  readonly status: ReplicaStatus;
  /** Epoch ms of the last status change. */
  readonly since: number;
}

/** One global table: every member region, the original included. */
export interface GlobalTable {
  readonly account: string;
  readonly table: string;
  /** The table's key attributes (hash, then range), to find an item's key in a PutItem. */
  readonly keyAttributes: readonly string[];
  /** In the order the regions joined (the original first). */
  readonly members: readonly ReplicaMember[];
}

/** A replica as `DescribeTable` lists it. */
export interface ReplicaDescription {
  readonly RegionName: string;
  readonly ReplicaStatus: ReplicaStatus;
}

const keyOf = (account: string, table: string) => `${account}/${table}`;

export class ReplicaRegistry {
  private readonly tables = new Map<string, GlobalTable>();

  constructor(private readonly path: string) {
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as GlobalTable[];
      for (const entry of saved) this.tables.set(keyOf(entry.account, entry.table), entry);
    } catch {
      // No registry yet: no global tables.
    }
  }

  /** The global table `table` of `account` belongs to, if any. */
  get(account: string, table: string): GlobalTable | undefined {
    return this.tables.get(keyOf(account, table));
  }

  /** Every global table (for status and for completing transitions after a restart). */
  list(): readonly GlobalTable[] {
    return [...this.tables.values()];
  }

  /** Whether `region` holds a member of the global table (in any status). */
  isMember(account: string, region: string, table: string): boolean {
    return Boolean(this.get(account, table)?.members.some((m) => m.region === region));
  }

  /**
   * What `DescribeTable` in `region` lists under `Replicas`: the other members, never the
   * region asked (as AWS does); undefined when the table is not global there.
   */
  replicasSeenFrom(
    account: string,
    region: string,
    table: string,
  ): ReplicaDescription[] | undefined {
    const global = this.get(account, table);
    if (!global?.members.some((m) => m.region === region)) return undefined;
    const others = global.members.filter((m) => m.region !== region);
    if (!others.length) return undefined;
    return others.map((m) => ({ RegionName: m.region, ReplicaStatus: m.status }));
  }

  /** Regions a write in `region` replicates to: the other members not being deleted. */
  peers(account: string, region: string, table: string): string[] {
    const global = this.get(account, table);
    if (!global?.members.some((m) => m.region === region && m.status !== 'DELETING')) return [];
    return global.members
      .filter((m) => m.region !== region && m.status !== 'DELETING')
      .map((m) => m.region);
  }

  /** A replica being created or deleted: AWS admits no other replica update meanwhile. */
  inFlight(account: string, table: string): ReplicaMember | undefined {
    return this.get(account, table)?.members.find((m) => m.status !== 'ACTIVE');
  }

  /** Adds `region` as CREATING; the table becomes global if it was not. */
  addCreating(
    account: string,
    table: string,
    source: string,
    region: string,
    keyAttributes: readonly string[],
    now = Date.now(),
  ): void {
    const existing = this.get(account, table);
    const members = existing?.members ?? [
      { region: source, status: 'ACTIVE' as const, since: now },
    ];
    this.save({
      account,
      table,
      keyAttributes: existing?.keyAttributes ?? keyAttributes,
      members: [...members, { region, status: 'CREATING', since: now }],
    });
  }

  /** Moves one member to `status`. */
  setStatus(
    account: string,
    table: string,
    region: string,
    status: ReplicaStatus,
    now = Date.now(),
  ): void {
    const existing = this.get(account, table);
    if (!existing) return;
    this.save({
      ...existing,
      members: existing.members.map((m) =>
        m.region === region ? { region, status, since: now } : m,
      ),
    });
  }

  /** Drops one member; a table left with a single member is regional again. */
  remove(account: string, table: string, region: string): void {
    const existing = this.get(account, table);
    if (!existing) return;
    const members = existing.members.filter((m) => m.region !== region);
    if (members.length <= 1) {
      this.tables.delete(keyOf(account, table));
      this.persist();
      return;
    }
    this.save({ ...existing, members });
  }

  private save(entry: GlobalTable): void {
    this.tables.set(keyOf(entry.account, entry.table), entry);
    this.persist();
  }

  /** Written whole and renamed into place: a crash never leaves half a registry. */
  private persist(): void {
    writeFileSync(`${this.path}.tmp`, JSON.stringify([...this.tables.values()], null, 2));
    renameSync(`${this.path}.tmp`, this.path);
  }
}
