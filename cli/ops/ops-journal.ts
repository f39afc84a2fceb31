import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EnvName } from '../../infra/environments.js';
import type { StateApi } from '../aws/state-api.js';
import { PromoteError } from '../errors.js';
import { writeDurably } from '../journal/write-durably.js';

/**
 * The record of an operation on an environment's events (a DLQ redrive, an event replay):
 * who ran it, as which AWS principal, what it touched (message ids, counts, the window) and
 * how it ended. Kept like the run journals — `.promote/ops/<env>/<id>.json` and the env's
 * state table (`pk` `ops#<kind>`) — written when it starts and again when it ends, so an
 * interrupted redrive still says it began. Never holds event bodies (personal data).
 */
export interface OpsRecord {
  readonly schema: 1;
  readonly id: string;
  readonly kind: 'dlq-redrive' | 'event-replay' | 'dns-failover';
  readonly env: EnvName;
  readonly actor: string;
  readonly callerArn?: string;
  readonly sandbox: boolean;
  readonly dryRun: boolean;
  readonly startedAt: string;
  finishedAt?: string;
  status: 'running' | 'succeeded' | 'failed';
  /** The operation's own facts: counts, ids, window, replay name… */
  details: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** `20261201T203000Z-3f9a`: sortable and unique. */
export const newOpsId = (now = new Date()): string =>
  `${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;

export class OpsJournal {
  /**
   * @param onRemoteError told when the state table refused a write: the local copy is
   *   still written, and the operation goes on (a record is evidence, not a gate).
   */
  constructor(
    private readonly home: string,
    private readonly state: StateApi | undefined,
    private readonly onRemoteError: (error: Error) => void = () => {},
  ) {}

  /** The local file of a record. */
  pathOf(record: Pick<OpsRecord, 'env' | 'id'>): string {
    return join(this.home, 'ops', record.env, `${record.id}.json`);
  }

  async save(record: OpsRecord): Promise<void> {
    const path = this.pathOf(record);
    mkdirSync(join(this.home, 'ops', record.env), { recursive: true });
    writeDurably(path, `${JSON.stringify(record, null, 2)}\n`);
    if (!this.state) return;
    try {
      await this.state.put({
        pk: `ops#${record.kind}`,
        sk: `${record.startedAt}#${record.id}`,
        status: record.status,
        actor: record.actor,
        json: JSON.stringify(record),
      });
    } catch (error) {
      this.onRemoteError(error as Error);
    }
  }

  /** Ends `record` as failed with `error`'s code and message, and saves it. */
  async fail(record: OpsRecord, error: unknown): Promise<void> {
    record.status = 'failed';
    record.finishedAt = new Date().toISOString();
    record.error = {
      code: error instanceof PromoteError ? error.code : (error as Error).name,
      message: (error as Error).message,
    };
    await this.save(record);
  }
}
