/**
 * Counts in-flight invocations per function (all versions together, as Lambda's reserved
 * concurrency does) and refuses one that would exceed the function's limit.
 */
export class ConcurrencyLimiter {
  private readonly inFlight = new Map<string, number>();

  /**
   * Admits one invocation of `key` if fewer than `limit` are running.
   * @returns the new in-flight count (the ConcurrentExecutions sample), or undefined when throttled.
   */
  tryAcquire(key: string, limit: number): number | undefined {
    const running = this.inFlight.get(key) ?? 0;
    if (running >= limit) return undefined;
    this.inFlight.set(key, running + 1);
    return running + 1;
  }

  release(key: string): void {
    const running = (this.inFlight.get(key) ?? 1) - 1;
    if (running > 0) this.inFlight.set(key, running);
    else this.inFlight.delete(key);
  }

  running(key: string): number {
    return this.inFlight.get(key) ?? 0;
  }
}
