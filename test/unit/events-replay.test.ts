import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ResourceNotFoundException,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import {
  type ArchiveInfo,
  describeArchive,
  replayNameOf,
  replayWindow,
  ruleArnOnBus,
} from '../../cli/ops/events-replay.js';

const BUS = 'arn:aws:events:eu-west-1:815856636111:event-bus/order-events-sit';
const ARCHIVE: ArchiveInfo = {
  name: 'order-events-sit-archive',
  arn: 'arn:aws:events:eu-west-1:815856636111:archive/order-events-sit-archive',
  sourceArn: BUS,
  busName: 'order-events-sit',
  state: 'ENABLED',
  retentionDays: 30,
};
const WINDOW = { from: new Date('2026-12-01T10:00:00Z'), to: new Date('2026-12-01T11:00:00Z') };

const notFound = (message: string) =>
  new ResourceNotFoundException({ message, $metadata: { httpStatusCode: 400 } });

const codeOf = async (action: () => Promise<unknown>) =>
  action().then(
    () => undefined,
    (error: unknown) => (error instanceof PromoteError ? error.code : String(error)),
  );

describe('events replay against EventBridge', () => {
  const eb = mockClient(EventBridgeClient);
  const events = new EventBridgeClient({ region: 'eu-west-1' });

  beforeEach(() => {
    eb.reset();
  });

  it('reads the archive: its bus, retention and counts', async () => {
    // Prepare
    eb.on(DescribeArchiveCommand).resolves({
      ArchiveArn: ARCHIVE.arn,
      EventSourceArn: BUS,
      State: 'ENABLED',
      RetentionDays: 30,
      EventCount: 12,
      SizeBytes: 3400,
      CreationTime: new Date('2026-11-01T00:00:00Z'),
    });

    // Act
    const archive = await describeArchive(events, ARCHIVE.name);

    // Assess
    expect(archive).toMatchObject({ ...ARCHIVE, eventCount: 12, sizeBytes: 3400 });
    expect(archive.createdAt?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
  });

  it('says so when the archive does not exist', async () => {
    // Prepare
    eb.on(DescribeArchiveCommand).rejects(notFound('Archive x does not exist.'));

    // Act
    const code = await codeOf(() => describeArchive(events, 'x'));

    // Assess
    expect(code).toBe('EVENTS_ARCHIVE_NOT_FOUND');
  });

  it("looks a --rule up on the archive's bus, and refuses one that is not there", async () => {
    // Prepare
    eb.on(DescribeRuleCommand, {
      Name: 'order-events-sit',
      EventBusName: 'order-events-sit',
    }).resolves({
      Arn: 'arn:aws:events:eu-west-1:815856636111:rule/order-events-sit/order-events-sit',
    });
    eb.on(DescribeRuleCommand, { Name: 'other' }).rejects(notFound('Rule other does not exist.'));

    // Act
    const arn = await ruleArnOnBus(events, ARCHIVE, 'order-events-sit');
    const code = await codeOf(() => ruleArnOnBus(events, ARCHIVE, 'other'));

    // Assess
    expect(arn).toBe(
      'arn:aws:events:eu-west-1:815856636111:rule/order-events-sit/order-events-sit',
    );
    expect(code).toBe('EVENTS_RULE_NOT_FOUND');
  });

  it('starts the replay onto the archived bus, follows it to COMPLETED and reports progress', async () => {
    // Prepare
    eb.on(StartReplayCommand).resolves({ ReplayArn: 'arn:replay/r1', State: 'STARTING' });
    eb.on(DescribeReplayCommand)
      .resolvesOnce({ State: 'RUNNING', EventLastReplayedTime: new Date('2026-12-01T10:30:00Z') })
      .resolves({
        ReplayArn: 'arn:replay/r1',
        State: 'COMPLETED',
        EventLastReplayedTime: new Date('2026-12-01T10:59:00Z'),
        ReplayStartTime: new Date('2026-12-01T12:00:00Z'),
        ReplayEndTime: new Date('2026-12-01T12:00:05Z'),
      });
    const sleeps: number[] = [];
    const progress: Array<[string, number | undefined]> = [];

    // Act
    const result = await replayWindow({
      events,
      archive: ARCHIVE,
      window: WINDOW,
      name: 'r1',
      filterArns: ['arn:rule/a'],
      waitMs: 60_000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      onProgress: (state, p) => progress.push([state, p]),
    });

    // Assess
    expect(eb.commandCalls(StartReplayCommand)[0]?.args[0].input).toEqual({
      ReplayName: 'r1',
      EventSourceArn: ARCHIVE.arn,
      EventStartTime: WINDOW.from,
      EventEndTime: WINDOW.to,
      Destination: { Arn: BUS, FilterArns: ['arn:rule/a'] },
    });
    expect(progress).toEqual([
      ['RUNNING', 0.5],
      ['COMPLETED', 59 / 60],
    ]);
    expect(sleeps).toEqual([500]);
    expect(result).toMatchObject({
      name: 'r1',
      arn: 'arn:replay/r1',
      state: 'COMPLETED',
      timedOut: false,
      window: { from: '2026-12-01T10:00:00.000Z', to: '2026-12-01T11:00:00.000Z' },
      filterArns: ['arn:rule/a'],
      eventLastReplayedTime: '2026-12-01T10:59:00.000Z',
      replayEndTime: '2026-12-01T12:00:05.000Z',
    });
  });

  it('stops waiting at the bound and says the replay goes on', async () => {
    // Prepare
    eb.on(StartReplayCommand).resolves({ ReplayArn: 'arn:replay/r2', State: 'STARTING' });
    eb.on(DescribeReplayCommand).resolves({ State: 'RUNNING' });
    let clock = 0;

    // Act
    const result = await replayWindow({
      events,
      archive: ARCHIVE,
      window: WINDOW,
      name: 'r2',
      waitMs: 10_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });

    // Assess
    expect(result).toMatchObject({ state: 'RUNNING', timedOut: true });
    expect(result.filterArns).toBeUndefined();
    expect(clock).toBe(10_000);
  });

  it('names a replay within EventBridge limits', () => {
    // Act
    const name = replayNameOf('sit', '20261201T120000Z-3f9a');

    // Assess
    expect(name).toBe('promote-sit-20261201T120000Z-3f9a');
    expect(name).toMatch(/^[.\-_A-Za-z0-9]{1,64}$/);
  });
});
