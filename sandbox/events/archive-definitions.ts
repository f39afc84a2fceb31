import {
  DescribeArchiveCommand,
  EventBridgeClient,
  ListArchivesCommand,
} from '@aws-sdk/client-eventbridge';
import { motoClient } from '../moto/clients.js';
import type { BusEvent } from './event-archive.js';
import { matchesEventPattern, parseEventPattern } from './event-pattern.js';

/** One archive as the sandbox needs it to decide what it keeps. */
export interface ArchiveDefinition {
  readonly name: string;
  readonly arn: string;
  /** The bus it archives (EventBridge's EventSourceArn). */
  readonly sourceArn: string;
  readonly busName: string;
  readonly state: string;
  /** 0: kept forever. */
  readonly retentionDays: number;
  readonly matches: (event: BusEvent) => boolean;
}

/**
 * The archives of each account and region, read from moto once and cached until an archive
 * changes through the gateway: PutEvents is on the service's hot path, and must not cost a
 * moto round trip per event to learn that its bus has no archive.
 */
export class ArchiveDefinitions {
  private readonly cache = new Map<string, Promise<ArchiveDefinition[]>>();

  constructor(private readonly motoEndpoint: string) {}

  all(account: string, region: string): Promise<ArchiveDefinition[]> {
    const key = `${account}/${region}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.read(account, region);
      // A failed read is not cached: the next call asks again.
      found.catch(() => this.cache.delete(key));
      this.cache.set(key, found);
    }
    return found;
  }

  async forBus(account: string, region: string, busName: string): Promise<ArchiveDefinition[]> {
    return (await this.all(account, region)).filter((a) => a.busName === busName);
  }

  forget(account: string, region: string): void {
    this.cache.delete(`${account}/${region}`);
  }

  private async read(account: string, region: string): Promise<ArchiveDefinition[]> {
    const events = motoClient(EventBridgeClient, this.motoEndpoint, account, region);
    const list = await events.send(new ListArchivesCommand({}));
    const definitions: ArchiveDefinition[] = [];
    for (const short of list.Archives ?? []) {
      const a = await events.send(new DescribeArchiveCommand({ ArchiveName: short.ArchiveName }));
      const pattern = a.EventPattern ? parseEventPattern(a.EventPattern) : {};
      const sourceArn = a.EventSourceArn ?? '';
      definitions.push({
        name: a.ArchiveName ?? '',
        arn: a.ArchiveArn ?? '',
        sourceArn,
        busName: sourceArn.split('/').pop() ?? 'default',
        state: a.State ?? 'ENABLED',
        retentionDays: a.RetentionDays ?? 0,
        // No pattern (or an empty one): the archive keeps every event of its bus.
        matches: (event) =>
          Object.keys(pattern).length === 0 || matchesEventPattern(pattern, event),
      });
    }
    return definitions;
  }
}
