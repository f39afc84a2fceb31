import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * moto's EventBridge cannot deliver to Lambda (it raises NotImplemented), so the sandbox
 * registers every Lambda target with moto as an SQS "shadow" queue instead: moto still
 * matches patterns and delivers, and a poller invokes the function from the queue.
 * This table maps shadow queues back to the real targets.
 */
export interface LambdaTarget {
  readonly account: string;
  readonly region: string;
  readonly ruleName: string;
  readonly busName: string;
  readonly targetId: string;
  readonly functionArn: string;
  readonly queueName: string;
  readonly deadLetterArn?: string;
  readonly maximumRetryAttempts: number;
  /** RetryPolicy.MaximumEventAgeInSeconds (EventBridge's default: 24 h). */
  readonly maximumEventAgeSeconds?: number;
}

export const SHADOW_PREFIX = 'sbx-lambda-';

/** Deterministic shadow queue name (SQS names are ≤ 80 chars of [\w-]). */
export const shadowQueueName = (functionArn: string, ruleName: string, targetId: string): string =>
  `${SHADOW_PREFIX}${createHash('sha256').update(`${functionArn}|${ruleName}|${targetId}`).digest('hex').slice(0, 32)}`;

export const shadowQueueArn = (t: Pick<LambdaTarget, 'account' | 'region' | 'queueName'>) =>
  `arn:aws:sqs:${t.region}:${t.account}:${t.queueName}`;

export class LambdaTargetTable {
  private readonly targets = new Map<string, LambdaTarget>();

  /** @param path where the table is kept (none: in memory only, as in unit tests). */
  constructor(readonly path?: string) {
    if (!path) return;
    try {
      for (const t of JSON.parse(readFileSync(path, 'utf8')) as LambdaTarget[]) {
        this.targets.set(this.key(t), t);
      }
    } catch {
      // first start
    }
  }

  private key(t: Pick<LambdaTarget, 'account' | 'region' | 'queueName'>) {
    return `${t.account}/${t.region}/${t.queueName}`;
  }

  put(target: LambdaTarget): void {
    this.targets.set(this.key(target), target);
    if (this.path) writeFileSync(this.path, JSON.stringify([...this.targets.values()]));
  }

  byShadowArn(arn: string): LambdaTarget | undefined {
    const [, , , region, account, queueName] = arn.split(':');
    return this.targets.get(`${account}/${region}/${queueName}`);
  }

  all(): LambdaTarget[] {
    return [...this.targets.values()];
  }
}
