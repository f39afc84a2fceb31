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
  /**
   * How long an invocation waits for a busy instance of its key before it cold-starts one
   * when it has no cold-start sample yet (afterwards: the key's recent cold-start time).
   */
  readonly defaultColdStartMs?: number;
}

interface Waiter {
  readonly key: string;
  /** Only an instance of `key` will do: the waiter is in its grace period (see acquire). */
  readonly warmOnly: boolean;
  /** An instance of `key` handed over, or `undefined`: a cold-start slot is now ours. */
  readonly settle: (instance: WarmInstance | undefined) => void;
}

/** Weight of the newest cold start in a key's moving average. */
const EWMA_WEIGHT = 0.3;

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
  /** Live instances per key, busy or idle. */
  private readonly liveByKey = new Map<string, number>();
  private readonly keyOf = new WeakMap<WarmInstance, string>();
  /** Moving average of each key's cold-start time (ms). */
  private readonly coldStartMs = new Map<string, number>();

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
    // Every instance of this key is busy. In Lambda a new environment would start on hardware
    // of its own; here a cold start (a bundle load and a fresh, unoptimised isolate) takes the
    // very CPU the busy instances need, and under load a burst of them made every request
    // slower, hence longer, hence more concurrent — more cold starts. So the invocation first
    // waits as long as a cold start of this key takes for one of them to come back: it is
    // never slower than the cold start would have been, and no faster instance is forgone.
    // The wait counts as the function's concurrency (the runtime's limiter holds the slot).
    if ((this.liveByKey.get(key) ?? 0) > 0) {
      const handed = await this.waitForWarm(key);
      if (this.closed) throw new Error('the instance pool is closed');
      if (handed) {
        handed.setSink(sink);
        return { instance: handed, coldStart: false };
      }
    }
    if (this.coldStarts >= this.maxColdStarts) {
      const handed = await new Promise<WarmInstance | undefined>((settle) => {
        this.waiting.push({ key, warmOnly: false, settle });
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
    const started = performance.now();
    try {
      const starting = this.start(key, await spec(), sink);
      this.starting.add(starting);
      try {
        const instance = await starting;
        this.recordColdStart(key, performance.now() - started);
        return { instance, coldStart: true };
      } finally {
        this.starting.delete(starting);
      }
    } finally {
      this.coldStartDone();
    }
  }

  /** Resolves with an instance of `key` released within its cold-start time, else undefined. */
  private waitForWarm(key: string): Promise<WarmInstance | undefined> {
    const graceMs = this.coldStartMs.get(key) ?? this.options.defaultColdStartMs ?? 1_000;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        key,
        warmOnly: true,
        settle: (instance) => {
          clearTimeout(timer);
          resolve(instance);
        },
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(undefined);
      }, graceMs);
      this.waiting.push(waiter);
    });
  }

  private recordColdStart(key: string, ms: number): void {
    const previous = this.coldStartMs.get(key);
    this.coldStartMs.set(
      key,
      previous === undefined ? ms : previous + EWMA_WEIGHT * (ms - previous),
    );
  }

  /** A cold start ended (well or not): its slot goes to the oldest waiter, if any. */
  private coldStartDone(): void {
    this.coldStarts--;
    const at = this.waiting.findIndex((w) => !w.warmOnly);
    if (at >= 0) {
      const [next] = this.waiting.splice(at, 1);
      this.coldStarts++;
      next?.settle(undefined);
    }
  }

  private async start(key: string, spec: InstanceSpec, sink: OutputSink): Promise<WarmInstance> {
    if (this.closed) throw new Error('the instance pool is closed');
    const instance = await WarmInstance.start(spec, sink, this.options.initTimeoutMs);
    if (this.closed) {
      // close() ran while this instance was starting: it must not outlive the pool.
      await instance.terminate();
      throw new Error('the instance pool is closed');
    }
    this.live.add(instance);
    this.keyOf.set(instance, key);
    this.liveByKey.set(key, (this.liveByKey.get(key) ?? 0) + 1);
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
    if (this.live.delete(instance)) {
      const key = this.keyOf.get(instance);
      if (key !== undefined) {
        const left = (this.liveByKey.get(key) ?? 1) - 1;
        if (left > 0) this.liveByKey.set(key, left);
        else this.liveByKey.delete(key);
      }
    }
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
    this.liveByKey.clear();
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
