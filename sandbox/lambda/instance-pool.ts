import { availableParallelism } from 'node:os';
import { type InstanceSpec, type OutputSink, WarmInstance } from './warm-instance.js';

export interface InstancePoolOptions {
  /** An idle instance older than this is stopped (Lambda reclaims idle environments too). */
  readonly idleMs: number;
  /** An instance is retired after this long, so its role credentials never go stale. */
  readonly maxAgeMs: number;
  /** Lambda's init phase limit. */
  readonly initTimeoutMs: number;
  /**
   * Cold starts running at once, across every function (default: the machine's cores). An
   * invocation that finds no idle instance and no free slot waits, and takes whichever comes
   * first: an instance of its key coming back, or a slot. Lambda starts an environment per
   * concurrent request; so does the pool — it only paces the starts, because dozens of
   * simultaneous bundle loads on a laptop would starve the CPU the warm ones need.
   */
  readonly maxConcurrentColdStarts?: number;
}

interface Waiter {
  readonly key: string;
  /** An instance of `key` handed over, or `undefined`: a cold-start slot is now ours. */
  readonly settle: (instance: WarmInstance | undefined) => void;
}

/**
 * Warm instances per key (account/region/function/version/code/config), reused one
 * invocation at a time. A cold start happens when no idle instance of that key exists, so
 * concurrency grows the pool — up to the function's concurrency, which the runtime's limiter
 * enforces — and a new version or configuration never reuses old code.
 */
export class InstancePool {
  private readonly idle = new Map<string, WarmInstance[]>();
  private readonly live = new Set<WarmInstance>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  /** Cold starts under way, so close() can wait for them (and they then stop themselves). */
  private readonly starting = new Set<Promise<WarmInstance>>();
  private coldStarts = 0;
  private readonly maxColdStarts: number;
  /** Invocations waiting for an instance of their key or a cold-start slot, oldest first. */
  private readonly waiting: Waiter[] = [];

  constructor(private readonly options: InstancePoolOptions) {
    this.maxColdStarts = Math.max(1, options.maxConcurrentColdStarts ?? availableParallelism());
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
    if (this.coldStarts >= this.maxColdStarts) {
      const handed = await new Promise<WarmInstance | undefined>((settle) => {
        this.waiting.push({ key, settle });
      });
      if (this.closed) throw new Error('the instance pool is closed');
      if (handed) {
        handed.setSink(sink);
        return { instance: handed, coldStart: false };
      }
      // A slot was handed over (and counted) by coldStartDone().
    } else {
      this.coldStarts++;
    }
    try {
      const starting = this.start(await spec(), sink);
      this.starting.add(starting);
      try {
        return { instance: await starting, coldStart: true };
      } finally {
        this.starting.delete(starting);
      }
    } finally {
      this.coldStartDone();
    }
  }

  /** A cold start ended (well or not): its slot goes to the oldest waiter, if any. */
  private coldStartDone(): void {
    this.coldStarts--;
    const next = this.waiting.shift();
    if (next) {
      this.coldStarts++;
      next.settle(undefined);
    }
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
    const at = this.waiting.findIndex((w) => w.key === key);
    if (at >= 0) {
      const [waiter] = this.waiting.splice(at, 1);
      waiter?.settle(instance);
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

  /**
   * Stops every instance, busy ones included (their invocations end as fatal errors), and
   * waits for cold starts under way, which then stop themselves. No Worker is left running.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const waiter of this.waiting.splice(0)) waiter.settle(undefined);
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
