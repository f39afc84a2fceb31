import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { BackupError } from './backup-error.js';
import type { Item } from './restore-jobs.js';

/**
 * Point-in-time recovery, the closest real thing: DynamoDB Local has none, so for each
 * table with PITR on the sandbox keeps a base copy (taken when PITR was turned on) and a
 * change log of the writes it forwards — per written key, the new image or a deletion,
 * with the time. The table at T is the base with every change up to T applied, so a restore
 * to any moment of the window gets exactly the data of that moment, as in AWS.
 *
 * Limits, named: writes through PartiQL (ExecuteStatement…) are not logged (the service
 * uses none); an UpdateItem's new image is read back right after it, so two updates of one
 * key within milliseconds may log the second image twice; the log is never compacted (a
 * sandbox lives hours, not AWS's 35 days).
 */

interface Base {
  /** When PITR was turned on (epoch ms): the window's earliest moment. */
  readonly since: number;
  /** Key attribute names, hash first. */
  readonly keys: readonly string[];
  readonly items: Item[];
}

interface Change {
  readonly t: number;
  /** The key's attributes. */
  readonly k: Item;
  /** The new image; null for a deletion. */
  readonly i: Item | null;
}

interface Tracked {
  readonly since: number;
  readonly keys: readonly string[];
}

/** `arn:aws:dynamodb:…:table/orders-prod` or `orders-prod` → `orders-prod`. */
const tableName = (name: unknown): string =>
  typeof name === 'string' ? ((name.split(':table/')[1] ?? name).split('/')[0] ?? '') : '';

export class PitrLog {
  /** Per `account/region/table`: what is tracked (null: known not to be). */
  private readonly tracked = new Map<string, Tracked | null>();

  constructor(private readonly dir: string) {}

  private dirOf(account: string, region: string, table: string): string {
    return join(this.dir, account, region, table);
  }

  private state(account: string, region: string, table: string): Tracked | undefined {
    const id = `${account}/${region}/${table}`;
    if (!this.tracked.has(id)) {
      const file = join(this.dirOf(account, region, table), 'base.json');
      let found: Tracked | null = null;
      if (existsSync(file)) {
        const base = JSON.parse(readFileSync(file, 'utf8')) as Base;
        found = { since: base.since, keys: base.keys };
      }
      this.tracked.set(id, found);
    }
    return this.tracked.get(id) ?? undefined;
  }

  /**
   * PITR turned on: the table now is the base, and writes are logged from here. Turned
   * off: the log goes, as AWS drops the window. Turning it on again keeps the window.
   */
  async setEnabled(
    client: DynamoDBClient,
    account: string,
    region: string,
    table: string,
    enabled: boolean,
    since: number,
  ): Promise<void> {
    const dir = this.dirOf(account, region, table);
    const id = `${account}/${region}/${table}`;
    if (!enabled) {
      rmSync(dir, { recursive: true, force: true });
      this.tracked.set(id, null);
      return;
    }
    if (this.state(account, region, table)) return;
    const description = await client.send(new DescribeTableCommand({ TableName: table }));
    const schema = description.Table?.KeySchema ?? [];
    const keys = ['HASH', 'RANGE'].flatMap((type) =>
      schema.filter((k) => k.KeyType === type).map((k) => k.AttributeName ?? ''),
    );
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey as Item | undefined;
    } while (start);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'changes.jsonl'), '');
    writeFileSync(join(dir, 'base.json'), JSON.stringify({ since, keys, items } satisfies Base));
    this.tracked.set(id, { since, keys });
  }

  private append(account: string, region: string, table: string, key: Item, image: Item | null) {
    const tracked = this.state(account, region, table);
    if (!tracked) return;
    const k = Object.fromEntries(tracked.keys.map((n) => [n, key[n] as Item[string]]));
    const line: Change = { t: Date.now(), k, i: image };
    appendFileSync(
      join(this.dirOf(account, region, table), 'changes.jsonl'),
      `${JSON.stringify(line)}\n`,
    );
  }

  /**
   * After DynamoDB Local accepted a request: logs the new image of every key it wrote, in
   * tables with PITR on. Reads are ignored at the cost of one switch.
   */
  async observe(
    client: () => DynamoDBClient,
    account: string,
    region: string,
    operation: string,
    input: any,
    responseBody: string,
  ): Promise<void> {
    const log = (table: string, key: Item, image: Item | null) =>
      this.append(account, region, table, key, image);
    const readBack = async (table: string, key: Item) =>
      ((
        await client().send(
          new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
        )
      ).Item as Item | undefined) ?? null;
    const on = (name: unknown) => {
      const table = tableName(name);
      return this.state(account, region, table) ? table : undefined;
    };
    switch (operation) {
      case 'PutItem': {
        const table = on(input.TableName);
        if (table) log(table, input.Item, input.Item);
        return;
      }
      case 'DeleteItem': {
        const table = on(input.TableName);
        if (table) log(table, input.Key, null);
        return;
      }
      case 'UpdateItem': {
        const table = on(input.TableName);
        if (table) log(table, input.Key, await readBack(table, input.Key));
        return;
      }
      case 'BatchWriteItem': {
        const unprocessed = (JSON.parse(responseBody || '{}').UnprocessedItems ?? {}) as Record<
          string,
          unknown[]
        >;
        for (const [name, requests] of Object.entries(input.RequestItems ?? {})) {
          const table = on(name);
          if (!table) continue;
          const skipped = new Set((unprocessed[name] ?? []).map((r) => JSON.stringify(r)));
          for (const request of requests as Array<Record<string, any>>) {
            if (skipped.has(JSON.stringify(request))) continue;
            if (request.PutRequest) log(table, request.PutRequest.Item, request.PutRequest.Item);
            if (request.DeleteRequest) log(table, request.DeleteRequest.Key, null);
          }
        }
        return;
      }
      case 'TransactWriteItems':
        for (const entry of (input.TransactItems ?? []) as Array<Record<string, any>>) {
          if (entry.Put && on(entry.Put.TableName))
            log(tableName(entry.Put.TableName), entry.Put.Item, entry.Put.Item);
          if (entry.Delete && on(entry.Delete.TableName))
            log(tableName(entry.Delete.TableName), entry.Delete.Key, null);
          if (entry.Update && on(entry.Update.TableName)) {
            const table = tableName(entry.Update.TableName);
            log(table, entry.Update.Key, await readBack(table, entry.Update.Key));
          }
        }
        return;
      case 'DeleteTable': {
        const table = on(input.TableName);
        if (table) await this.setEnabled(client(), account, region, table, false, 0);
        return;
      }
      default:
        return;
    }
  }

  /** The moments a restore may ask for: from when PITR was turned on until now. */
  window(
    account: string,
    region: string,
    table: string,
  ): { earliest: number; latest: number } | undefined {
    const tracked = this.state(account, region, table);
    return tracked ? { earliest: tracked.since, latest: Date.now() } : undefined;
  }

  /** The table's items as they were at `at` (epoch ms): the base with the changes up to then. */
  itemsAt(account: string, region: string, table: string, at: number): Item[] {
    const window = this.window(account, region, table);
    if (!window) {
      throw new BackupError(
        'PointInTimeRecoveryUnavailableException',
        `Point in time recovery is not enabled for table '${table}'`,
      );
    }
    if (at < window.earliest || at > window.latest) {
      throw new BackupError(
        'InvalidRestoreTimeException',
        `RestoreDateTime must be between ${new Date(window.earliest).toISOString()} and ${new Date(window.latest).toISOString()}`,
      );
    }
    const dir = this.dirOf(account, region, table);
    const base = JSON.parse(readFileSync(join(dir, 'base.json'), 'utf8')) as Base;
    const keyOf = (item: Item) => JSON.stringify(base.keys.map((k) => item[k]));
    const state = new Map(base.items.map((item) => [keyOf(item), item]));
    for (const line of readFileSync(join(dir, 'changes.jsonl'), 'utf8').split('\n')) {
      if (!line) continue;
      const change = JSON.parse(line) as Change;
      // File order is the order the writes completed in; times only say where T falls.
      if (change.t > at) continue;
      if (change.i) state.set(keyOf(change.k), change.i);
      else state.delete(keyOf(change.k));
    }
    return [...state.values()];
  }
}
