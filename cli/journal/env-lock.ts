import { hostname } from 'node:os';
import type { EnvName } from '../../infra/environments.js';
import type { StateApi } from '../aws/state-api.js';
import { PromoteError } from '../errors.js';

const LOCK = { pk: 'lock', sk: 'promote' } as const;

export interface LockHolder {
  readonly runId: string;
  readonly actor: string;
  readonly host: string;
  /** The holding process on `host` (tells a live run from a crashed one on the same machine). */
  readonly pid?: number;
  readonly command: string;
  readonly since: string;
}

/**
 * One promotion per environment at a time: a conditional PutItem on the state table. The
 * loser fails fast and is told who holds it. Locks do not expire on their own — a crashed
 * run's lock is either taken over by `--resume` (same run id) or removed with
 * `--force-unlock` by someone who checked that run is really dead.
 */
export class EnvLock {
  constructor(
    private readonly state: StateApi,
    private readonly env: EnvName,
  ) {}

  async holder(): Promise<LockHolder | undefined> {
    const item = await this.state.get(LOCK.pk, LOCK.sk);
    return item ? (item as unknown as LockHolder) : undefined;
  }

  /** Takes the lock, or takes it over when `runId` already holds it (resume). */
  async acquire(holder: Omit<LockHolder, 'host' | 'since' | 'pid'>): Promise<LockHolder> {
    const lock: LockHolder = {
      ...holder,
      host: hostname(),
      pid: process.pid,
      since: new Date().toISOString(),
    };
    const ok = await this.state.put(
      { ...LOCK, ...lock },
      {
        expression: 'attribute_not_exists(pk) OR runId = :runId',
        values: { ':runId': holder.runId },
      },
    );
    if (ok) return lock;
    const current = await this.holder();
    throw new PromoteError(
      'lock_held',
      'LOCK_HELD',
      current
        ? `${this.env} is locked by ${current.actor}@${current.host} (${current.command}, run ${current.runId}, since ${current.since})`
        : `${this.env} is locked`,
      `wait for that run to finish; if it is dead, check with "promote history ${this.env}" and run with --force-unlock`,
      current ? { holder: current } : undefined,
    );
  }

  /**
   * The holder is a process that is still alive on this machine: a `--resume` of its run
   * would run the same steps twice at once.
   */
  static aliveHere(holder: LockHolder): boolean {
    if (holder.host !== hostname() || !holder.pid || holder.pid === process.pid) return false;
    try {
      process.kill(holder.pid, 0);
      return true;
    } catch (error) {
      return (error as { code?: string }).code === 'EPERM';
    }
  }

  /** Releases the lock only if this run still holds it. */
  async release(runId: string): Promise<void> {
    await this.state.delete(LOCK.pk, LOCK.sk, {
      expression: 'runId = :runId',
      values: { ':runId': runId },
    });
  }

  /** Removes whatever lock is there; returns who held it. */
  async forceUnlock(): Promise<LockHolder | undefined> {
    const current = await this.holder();
    await this.state.delete(LOCK.pk, LOCK.sk);
    return current;
  }
}
