import type { EnvName } from '../../infra/environments.js';
import {
  describeGuardianRecord,
  GUARDIAN,
  type Heartbeat,
  type HeartbeatPhase,
  heartbeatIntervalSeconds,
  heartbeatKey,
  staleAfterSeconds,
  type VersionRef,
} from '../../infra/guardian.js';
import type { StateApi, StateItem } from '../aws/state-api.js';
import { PromoteError } from '../errors.js';
import { sleep, withTimeout } from '../steps/sleep.js';

/**
 * The canary's heartbeat in the environment's state table (infra/guardian.ts): written when
 * the run starts shifting traffic, then every few seconds on its own timer (so a slow
 * CloudWatch read or a long bake never delays it), and marked `paused`, `ending` or `done`
 * when the run lets go. The guardian restores the stable version when it goes stale.
 *
 * A write never fails the run: a failure is a warning. Several in a row, spanning half the
 * time after which the guardian would judge the run gone, and the run stops itself (its
 * rollback restores the alias): better than being rolled back from outside mid-bake. A
 * write refused because the guardian already restored the alias stops the run too.
 */

export interface HeartbeatIdentity {
  readonly runId: string;
  readonly env: EnvName;
  readonly region: string;
  readonly functionName: string;
  readonly alias: string;
  readonly stable: VersionRef;
  readonly candidate: VersionRef;
  readonly analysisIntervalSeconds: number;
  readonly allowedAlarms: readonly string[];
}

export interface HeartbeatDeps {
  readonly state: Pick<StateApi, 'put' | 'get'>;
  readonly warn: (message: string) => void;
  readonly now?: () => Date;
  /** How long one write may take before it counts as failed (default: see below). */
  readonly writeTimeoutMs?: number;
}

/** Why the heartbeat stopped the run. */
export type HeartbeatLoss =
  | { readonly kind: 'lost'; readonly failures: number; readonly error: string }
  | { readonly kind: 'guardian'; readonly line: string; readonly heartbeat?: Heartbeat };

export class CanaryHeartbeat {
  private readonly controller = new AbortController();
  private readonly stopper = new AbortController();
  private readonly intervalSeconds: number;
  private readonly startedAt: string;
  private weight = 0;
  private deadline: string;
  private loop: Promise<void> | undefined;
  private failures = 0;
  private lastBeat: number;
  private lastError = '';
  private chain: Promise<unknown> = Promise.resolve();
  /** A beat was written (or tried): there is something to mark when the run lets go. */
  private started = false;
  /** Why the heartbeat stops the run, once it does (see {@link assertAlive}). */
  loss: HeartbeatLoss | undefined;

  constructor(
    private readonly identity: HeartbeatIdentity,
    private readonly deps: HeartbeatDeps,
  ) {
    this.intervalSeconds = heartbeatIntervalSeconds(identity.analysisIntervalSeconds);
    this.startedAt = this.now().toISOString();
    this.deadline = this.startedAt;
    this.lastBeat = this.now().getTime();
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Aborts when the heartbeat is lost or the guardian has taken over. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Beats now with the weight being baked and its deadline; starts beating on the first call. */
  async beat(update: { weight: number; deadline: Date }): Promise<void> {
    this.weight = update.weight;
    this.deadline = update.deadline.toISOString();
    this.started = true;
    await this.write('active');
    if (!this.loop && !this.stopper.signal.aborted) this.loop = this.run();
  }

  /** Throws when the run must stop: the guardian restored the alias, or the beats are lost. */
  assertAlive(): void {
    const loss = this.loss;
    if (!loss) return;
    if (loss.kind === 'guardian') {
      throw new PromoteError(
        'gate_failed_rolled_back',
        'GUARDIAN_ROLLED_BACK',
        loss.line,
        'see "promote status" for the guardian\'s record; start a new run when the cause is understood',
        { guardian: loss.heartbeat?.guardian },
      );
    }
    throw new PromoteError(
      'gate_failed_rolled_back',
      'HEARTBEAT_LOST',
      `the canary's heartbeat could not be written ${loss.failures} times in a row (${loss.error}); rolling back rather than leave the guardian to do it mid-bake`,
      'check the connection to the state table, then promote again',
    );
  }

  /**
   * Stops beating and marks the heartbeat (best effort: never throws). A run that never beat
   * (it failed before its first shift) leaves the table alone — except to say it paused
   * with weights on.
   */
  async end(phase: Exclude<HeartbeatPhase, 'active' | 'restored'>, reason?: string): Promise<void> {
    this.stopper.abort();
    await this.loop;
    if (this.loss?.kind === 'guardian' || (!this.started && phase !== 'paused')) return;
    await this.write(phase, reason);
  }

  private async run(): Promise<void> {
    while (!this.stopper.signal.aborted) {
      await sleep(this.intervalSeconds * 1000, this.stopper.signal);
      if (this.stopper.signal.aborted) return;
      await this.write('active');
      if (this.loss) return;
    }
  }

  /** Writes are serialised: a beat and an end never race each other. */
  private write(phase: HeartbeatPhase, reason?: string): Promise<void> {
    const next = this.chain.then(() => this.writeNow(phase, reason));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async writeNow(phase: HeartbeatPhase, reason?: string): Promise<void> {
    // Once the guardian owns the heartbeat, nothing of this run's may overwrite its mark.
    if (this.loss?.kind === 'guardian') return;
    const at = this.now();
    const id = this.identity;
    const item: Heartbeat = {
      ...heartbeatKey(id.region),
      runId: id.runId,
      env: id.env,
      functionName: id.functionName,
      alias: id.alias,
      phase,
      beatAt: at.toISOString(),
      startedAt: this.startedAt,
      intervalSeconds: this.intervalSeconds,
      analysisIntervalSeconds: id.analysisIntervalSeconds,
      stable: id.stable,
      candidate: id.candidate,
      weight: this.weight,
      deadline: this.deadline,
      allowedAlarms: [...id.allowedAlarms],
      ...(phase !== 'active' ? { endedAt: at.toISOString() } : {}),
      ...(reason ? { endReason: reason } : {}),
    };
    const timeout =
      this.deps.writeTimeoutMs ?? Math.max(2_000, Math.min(this.intervalSeconds, 5) * 1000);
    try {
      const written = await withTimeout(
        this.deps.state.put(item as unknown as StateItem, {
          // Another run's heartbeat is replaced (this run holds the lock); this run's own,
          // once the guardian restored the alias, never is.
          expression: 'attribute_not_exists(pk) OR runId <> :runId OR phase <> :restored',
          values: { ':runId': id.runId, ':restored': 'restored' },
        }),
        timeout,
        'heartbeat write',
      );
      if (written) {
        this.failures = 0;
        this.lastBeat = at.getTime();
        return;
      }
      await this.guardianTookOver();
    } catch (error) {
      this.failed((error as Error).message);
    }
  }

  private async guardianTookOver(): Promise<void> {
    const found = (await this.deps.state
      .get(heartbeatKey(this.identity.region).pk, heartbeatKey(this.identity.region).sk)
      .catch(() => undefined)) as Heartbeat | undefined;
    const guardian = found?.guardian;
    const line = guardian
      ? describeGuardianRecord({
          outcome: 'restored',
          at: guardian.at,
          summary: guardian.summary,
          to: this.identity.stable,
        })
      : `the guardian restored version ${this.identity.stable.version} (its record is in the state table)`;
    this.loss = { kind: 'guardian', line, ...(found ? { heartbeat: found } : {}) };
    this.stopper.abort();
    this.controller.abort();
  }

  private failed(error: string): void {
    this.failures += 1;
    this.lastError = error;
    const silentFor = (this.now().getTime() - this.lastBeat) / 1000;
    this.deps.warn(
      `heartbeat write failed (${this.failures} in a row, last beat ${Math.round(silentFor)} s ago): ${error}`,
    );
    // The guardian counts the run gone after staleAfter; stop well before, on our own terms.
    if (
      this.failures >= GUARDIAN.cliMaxFailedBeats &&
      silentFor >= staleAfterSeconds(this.intervalSeconds) / 2
    ) {
      this.loss = { kind: 'lost', failures: this.failures, error: this.lastError };
      this.stopper.abort();
      this.controller.abort();
    }
  }
}
