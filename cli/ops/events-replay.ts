import {
  DescribeArchiveCommand,
  DescribeReplayCommand,
  type DescribeReplayCommandOutput,
  DescribeRuleCommand,
  type EventBridgeClient,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { notFound } from '../aws/not-found.js';
import { PromoteError } from '../errors.js';
import type { TimeWindow } from './time-window.js';

/**
 * `promote events replay`: EventBridge's own replay of an archive's window onto the bus it
 * archives (the only destination EventBridge allows), optionally only to some rules
 * (FilterArns), followed until it ends. EventBridge reports no count of events replayed —
 * only how far in the window it got (EventLastReplayedTime) — and none of the events a
 * window holds: both are said, not guessed.
 */

export interface ArchiveInfo {
  readonly name: string;
  readonly arn: string;
  /** The bus it archives; also the replay's only possible destination. */
  readonly sourceArn: string;
  readonly busName: string;
  readonly state: string;
  /** 0: kept forever. */
  readonly retentionDays: number;
  /** Every event it holds, whatever the window (EventBridge counts no less). */
  readonly eventCount?: number;
  readonly sizeBytes?: number;
  readonly createdAt?: Date;
}

/** The archive `name`, or a clear error when it does not exist. */
export const describeArchive = async (
  events: EventBridgeClient,
  name: string,
): Promise<ArchiveInfo> => {
  try {
    const a = await events.send(new DescribeArchiveCommand({ ArchiveName: name }));
    const sourceArn = a.EventSourceArn ?? '';
    return {
      name,
      arn: a.ArchiveArn ?? '',
      sourceArn,
      busName: sourceArn.split('/').pop() ?? 'default',
      state: a.State ?? 'UNKNOWN',
      retentionDays: a.RetentionDays ?? 0,
      ...(a.EventCount !== undefined ? { eventCount: a.EventCount } : {}),
      ...(a.SizeBytes !== undefined ? { sizeBytes: a.SizeBytes } : {}),
      ...(a.CreationTime ? { createdAt: a.CreationTime } : {}),
    };
  } catch (error) {
    if (!notFound(error)) throw error;
    throw new PromoteError(
      'preflight_blocked',
      'EVENTS_ARCHIVE_NOT_FOUND',
      `the archive ${name} does not exist`,
      'terraform creates it (terraform/modules/events); in the sandbox, promote sandbox up provisions it',
      undefined,
      { cause: error },
    );
  }
};

/** `--rule <name>` → the ARN FilterArns needs, checked to be a rule of the archive's bus. */
export const ruleArnOnBus = async (
  events: EventBridgeClient,
  archive: ArchiveInfo,
  ruleName: string,
): Promise<string> => {
  try {
    const rule = await events.send(
      new DescribeRuleCommand({ Name: ruleName, EventBusName: archive.busName }),
    );
    if (rule.Arn) return rule.Arn;
  } catch (error) {
    if (!notFound(error)) throw error;
  }
  throw new PromoteError(
    'usage',
    'EVENTS_RULE_NOT_FOUND',
    `no rule ${ruleName} on ${archive.busName}, the bus ${archive.name} archives`,
    'a replay reaches only rules of the archived bus: aws events list-rules --event-bus-name …',
  );
};

/** `promote-sit-20261201T203000Z-3f9a`: within EventBridge's 64 characters `[.\-_A-Za-z0-9]`. */
export const replayNameOf = (env: string, opsId: string): string =>
  `promote-${env}-${opsId}`.replace(/[^.\-_A-Za-z0-9]/g, '-').slice(0, 64);

export interface ReplayResult {
  readonly name: string;
  readonly arn: string;
  readonly state: string;
  readonly stateReason?: string;
  readonly window: { from: string; to: string };
  readonly filterArns?: readonly string[];
  readonly eventLastReplayedTime?: string;
  readonly replayStartTime?: string;
  readonly replayEndTime?: string;
  /** How far in the window EventBridge got, 0..1 (from EventLastReplayedTime). */
  readonly progress?: number;
  /** The wait ended before the replay did (it goes on in EventBridge). */
  readonly timedOut: boolean;
}

const DONE = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

/** Polls quickly first (a short replay ends in seconds), then every 5 s. */
const POLL_MS = [500, 1_000, 2_000, 5_000];

/** Starts the replay and follows it until it ends or `waitMs` passes. */
export const replayWindow = async (options: {
  readonly events: EventBridgeClient;
  readonly archive: ArchiveInfo;
  readonly window: TimeWindow;
  readonly name: string;
  readonly filterArns?: readonly string[];
  readonly description?: string;
  readonly waitMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly onProgress?: (state: string, progress: number | undefined) => void;
}): Promise<ReplayResult> => {
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const { from, to } = options.window;
  const started = await options.events.send(
    new StartReplayCommand({
      ReplayName: options.name,
      EventSourceArn: options.archive.arn,
      EventStartTime: from,
      EventEndTime: to,
      Destination: {
        Arn: options.archive.sourceArn,
        ...(options.filterArns?.length ? { FilterArns: [...options.filterArns] } : {}),
      },
      ...(options.description ? { Description: options.description.slice(0, 512) } : {}),
    }),
  );
  const deadline = now() + options.waitMs;
  const span = to.getTime() - from.getTime();
  const progressOf = (at: Date | undefined) =>
    at ? Math.min(1, Math.max(0, (at.getTime() - from.getTime()) / span)) : undefined;
  let state = started.State ?? 'STARTING';
  let last: DescribeReplayCommandOutput | undefined;
  for (let poll = 0; ; poll += 1) {
    last = await options.events.send(new DescribeReplayCommand({ ReplayName: options.name }));
    state = last.State ?? state;
    options.onProgress?.(state, progressOf(last.EventLastReplayedTime));
    if (DONE.has(state) || now() >= deadline) break;
    const pause = POLL_MS[Math.min(poll, POLL_MS.length - 1)] as number;
    await sleep(Math.min(pause, Math.max(0, deadline - now())));
  }
  const iso = (d: Date | undefined) => d?.toISOString();
  const progress = progressOf(last.EventLastReplayedTime);
  const optional = {
    stateReason: last.StateReason,
    filterArns: options.filterArns?.length ? options.filterArns : undefined,
    eventLastReplayedTime: iso(last.EventLastReplayedTime),
    replayStartTime: iso(last.ReplayStartTime),
    replayEndTime: iso(last.ReplayEndTime),
    progress,
  };
  return {
    name: options.name,
    arn: started.ReplayArn ?? last.ReplayArn ?? '',
    state,
    window: { from: from.toISOString(), to: to.toISOString() },
    ...(Object.fromEntries(
      Object.entries(optional).filter(([, v]) => v !== undefined),
    ) as Partial<ReplayResult>),
    timedOut: !DONE.has(state),
  };
};
