import { LocalDynamoError, localCall } from './local-wire.js';
import type { ReplicaRegistry } from './replica-registry.js';
import { buildReplicaTable } from './replica-table.js';
import type { Replicator } from './replication.js';

/**
 * Global tables version 2019.11.21 on DynamoDB Local: `UpdateTable` with `ReplicaUpdates`
 * (one Create or Delete per call, as AWS allows), the replica's lifecycle (CREATING with its
 * table created and existing items copied, ACTIVE after `createMs`; DELETING, then the
 * replica table dropped after `deleteMs`), and what `DescribeTable` shows of it in every
 * member region (`Replicas` of the other regions, `GlobalTableVersion`, `TableStatus`
 * UPDATING on the others while a replica is created or deleted).
 */

/** An answer AWS gives to a replica update it refuses. */
export class ReplicaUpdateError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const durationFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]?.trim() || Number.NaN);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
};

export interface GlobalTablesOptions {
  /** DynamoDB Local. */
  readonly endpoint: string;
  readonly registry: ReplicaRegistry;
  readonly replicator: Replicator;
  /** CREATING → ACTIVE; default `SANDBOX_REPLICA_CREATE_MS`, else 1000 ms. */
  readonly createMs?: number;
  /** DELETING → gone; default `SANDBOX_REPLICA_DELETE_MS`, else 1000 ms. */
  readonly deleteMs?: number;
  readonly log?: (line: string) => void;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export class GlobalTables {
  private readonly createMs: number;
  private readonly deleteMs: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly work = new Set<Promise<unknown>>();

  constructor(private readonly options: GlobalTablesOptions) {
    this.createMs = options.createMs ?? durationFromEnv('SANDBOX_REPLICA_CREATE_MS', 1_000);
    this.deleteMs = options.deleteMs ?? durationFromEnv('SANDBOX_REPLICA_DELETE_MS', 1_000);
  }

  /** For write-key extraction: the key attributes of `account`'s replicated tables in `region`. */
  keyAttributesOf(account: string, region: string) {
    return (table: string) =>
      this.options.registry.isMember(account, region, table)
        ? this.options.registry.get(account, table)?.keyAttributes
        : undefined;
  }

  /** Whether `table` is a member of a global table in `region`. */
  isGlobal(account: string, region: string, table: string): boolean {
    return this.options.registry.isMember(account, region, table);
  }

  /** AWS refuses any other UpdateTable while a replica is being created or deleted. */
  assertNotInFlight(account: string, table: string): void {
    if (this.options.registry.inFlight(account, table)) {
      throw new ReplicaUpdateError(
        'ResourceInUseException',
        'The resource which you are attempting to change is in use.',
      );
    }
  }

  /** Adds what AWS shows of a global table to a `TableDescription` from DynamoDB Local. */
  decorate(account: string, region: string, description: Record<string, any>): void {
    const table = String(description.TableName ?? '');
    const replicas = this.options.registry.replicasSeenFrom(account, region, table);
    if (!replicas) return;
    const own = this.options.registry.get(account, table)?.members.find((m) => m.region === region);
    description.GlobalTableVersion = '2019.11.21';
    description.Replicas = replicas;
    if (own?.status === 'CREATING' || own?.status === 'DELETING') {
      description.TableStatus = own.status;
    } else if (replicas.some((r) => r.ReplicaStatus !== 'ACTIVE')) {
      description.TableStatus = 'UPDATING';
    }
  }

  /**
   * `UpdateTable` with `ReplicaUpdates` in `region`: validates as AWS does, starts the
   * Create or Delete, and answers the table's description (TableStatus UPDATING).
   */
  async updateReplicas(
    account: string,
    region: string,
    input: Record<string, any>,
  ): Promise<Record<string, unknown>> {
    const table = String(input.TableName ?? '');
    const updates = (input.ReplicaUpdates ?? []) as Array<Record<string, any>>;
    const others = Object.keys(input).filter((k) => !['TableName', 'ReplicaUpdates'].includes(k));
    if (others.length) {
      throw new ReplicaUpdateError(
        'ValidationException',
        `One or more parameter values were invalid: ReplicaUpdates cannot be combined with ${others.join(', ')} in one UpdateTable call`,
      );
    }
    const actions = updates.filter((u) => u.Create || u.Delete);
    if (updates.some((u) => u.Update)) {
      throw new ReplicaUpdateError(
        'ValidationException',
        'ReplicaUpdates Update (per-replica overrides) is not modelled by the sandbox',
      );
    }
    const regions = new Set(
      actions.map((u) => `${u.Create ? 'C' : 'D'}${(u.Create ?? u.Delete).RegionName}`),
    );
    if (regions.size !== 1) {
      throw new ReplicaUpdateError(
        'ValidationException',
        regions.size
          ? 'Update table operation with more than one create or delete replica actions not allowed'
          : 'One or more parameter values were invalid: ReplicaUpdates must name one Create or Delete',
      );
    }
    const action = actions[0] ?? {};
    const target = String((action.Create ?? action.Delete).RegionName ?? '');
    if (target === region) {
      throw new ReplicaUpdateError(
        'ValidationException',
        'Cannot add, delete, or update the local region through ReplicaUpdates. Use CreateTable, DeleteTable, or UpdateTable as required.',
      );
    }
    if (!REGION.test(target)) {
      throw new ReplicaUpdateError('ValidationException', `Invalid region name: ${target}`);
    }
    const description = await this.describe(account, region, table);
    this.assertNotInFlight(account, table);
    if (action.Create) await this.startCreate(account, region, table, target, description);
    else this.startDelete(account, table, target);
    const answer = await this.describe(account, region, table);
    this.decorate(account, region, answer);
    answer.TableStatus = 'UPDATING';
    return answer;
  }

  /** After a regional DeleteTable of a member: it leaves the global table. */
  onTableDeleted(account: string, region: string, table: string): void {
    if (this.options.registry.isMember(account, region, table)) {
      this.options.registry.remove(account, table, region);
    }
  }

  /** After a restart: finish what was CREATING (table, copy) or DELETING. */
  async resume(): Promise<void> {
    for (const global of this.options.registry.list()) {
      const source = global.members.find((m) => m.status === 'ACTIVE')?.region;
      for (const member of global.members) {
        if (member.status === 'CREATING' && source) {
          await this.build(global.account, source, global.table, member.region).catch(
            (error: Error) => this.abandon(global.account, global.table, member.region, error),
          );
          this.options.registry.setStatus(global.account, global.table, member.region, 'ACTIVE');
        } else if (member.status === 'DELETING') {
          await this.drop(global.account, global.table, member.region);
        }
      }
    }
  }

  /** Waits for replica work under way (tests, shutdown), then stops the timers. */
  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.work]);
  }

  private async describe(account: string, region: string, table: string) {
    try {
      const out = await localCall<{ Table: Record<string, any> }>(
        this.options.endpoint,
        account,
        region,
        'DescribeTable',
        { TableName: table },
      );
      return out.Table;
    } catch (error) {
      if (error instanceof LocalDynamoError && error.code === 'ResourceNotFoundException') {
        throw new ReplicaUpdateError(
          'ResourceNotFoundException',
          `Requested resource not found: Table: ${table} not found`,
        );
      }
      throw error;
    }
  }

  private async startCreate(
    account: string,
    source: string,
    table: string,
    target: string,
    description: Record<string, any>,
  ): Promise<void> {
    const exists = await this.describe(account, target, table).then(
      () => true,
      () => false,
    );
    if (exists || this.options.registry.isMember(account, target, table)) {
      throw new ReplicaUpdateError(
        'ValidationException',
        `Failed to create a the new replica of table with name: '${table}' because one or more replicas already existed as tables.`,
      );
    }
    const keyAttributes = ['HASH', 'RANGE'].flatMap((type) =>
      (description.KeySchema ?? [])
        .filter((k: any) => k.KeyType === type)
        .map((k: any) => String(k.AttributeName)),
    );
    this.options.registry.addCreating(account, table, source, target, keyAttributes);
    const started = Date.now();
    this.track(
      this.build(account, source, table, target).then(
        () =>
          this.after(Math.max(0, started + this.createMs - Date.now()), () =>
            this.options.registry.setStatus(account, table, target, 'ACTIVE'),
          ),
        (error: Error) => this.abandon(account, table, target, error),
      ),
    );
  }

  private startDelete(account: string, table: string, target: string): void {
    if (!this.options.registry.isMember(account, target, table)) {
      throw new ReplicaUpdateError(
        'ValidationException',
        `Update global table operation failed because one or more replicas were not part of the global table. Please retry the request without these replicas: ${target}.`,
      );
    }
    this.options.registry.setStatus(account, table, target, 'DELETING');
    this.after(this.deleteMs, () => this.track(this.drop(account, table, target)));
  }

  /**
   * The replica table and a copy of every item, while no replication of the table runs:
   * writes made meanwhile are queued and delivered after the copy, so none is overwritten by
   * an older one.
   */
  private build(account: string, source: string, table: string, target: string): Promise<void> {
    return this.options.replicator.exclusive(account, table, async () => {
      const description = await this.describe(account, source, table);
      await buildReplicaTable(this.options.endpoint, account, source, target, description);
    });
  }

  private async drop(account: string, table: string, target: string): Promise<void> {
    await localCall(this.options.endpoint, account, target, 'DeleteTable', {
      TableName: table,
    }).catch(() => undefined); // already gone
    this.options.registry.remove(account, table, target);
  }

  /** A Create that failed leaves no trace (AWS shows no CREATION_FAILED either). */
  private abandon(account: string, table: string, target: string, error: Error): void {
    this.options.log?.(`replica ${table} in ${target} not created: ${error.message}`);
    this.options.registry.remove(account, table, target);
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private track(work: Promise<unknown>): void {
    this.work.add(work);
    void work.finally(() => this.work.delete(work));
  }
}
