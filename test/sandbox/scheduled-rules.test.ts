import { randomInt } from 'node:crypto';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { motoClient } from '../../sandbox/moto/clients.js';
import { ScheduledRules, type ScheduledTarget } from '../../sandbox/schedule/scheduled-rules.js';

/**
 * The sandbox's scheduler against moto (which stores scheduled rules but never fires them):
 * rules with a ScheduleExpression invoke their Lambda targets with a Scheduled Event, on a
 * compressed clock; disabled and pattern rules do not; a target's constant Input is sent
 * as given; a shadow-queue target is resolved back to its function.
 */

const REGION = 'af-south-1';

const waitFor = async <T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('scheduled rules (sandbox scheduler over moto)', () => {
  let rules: ScheduledRules | undefined;
  afterEach(() => rules?.stop());

  it('fires scheduled rules on the scaled clock with a Scheduled Event, and only those', async () => {
    // Prepare: an account of its own in the shared moto
    const motoEndpoint = inject('motoEndpoint');
    const account = String(randomInt(100_000_000_000, 999_999_999_999));
    const events = motoClient(EventBridgeClient, motoEndpoint, account, REGION);
    const fn = (name: string) => `arn:aws:lambda:${REGION}:${account}:function:${name}`;
    const shadow = `arn:aws:sqs:${REGION}:${account}:sbx-lambda-shadow`;
    const rule = async (
      name: string,
      extra: Record<string, unknown>,
      target: Record<string, unknown>,
    ) => {
      await events.send(new PutRuleCommand({ Name: name, ...extra }));
      await events.send(new PutTargetsCommand({ Rule: name, Targets: [target as never] }));
    };
    await rule(
      'every-minute',
      { ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' },
      {
        Id: 'guardian',
        Arn: shadow,
      },
    );
    await rule(
      'with-input',
      { ScheduleExpression: 'rate(2 minutes)', State: 'ENABLED' },
      {
        Id: 'constant',
        Arn: fn('other'),
        Input: '{"hello":"world"}',
      },
    );
    await rule(
      'disabled',
      { ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' },
      {
        Id: 't',
        Arn: fn('never-disabled'),
      },
    );
    await rule(
      'pattern',
      { EventPattern: JSON.stringify({ source: ['x'] }) },
      {
        Id: 't',
        Arn: fn('never-pattern'),
      },
    );
    const calls: Array<{ target: ScheduledTarget; event: any; at: number }> = [];
    rules = new ScheduledRules({
      motoEndpoint,
      scopes: () => [{ account, region: REGION }],
      resolveTarget: (arn) =>
        arn === shadow ? fn('guardian') : arn.startsWith('arn:aws:lambda:') ? arn : undefined,
      invoke: async (target, event) => {
        calls.push({ target, event: JSON.parse(event.toString('utf8')), at: Date.now() });
        return {};
      },
      log: () => {},
      // A minute becomes 1.2 s.
      scale: 0.02,
      refreshMs: 300,
      tickMs: 50,
    });

    // Act
    rules.start();
    const guardianCalls = () => calls.filter((c) => c.target.functionArn === fn('guardian'));
    await waitFor(() => (guardianCalls().length >= 3 ? true : undefined));
    const constant = await waitFor(() => calls.find((c) => c.target.functionArn === fn('other')));

    // Assess
    const first = guardianCalls()[0];
    expect(first?.target).toEqual({
      account,
      region: REGION,
      ruleName: 'every-minute',
      targetId: 'guardian',
      functionArn: fn('guardian'),
    });
    expect(first?.event).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account,
      region: REGION,
      resources: [`arn:aws:events:${REGION}:${account}:rule/every-minute`],
      detail: {},
    });
    expect(first?.event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(new Set(guardianCalls().map((c) => c.event.id)).size).toBe(guardianCalls().length);
    expect(constant.event).toEqual({ hello: 'world' });
    expect(calls.some((c) => /never-/.test(c.target.functionArn))).toBe(false);
  });

  it('a deleted rule stops firing (manual clock, no timers)', async () => {
    // Prepare
    const motoEndpoint = inject('motoEndpoint');
    const account = String(randomInt(100_000_000_000, 999_999_999_999));
    const events = motoClient(EventBridgeClient, motoEndpoint, account, REGION);
    const arn = `arn:aws:lambda:${REGION}:${account}:function:f`;
    await events.send(new PutRuleCommand({ Name: 'r', ScheduleExpression: 'rate(1 minute)' }));
    await events.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't', Arn: arn }] }));
    let now = Date.parse('2026-03-01T10:00:00.000Z');
    rules = new ScheduledRules({
      motoEndpoint,
      scopes: () => [{ account, region: REGION }],
      resolveTarget: (a) => a,
      invoke: async () => ({}),
      log: () => {},
      now: () => now,
    });
    await rules.refresh();
    now += 61_000;
    const before = rules.fireDue();

    // Act
    await events.send(new RemoveTargetsCommand({ Rule: 'r', Ids: ['t'] }));
    await events.send(new DeleteRuleCommand({ Name: 'r' }));
    await rules.refresh();
    now += 61_000;
    const after = rules.fireDue();

    // Assess
    expect(before).toBe(1);
    expect(after).toBe(0);
  });
});
