import { type InstanceSpec, type OutputSink, WarmInstance } from './warm-instance.js';

export interface InstancePoolOptions {
  /** An idle instance older than this is stopped (Lambda reclaims idle environments too). */
  readonly idleMs: number;
  /** An instance is retired after this long, so its role credentials never go stale. */
  readonly maxAgeMs: number;
  /** Lambda's init phase limit. */
  readonly initTimeoutMs: number;
}

/**
 * Warm instances per key (account/region/function/version/code/config), reused one
 * invocation at a time. A cold start happens when no idle instance of that key exists, so
 * concurrency grows the pool and a new version or configuration never reuses old code.
 */
export class InstancePool {
  private readonly idle = new Map<string, WarmInstance[]>();
  private readonly live = new Set<WarmInstance>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly options: InstancePoolOptions) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(options.idleMs, 30_000));
    // Idle instances must not keep the sandbox (or a test run) alive.
    this.sweeper.unref();
  }

  /**
   * An idle instance of `key`, or a freshly started one whose init output goes to `sink`.
   * `spec` is only evaluated for a cold start.
   *
   * @throws FunctionInitError when a cold start fails to load the handler.
   */
  async acquire(
    key: string,
    spec: () => Promise<InstanceSpec>,
    sink: OutputSink,
  ): Promise<{ instance: WarmInstance; coldStart: boolean }> {
    const idle = this.idle.get(key) ?? [];
    for (let instance = idle.pop(); instance; instance = idle.pop()) {
      if (!instance.alive) {
        this.live.delete(instance);
        continue;
      }
      instance.setSink(sink);
      return { instance, coldStart: false };
    }
    const instance = await WarmInstance.start(await spec(), sink, this.options.initTimeoutMs);
    this.live.add(instance);
    return { instance, coldStart: true };
  }

  /** Returns an instance after an invocation; a dead or old one is dropped instead. */
  release(key: string, instance: WarmInstance): void {
    instance.setSink(() => {});
    if (!instance.alive || Date.now() - instance.createdAt > this.options.maxAgeMs) {
      this.discard(instance);
      return;
    }
    const idle = this.idle.get(key) ?? [];
    idle.push(instance);
    this.idle.set(key, idle);
  }

  discard(instance: WarmInstance): void {
    this.live.delete(instance);
    if (instance.alive) void instance.terminate();
  }

  /** How many instances exist (busy or idle). */
  get size(): number {
    return this.live.size;
  }

  /** Stops every instance, busy ones included. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.live];
    this.live.clear();
    this.idle.clear();
    await Promise.all(all.map((instance) => instance.terminate()));
  }

  private sweep(): void {
    const cutoff = Date.now() - this.options.idleMs;
    for (const [key, idle] of this.idle) {
      const keep = idle.filter((instance) => {
        if (instance.alive && instance.lastUsed > cutoff) return true;
        this.discard(instance);
        return false;
      });
      if (keep.length > 0) this.idle.set(key, keep);
      else this.idle.delete(key);
    }
  }
}
