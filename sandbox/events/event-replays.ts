import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  type Rule,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { motoClient } from '../moto/clients.js';
import { ruleArnOf } from './dlq-attributes.js';
import type { BusEvent } from './event-archive.js';
import { matchesEventPattern } from './event-pattern.js';
import { queueRefOf } from './queue-contents.js';

/**
 * EventBridge replays, served by the sandbox: moto's StartReplay sends every archived event
 * to every rule at once, ignoring the window and the rules asked for. Here a replay sends the
 * events whose own time is in [EventStartTime, EventEndTime) to the destination bus's rules
 * (only those in FilterArns when given), each event with a `replay-name` field and its
 * original id, through the same SQS queues moto delivers to — so Lambda targets get them from
 * the target poller with its retries and DLQ, as live events.
 */

export type ReplayState =
  | 'STARTING'
  | 'RUNNING'
  | 'CANCELLING'
  | 'COMPLETED'
  | 'CANCELLED'
  | 'FAILED';

export interface ReplayRecord {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  /** The archive's ARN (EventBridge calls it EventSourceArn). */
  readonly archiveArn: string;
  readonly destination: { readonly Arn: string; readonly FilterArns?: readonly string[] };
  /** Epoch ms. */
  readonly eventStartTime: number;
  readonly eventEndTime: number;
  readonly replayStartTime: number;
  state: ReplayState;
  stateReason?: string;
  replayEndTime?: number;
  eventLastReplayedTime?: number;
  /** Sandbox bookkeeping, for its log: deliveries made and targets it cannot serve. */
  delivered?: number;
  skippedTargets?: number;
}

/** Replays by account/region/name, persisted so DescribeReplay answers after a restart. */
export class ReplayStore {
  private readonly records = new Map<string, ReplayRecord>();

  constructor(private readonly path?: string) {
    if (!path || !existsSync(path)) return;
    try {
      for (const r of JSON.parse(readFileSync(path, 'utf8')) as ReplayRecord[]) {
        // A replay cut short by a stop did not finish: say so rather than leave it running.
        if (r.state === 'STARTING' || r.state === 'RUNNING' || r.state === 'CANCELLING') {
          r.state = 'FAILED';
          r.stateReason = 'the sandbox stopped during the replay';
        }
        this.records.set(this.key(r), r);
      }
    } catch {
      // unreadable: start empty
    }
  }

  private key(r: Pick<ReplayRecord, 'account' | 'region' | 'name'>) {
    return `${r.account}/${r.region}/${r.name}`;
  }

  get(account: string, region: string, name: string): ReplayRecord | undefined {
    return this.records.get(this.key({ account, region, name }));
  }

  list(account: string, region: string): ReplayRecord[] {
    return [...this.records.values()].filter((r) => r.account === account && r.region === region);
  }

  save(record: ReplayRecord): void {
    this.records.set(this.key(record), record);
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(`${this.path}.tmp`, JSON.stringify([...this.records.values()]));
    renameSync(`${this.path}.tmp`, this.path);
  }
}

/** Every rule of a bus with its targets, as moto holds them (Lambda targets as shadow queues). */
const rulesOf = async (events: EventBridgeClient, busName: string) => {
  const rules: Rule[] = [];
  let NextToken: string | undefined;
  do {
    const out = await events.send(new ListRulesCommand({ EventBusName: busName, NextToken }));
    rules.push(...(out.Rules ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  const withTargets: Array<{ rule: Rule; targets: Target[] }> = [];
  for (const rule of rules) {
    const out = await events.send(
      new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: busName }),
    );
    withTargets.push({ rule, targets: out.Targets ?? [] });
  }
  return withTargets;
};

/**
 * Runs one replay to its end, saving its progress as it goes (EventLastReplayedTime); never
 * throws — a failure is the replay's FAILED state with its reason.
 */
export const runReplay = async (
  record: ReplayRecord,
  deps: {
    motoEndpoint: string;
    store: ReplayStore;
    /** The archive's events in the window, oldest first. */
    events: () => BusEvent[];
    log?: (line: string) => void;
  },
): Promise<void> => {
  const busName = record.destination.Arn.split('/').pop() ?? 'default';
  const filter = record.destination.FilterArns?.length
    ? new Set(record.destination.FilterArns)
    : undefined;
  // Read through a function: CancelReplay changes the state while this runs.
  const state = (): ReplayState => record.state;
  if (state() === 'CANCELLING') {
    record.state = 'CANCELLED';
    record.replayEndTime = Date.now();
    deps.store.save(record);
    return;
  }
  record.state = 'RUNNING';
  deps.store.save(record);
  try {
    const eb = motoClient(EventBridgeClient, deps.motoEndpoint, record.account, record.region);
    const rules = (await rulesOf(eb, busName)).filter(({ rule }) => {
      if (!rule.Name || !rule.EventPattern || rule.State === 'DISABLED') return false;
      // The archive's own rule: a replayed event is never archived again.
      if (rule.Name.startsWith('Events-Archive-')) return false;
      const arn = ruleArnOf({ ...record, busName, ruleName: rule.Name });
      return !filter || filter.has(arn) || (rule.Arn !== undefined && filter.has(rule.Arn));
    });
    let delivered = 0;
    let skipped = 0;
    for (const event of deps.events()) {
      if (state() !== 'RUNNING') break; // cancelled
      const replayed = { ...event, 'replay-name': record.name };
      for (const { rule, targets } of rules) {
        if (!matchesEventPattern(rule.EventPattern as string, replayed)) continue;
        for (const target of targets) {
          const queue = queueRefOf(target.Arn ?? '');
          // Only queue targets are delivered (shadow queues stand for Lambda); transforms are not applied.
          if (!queue || target.Input || target.InputPath || target.InputTransformer) {
            skipped += 1;
            continue;
          }
          const sqs = motoClient(SQSClient, deps.motoEndpoint, queue.account, queue.region);
          const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }))).QueueUrl;
          await sqs.send(
            new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(replayed) }),
          );
          delivered += 1;
        }
      }
      record.eventLastReplayedTime = Date.parse(event.time);
      record.delivered = delivered;
      deps.store.save(record);
    }
    record.skippedTargets = skipped;
    record.delivered = delivered;
    if (state() === 'CANCELLING') record.state = 'CANCELLED';
    else if (state() === 'RUNNING') record.state = 'COMPLETED';
    deps.log?.(
      `replay ${record.name}: ${record.state}, ${delivered} deliveries${skipped ? `, ${skipped} targets not served by the sandbox` : ''}`,
    );
  } catch (error) {
    record.state = 'FAILED';
    record.stateReason = (error as Error).message.slice(0, 512);
    deps.log?.(`replay ${record.name} failed: ${record.stateReason}`);
  }
  record.replayEndTime = Date.now();
  deps.store.save(record);
};
