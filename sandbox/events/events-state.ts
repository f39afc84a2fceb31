import { dirname, join } from 'node:path';
import type { LambdaTargetTable } from './lambda-targets.js';
import { QueueContentsStore, type QueueRef, queueRefOf } from './queue-contents.js';

/**
 * What the EventBridge handler and the target poller share for one sandbox: where their
 * state lives and the one store of queue contents (the handler restores a target's queues
 * when provisioning re-registers it, the poller parks into them and snapshots them at stop).
 *
 * Both already receive the same target table, so the state hangs off it: the sandbox's
 * wiring (sandbox.ts) stays as it is. The state directory is the one the table is kept in.
 */
export interface EventsState {
  /** The sandbox's state directory (none: everything in memory, as in unit tests). */
  readonly stateDir?: string;
  readonly queues: QueueContentsStore;
}

const states = new WeakMap<LambdaTargetTable, EventsState>();

export const eventsStateOf = (targets: LambdaTargetTable, motoEndpoint: string): EventsState => {
  let state = states.get(targets);
  if (!state) {
    const stateDir = targets.path ? dirname(targets.path) : undefined;
    state = {
      ...(stateDir ? { stateDir } : {}),
      queues: new QueueContentsStore(
        motoEndpoint,
        stateDir ? join(stateDir, 'event-queues.jsonl') : undefined,
      ),
    };
    states.set(targets, state);
  }
  return state;
};

/** The queues a target's deliveries live in: its shadow queue and its dead-letter queue. */
export const queuesOfTarget = (t: {
  account: string;
  region: string;
  queueName: string;
  deadLetterArn?: string;
}): QueueRef[] => {
  const dlq = t.deadLetterArn ? queueRefOf(t.deadLetterArn) : undefined;
  return [{ account: t.account, region: t.region, name: t.queueName }, ...(dlq ? [dlq] : [])];
};
