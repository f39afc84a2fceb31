import { randomUUID } from 'node:crypto';
import {
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from '@aws-sdk/client-eventbridge';
import type { MetricSink } from '../cloudwatch/metric-sink.js';
import { motoClient } from '../moto/clients.js';
import { nextFiring, parseSchedule, type Schedule } from './schedule-expression.js';

/**
 * What EventBridge does with a rule that has a `ScheduleExpression`: invoke its Lambda
 * targets on schedule with a "Scheduled Event". moto stores such rules but never fires them,
 * so the sandbox runs the schedule itself: every few seconds it lists the scheduled rules of
 * each account and region (moto) and their targets, and on each firing invokes the Lambda
 * targets through the sandbox's runtime (`invoke`).
 *
 * `scale` compresses time for tests: at 0.05 the schedule runs on a clock 20× faster, so
 * `rate(1 minute)` fires every 3 s (and `cron(…)` matches virtual minutes). The event's
 * `time` is the real time.
 */

/** A Lambda target of a scheduled rule. */
export interface ScheduledTarget {
  readonly account: string;
  readonly region: string;
  readonly ruleName: string;
  readonly targetId: string;
  readonly functionArn: string;
}

export interface ScheduledRulesOptions {
  readonly motoEndpoint: string;
  /** The accounts and regions to look in. */
  readonly scopes: () => ReadonlyArray<{ account: string; region: string }>;
  /** A target ARN as moto holds it → the function's ARN (or undefined: not a Lambda target). */
  readonly resolveTarget: (arn: string) => string | undefined;
  /** Invokes the function; resolves with what went wrong, if anything. */
  readonly invoke: (target: ScheduledTarget, event: Buffer) => Promise<{ error?: string }>;
  readonly metrics?: MetricSink;
  readonly log: (line: string) => void;
  /** Time compression (1 = real time). */
  readonly scale?: number;
  /** How often the rules are listed again (real ms). */
  readonly refreshMs?: number;
  /** How often due rules are looked for (real ms). */
  readonly tickMs?: number;
  readonly now?: () => number;
}

interface RuleState {
  readonly account: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  expression: string;
  schedule: Schedule;
  /** Virtual ms when the rule was first seen (a rate counts its periods from there). */
  firstSeen: number;
  next: number | undefined;
  targets: Array<{ id: string; functionArn: string; input?: string }>;
  /** Targets whose last invocation has not returned: a firing is skipped for them. */
  readonly inFlight: Set<string>;
}

/** The event a scheduled rule delivers (EventBridge's documented shape). */
export const scheduledEvent = (
  rule: { account: string; region: string; arn: string },
  at: Date,
) => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: rule.account,
  time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  region: rule.region,
  resources: [rule.arn],
  detail: {},
});

/** `SANDBOX_SCHEDULE_SCALE`, or 1 when unset or not a positive number. */
export const scheduleScale = (value: string | undefined, log: (line: string) => void): number => {
  if (value === undefined || value === '') return 1;
  const scale = Number(value);
  if (Number.isFinite(scale) && scale > 0) return scale;
  log(`SANDBOX_SCHEDULE_SCALE=${value} is not a positive number; schedules run in real time`);
  return 1;
};

export class ScheduledRules {
  private readonly rules = new Map<string, RuleState>();
  private readonly refused = new Set<string>();
  private readonly scale: number;
  private readonly origin: number;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private lastRefresh = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ScheduledRulesOptions) {
    this.scale = options.scale ?? 1;
    this.origin = this.realNow();
  }

  private realNow(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** The schedule's clock: runs 1/scale times as fast as the real one. */
  virtualNow(): number {
    return this.origin + (this.realNow() - this.origin) / this.scale;
  }

  start(): void {
    const tick = () => {
      void this.tick().catch((error: Error) => this.options.log(`schedules: ${error.message}`));
    };
    this.timer = setInterval(tick, this.options.tickMs ?? 250);
    this.timer.unref();
    tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass: list the rules again when due, then fire whatever is due. */
  async tick(): Promise<number> {
    if (this.realNow() - this.lastRefresh >= (this.options.refreshMs ?? 3_000)) {
      this.refreshing ??= this.refresh().finally(() => {
        this.refreshing = undefined;
        this.lastRefresh = this.realNow();
      });
      await this.refreshing;
    }
    return this.fireDue();
  }

  /** Lists every scheduled, enabled rule with its Lambda targets. */
  async refresh(): Promise<void> {
    const seen = new Set<string>();
    const now = this.virtualNow();
    for (const { account, region } of this.options.scopes()) {
      const events = motoClient(EventBridgeClient, this.options.motoEndpoint, account, region);
      let token: string | undefined;
      do {
        const page = await events.send(new ListRulesCommand({ NextToken: token }));
        token = page.NextToken;
        for (const rule of page.Rules ?? []) {
          if (!rule.ScheduleExpression || rule.State !== 'ENABLED' || !rule.Name) continue;
          const key = `${account}|${region}|${rule.Name}`;
          const state = this.upsert(
            key,
            account,
            region,
            rule.Name,
            rule.Arn,
            rule.ScheduleExpression,
            now,
          );
          if (!state) continue;
          seen.add(key);
          const targets = await events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }));
          state.targets = (targets.Targets ?? []).flatMap((t) => {
            const functionArn = t.Arn ? this.options.resolveTarget(t.Arn) : undefined;
            return functionArn && t.Id
              ? [{ id: t.Id, functionArn, ...(t.Input ? { input: t.Input } : {}) }]
              : [];
          });
        }
      } while (token);
    }
    // Deleted, disabled or unscheduled rules stop firing.
    for (const key of this.rules.keys()) if (!seen.has(key)) this.rules.delete(key);
  }

  private upsert(
    key: string,
    account: string,
    region: string,
    name: string,
    arn: string | undefined,
    expression: string,
    now: number,
  ): RuleState | undefined {
    const known = this.rules.get(key);
    if (known && known.expression === expression) return known;
    let schedule: Schedule;
    try {
      schedule = parseSchedule(expression);
    } catch (error) {
      if (!this.refused.has(`${key}|${expression}`)) {
        this.refused.add(`${key}|${expression}`);
        this.options.log(
          `schedules: rule ${name} (${account} ${region}) not run: ${(error as Error).message}`,
        );
      }
      this.rules.delete(key);
      return undefined;
    }
    const state: RuleState = {
      account,
      region,
      name,
      arn: arn ?? `arn:aws:events:${region}:${account}:rule/${name}`,
      expression,
      schedule,
      firstSeen: now,
      next: nextFiring(schedule, now, now),
      targets: known?.targets ?? [],
      inFlight: known?.inFlight ?? new Set(),
    };
    this.rules.set(key, state);
    return state;
  }

  /** Fires every rule whose time has come; returns the invocations started. */
  fireDue(): number {
    const now = this.virtualNow();
    let started = 0;
    for (const rule of this.rules.values()) {
      if (rule.next === undefined || rule.next > now) continue;
      // Missed firings (a stopped laptop) are not caught up in a burst, as in EventBridge.
      rule.next = nextFiring(rule.schedule, now, rule.firstSeen);
      const event = scheduledEvent(rule, new Date(this.realNow()));
      for (const target of rule.targets) {
        if (rule.inFlight.has(target.id)) {
          this.options.log(`schedules: ${rule.name} → ${target.id} still running; firing skipped`);
          continue;
        }
        started += 1;
        rule.inFlight.add(target.id);
        void this.deliver(rule, target, Buffer.from(target.input ?? JSON.stringify(event))).finally(
          () => rule.inFlight.delete(target.id),
        );
      }
    }
    return started;
  }

  private async deliver(
    rule: RuleState,
    target: RuleState['targets'][number],
    payload: Buffer,
  ): Promise<void> {
    const scheduled: ScheduledTarget = {
      account: rule.account,
      region: rule.region,
      ruleName: rule.name,
      targetId: target.id,
      functionArn: target.functionArn,
    };
    const result = await this.options
      .invoke(scheduled, payload)
      .catch((error: Error) => ({ error: error.message }));
    this.metric(rule, 'Invocations');
    if (result.error) {
      this.metric(rule, 'FailedInvocations');
      this.options.log(
        `schedules: ${rule.name} → ${target.functionArn} failed: ${result.error.slice(0, 300)}`,
      );
    }
  }

  private metric(rule: RuleState, metricName: string) {
    this.options.metrics?.put([
      {
        account: rule.account,
        region: rule.region,
        namespace: 'AWS/Events',
        metricName,
        dimensions: { RuleName: rule.name },
        timestamp: this.realNow(),
        values: [1],
        unit: 'Count',
      },
    ]);
  }
}
