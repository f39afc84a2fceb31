import { type InstanceSpec, type OutputSink, WarmInstance } from './warm-instance.js';

export interface InstancePoolOptions {
  /** An idle instance older than this is stopped (Lambda reclaims idle environments too). */
  readonly idleMs: number;
  /** An instance is retired after this long, so its role credentials never go stale. */
  readonly maxAgeMs: number;
  /** Lambda's init phase limit. */
  readonly initTimeoutMs: number;
  /**
   * At most this many instances per key; further invocations wait for one to be free.
   * Lambda would start more, but on a laptop dozens of simultaneous cold starts only
   * starve the CPU (every one loads the bundle): a few warm instances serve far more.
   */
  readonly maxInstancesPerKey?: number;
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
  private closed = false;
  /** Cold starts under way, so close() can wait for them (and they then stop themselves). */
  private readonly starting = new Set<Promise<WarmInstance>>();
  /** Instances that exist per key (busy, idle or starting), and who waits for one. */
  private readonly counts = new Map<string, number>();
  private readonly keys = new Map<WarmInstance, string>();
  private readonly waiters = new Map<string, Array<(instance: WarmInstance | undefined) => void>>();

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
   * @throws Error when the pool is closed (also when it closes during the cold start).
   */
  async acquire(
    key: string,
    spec: () => Promise<InstanceSpec>,
    sink: OutputSink,
  ): Promise<{ instance: WarmInstance; coldStart: boolean }> {
    if (this.closed) throw new Error('the instance pool is closed');
    const idle = this.idle.get(key) ?? [];
    for (let instance = idle.pop(); instance; instance = idle.pop()) {
      if (!instance.alive) {
        this.discard(instance);
        continue;
      }
      instance.setSink(sink);
      return { instance, coldStart: false };
    }
    if (
      (this.counts.get(key) ?? 0) >= (this.options.maxInstancesPerKey ?? Number.POSITIVE_INFINITY)
    ) {
      // Wait for a busy instance of this key; `undefined` means one was dropped, so a
      // slot is free for a cold start.
      const handed = await new Promise<WarmInstance | undefined>((resolve) => {
        const queue = this.waiters.get(key) ?? [];
        queue.push(resolve);
        this.waiters.set(key, queue);
      });
      if (this.closed) throw new Error('the instance pool is closed');
      if (handed) {
        handed.setSink(sink);
        return { instance: handed, coldStart: false };
      }
    }
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const starting = this.start(await spec(), sink);
    this.starting.add(starting);
    try {
      const instance = await starting;
      this.keys.set(instance, key);
      return { instance, coldStart: true };
    } catch (error) {
      this.slotFreed(key);
      throw error;
    } finally {
      this.starting.delete(starting);
    }
  }

  /** One instance of `key` is gone: its slot goes to the first waiter, if any. */
  private slotFreed(key: string): void {
    this.counts.set(key, Math.max(0, (this.counts.get(key) ?? 1) - 1));
    this.waiters.get(key)?.shift()?.(undefined);
  }

  private async start(spec: InstanceSpec, sink: OutputSink): Promise<WarmInstance> {
    if (this.closed) throw new Error('the instance pool is closed');
    const instance = await WarmInstance.start(spec, sink, this.options.initTimeoutMs);
    if (this.closed) {
      // close() ran while this instance was starting: it must not outlive the pool.
      await instance.terminate();
      throw new Error('the instance pool is closed');
    }
    this.live.add(instance);
    return instance;
  }

  /** Returns an instance after an invocation; a dead or old one is dropped instead. */
  release(key: string, instance: WarmInstance): void {
    instance.setSink(() => {});
    if (this.closed || !instance.alive || Date.now() - instance.createdAt > this.options.maxAgeMs) {
      this.discard(instance);
      return;
    }
    const waiter = this.waiters.get(key)?.shift();
    if (waiter) {
      waiter(instance);
      return;
    }
    const idle = this.idle.get(key) ?? [];
    idle.push(instance);
    this.idle.set(key, idle);
  }

  discard(instance: WarmInstance): void {
    this.live.delete(instance);
    if (instance.alive) void instance.terminate();
    const key = this.keys.get(instance);
    if (key !== undefined) {
      this.keys.delete(instance);
      this.slotFreed(key);
    }
  }

  /** How many instances exist (busy or idle). */
  get size(): number {
    return this.live.size;
  }

  /**
   * Stops every instance, busy ones included (their invocations end as fatal errors), and
   * waits for cold starts under way, which then stop themselves. No Worker is left running.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const queue of this.waiters.values()) for (const wake of queue) wake(undefined);
    this.waiters.clear();
    const all = [...this.live];
    this.live.clear();
    this.idle.clear();
    await Promise.all([
      ...all.map((instance) => instance.terminate()),
      ...[...this.starting].map((pending) => pending.catch(() => {})),
    ]);
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
