/**
 * A narrow API whose implementation — and so its AWS SDK client, tens of milliseconds to
 * load — is imported on the first call of any of its methods. A command loads only the
 * clients it uses (`promote status` never loads S3 or SNS). `known` answers synchronous
 * properties (a table name) without loading anything.
 */
export const lazyApi = <T extends object>(load: () => Promise<T>, known: Partial<T> = {}): T => {
  let loaded: Promise<T> | undefined;
  return new Proxy(known as T, {
    get(target, prop) {
      if (prop in target) return (target as Record<PropertyKey, unknown>)[prop];
      // Never look like a promise: `await api` must not call `then` on it.
      if (prop === 'then') return undefined;
      return async (...args: unknown[]) => {
        loaded ??= load();
        const api = (await loaded) as Record<PropertyKey, unknown>;
        const member = api[prop];
        if (typeof member !== 'function') return member;
        return (member as (...a: unknown[]) => unknown).apply(api, args);
      };
    },
  });
};
