/**
 * SDK clients that talk to the moto child directly, inside a given account. moto scopes
 * every resource by account; the `x-moto-account-id` header picks it, so the sandbox (not
 * moto) decides which account a caller is in.
 */
/** The part of an SDK v3 client this helper touches. */
interface AnyClient {
  middlewareStack: { add(middleware: any, options: any): void };
}

export const MOTO_ACCOUNT_HEADER = 'x-moto-account-id';

/**
 * Builds an SDK v3 client for moto scoped to `account` and `region`.
 *
 * @example
 * const lambda = motoClient(LambdaClient, moto.endpoint, '815856636111', 'eu-west-1');
 * await lambda.send(new GetAliasCommand({ FunctionName: 'order-handler-sit', Name: 'live' }));
 */
/** Clients made, per service, then per `endpoint|account|region`. */
const made = new Map<object, Map<string, AnyClient & { destroy?: () => void }>>();

/**
 * Destroys and forgets every client made for one moto (its runtime or sandbox is closing);
 * a later `motoClient` for that endpoint makes a fresh one.
 */
export const releaseMotoClients = (endpoint: string): void => {
  for (const byKey of made.values()) {
    for (const [key, client] of byKey) {
      if (!key.startsWith(`${endpoint}|`)) continue;
      client.destroy?.();
      byKey.delete(key);
    }
  }
};

export const motoClient = <C extends AnyClient>(
  Ctor: new (config: any) => C,
  endpoint: string,
  account: string,
  region: string,
): C => {
  // One client per service, engine, account and region: loops that ask every tick reuse its
  // connections instead of opening new ones (moto answers HTTP/1.0: each closes anyway, but
  // the client, its agent and its middleware stack are not rebuilt).
  let byKey = made.get(Ctor);
  if (!byKey) {
    byKey = new Map();
    made.set(Ctor, byKey);
  }
  const key = `${endpoint}|${account}|${region}`;
  const existing = byKey.get(key);
  if (existing) return existing as C;
  const client = new Ctor({
    endpoint,
    region,
    credentials: { accessKeyId: `sandbox-${account}`, secretAccessKey: 'sandbox' },
    maxAttempts: 2,
  });
  client.middlewareStack.add(
    (next: (args: any) => Promise<any>) => async (args: any) => {
      const request = args.request as { headers?: Record<string, string> };
      if (request?.headers) request.headers[MOTO_ACCOUNT_HEADER] = account;
      return next(args);
    },
    { step: 'build', name: 'motoAccountHeader' },
  );
  byKey.set(key, client);
  return client;
};
