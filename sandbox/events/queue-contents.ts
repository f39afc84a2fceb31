import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueUrlCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { motoClient } from '../moto/clients.js';

/**
 * Keeps the messages of the queues the sandbox's EventBridge owns — the targets' dead-letter
 * queues and the shadow queues of deliveries not yet made — across a restart, which moto
 * (in memory only) would lose.
 *
 * Why not mirror every SQS call: SQS reaches moto through the gateway's generic forwarder,
 * and following each receive and delete there would put bookkeeping on every SQS call of
 * every sandbox. Instead moto stays the only live copy (so the DLQ-depth alarm, the aws CLI
 * and the SDK see one truth), and the file is:
 * - rewritten from moto's contents when the sandbox stops (`snapshot`), so whatever was
 *   received and deleted through SQS is gone from it too;
 * - appended to when the poller parks a message (`recordParked`), so a crash between two
 *   stops loses no parked event; it may bring back one deleted since the last stop —
 *   at least once, as EventBridge itself delivers, and the consumer is idempotent.
 * Restored messages get a new MessageId and SentTimestamp (SQS assigns both).
 */

export interface QueueRef {
  readonly account: string;
  readonly region: string;
  readonly name: string;
}

interface StoredAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  /** base64 of BinaryValue */
  readonly Binary?: string;
}

export interface StoredMessage {
  readonly body: string;
  readonly attributes?: Record<string, StoredAttribute>;
  /** When SQS first took it (epoch ms), kept for the record. */
  readonly sentAt: number;
}

interface Line {
  readonly queue: QueueRef;
  readonly message: StoredMessage;
}

/** `arn:aws:sqs:<region>:<account>:<name>` → its parts. */
export const queueRefOf = (arn: string): QueueRef | undefined => {
  const [, , service, region, account, name] = arn.split(':');
  return service === 'sqs' && region && account && name ? { account, region, name } : undefined;
};

const keyOf = (q: QueueRef) => `${q.account}/${q.region}/${q.name}`;

const toStored = (attributes: Record<string, MessageAttributeValue> | undefined) =>
  attributes
    ? Object.fromEntries(
        Object.entries(attributes).map(([name, a]) => [
          name,
          {
            DataType: a.DataType ?? 'String',
            ...(a.StringValue !== undefined ? { StringValue: a.StringValue } : {}),
            ...(a.BinaryValue ? { Binary: Buffer.from(a.BinaryValue).toString('base64') } : {}),
          },
        ]),
      )
    : undefined;

const fromStored = (attributes: Record<string, StoredAttribute> | undefined) =>
  attributes
    ? Object.fromEntries(
        Object.entries(attributes).map(([name, a]) => [
          name,
          {
            DataType: a.DataType,
            ...(a.StringValue !== undefined ? { StringValue: a.StringValue } : {}),
            ...(a.Binary ? { BinaryValue: Buffer.from(a.Binary, 'base64') } : {}),
          } satisfies MessageAttributeValue,
        ]),
      )
    : undefined;

/** A queue holds at most this many messages in the file (a runaway loop must not fill a disk). */
const MAX_PER_QUEUE = 10_000;

export class QueueContentsStore {
  private readonly restores = new Map<string, Promise<boolean>>();

  /** @param path the JSON-lines file (none: nothing is kept, as in unit tests). */
  constructor(
    private readonly motoEndpoint: string,
    private readonly path?: string,
  ) {}

  private lines(): Line[] {
    if (!this.path || !existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Line];
        } catch {
          return []; // a torn last line after a crash
        }
      });
  }

  /** Called by the poller after it parked `message` in `queue`. */
  recordParked(queue: QueueRef, message: StoredMessage): void {
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify({ queue, message } satisfies Line)}\n`);
  }

  /**
   * Puts the kept messages of `queue` back into moto, once per sandbox process; later calls
   * wait for the first. Resolves false when the queue could not be restored (it no longer
   * exists): its kept messages then stay in the file.
   */
  restore(queue: QueueRef): Promise<boolean> {
    const key = keyOf(queue);
    let done = this.restores.get(key);
    if (!done) {
      done = this.send(queue).catch(() => false);
      this.restores.set(key, done);
    }
    return done;
  }

  private async send(queue: QueueRef): Promise<boolean> {
    const kept = this.lines().filter((l) => keyOf(l.queue) === keyOf(queue));
    if (kept.length === 0) return true;
    const sqs = motoClient(SQSClient, this.motoEndpoint, queue.account, queue.region);
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }))).QueueUrl;
    for (let i = 0; i < kept.length; i += 10) {
      const batch = kept.slice(i, i + 10);
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: batch.map((l, j) => {
            const attributes = fromStored(l.message.attributes);
            return {
              Id: String(j),
              MessageBody: l.message.body,
              ...(attributes ? { MessageAttributes: attributes } : {}),
            };
          }),
        }),
      );
    }
    return true;
  }

  /**
   * Rewrites the file from moto's contents of `queues` (at stop). Queues whose restore failed
   * keep their old lines; messages being received by someone right now are not visible and
   * so not kept — the one gap of this design, besides crashes.
   */
  async snapshot(queues: readonly QueueRef[]): Promise<void> {
    if (!this.path) return;
    const kept: Line[] = [];
    const current = new Set<string>();
    for (const queue of queues) {
      if (current.has(keyOf(queue))) continue;
      if (!(await this.restore(queue))) continue;
      const messages = await this.readAll(queue).catch(() => undefined);
      if (!messages) continue;
      current.add(keyOf(queue));
      kept.push(...messages.map((message) => ({ queue, message })));
    }
    const others = this.lines().filter((l) => !current.has(keyOf(l.queue)));
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, [...others, ...kept].map((l) => `${JSON.stringify(l)}\n`).join(''));
    renameSync(tmp, this.path);
  }

  /** Every visible message of a queue, left visible again afterwards. */
  private async readAll(queue: QueueRef): Promise<StoredMessage[]> {
    const sqs = motoClient(SQSClient, this.motoEndpoint, queue.account, queue.region);
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queue.name }))).QueueUrl;
    const seen = new Map<string, Message>();
    while (seen.size < MAX_PER_QUEUE) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 30,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      const fresh = (out.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.MessageId as string, m);
    }
    const all = [...seen.values()];
    for (let i = 0; i < all.length; i += 10) {
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url,
          Entries: all.slice(i, i + 10).map((m, j) => ({
            Id: String(j),
            ReceiptHandle: m.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
    return all.map((m) => {
      const attributes = toStored(m.MessageAttributes);
      return {
        body: m.Body ?? '',
        ...(attributes ? { attributes } : {}),
        sentAt: Number(m.Attributes?.SentTimestamp ?? Date.now()),
      };
    });
  }
}
