import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { inject } from 'vitest';
import yazl from 'yazl';
import type { MetricDatum } from '../../sandbox/cloudwatch/metric-sink.js';
import { credentialScope } from '../../sandbox/gateway/sigv4.js';
import type {
  SandboxRequest,
  SandboxResponse,
  ServiceHandler,
} from '../../sandbox/gateway/types.js';
import { CodeStore } from '../../sandbox/lambda/code-store.js';
import { FaultRegistry } from '../../sandbox/lambda/fault-registry.js';
import { createLambdaHandler } from '../../sandbox/lambda/lambda-handler.js';
import { LambdaRuntime } from '../../sandbox/lambda/lambda-runtime.js';
import type { Random } from '../../sandbox/lambda/weighted-routing.js';
import { MOTO_ACCOUNT_HEADER, motoClient } from '../../sandbox/moto/clients.js';
import { sandboxPaths } from '../../sandbox/paths.js';

/**
 * A miniature gateway for the Lambda tests: a node:http server that turns signed SDK
 * requests into SandboxRequests for the Lambda ServiceHandler, with a real moto behind it.
 * Access key `sandbox-sit` is account SIT, `sandbox-dev` is DEV.
 */

export const SIT = '815856636111';
export const DEV = '536580886816';
export const REGION = 'eu-west-1';
const ACCOUNTS: Record<string, string> = { 'sandbox-sit': SIT, 'sandbox-dev': DEV };

/** What a function's role credentials look like (letters and digits: DynamoDB Local accepts them). */
export const roleKeyFor = (account: string) => `ASIA${account}`;

const DROP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'expect']);

/** Sends a request on to an engine and buffers its answer. */
const proxy = async (
  target: string,
  request: SandboxRequest,
  extra: Record<string, string> = {},
): Promise<SandboxResponse> => {
  const headers = Object.fromEntries(
    Object.entries({ ...request.headers, ...extra }).filter(([name]) => !DROP.has(name)),
  );
  const query = request.query.toString();
  const hasBody = !['GET', 'HEAD'].includes(request.method);
  const response = await fetch(`${target}${request.path}${query ? `?${query}` : ''}`, {
    method: request.method,
    headers,
    ...(hasBody ? { body: request.body } : {}),
  });
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!DROP.has(name) && name !== 'content-encoding') out[name] = value;
  });
  return { status: response.status, headers: out, body: Buffer.from(await response.arrayBuffer()) };
};

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export interface LambdaHarness {
  /** moto's endpoint (the one vitest's global setup started, unless another was given). */
  readonly motoEndpoint: string;
  /** The miniature gateway; also the functions' AWS_ENDPOINT_URL. */
  readonly endpoint: string;
  readonly home: string;
  readonly codeStore: CodeStore;
  readonly faults: FaultRegistry;
  readonly metrics: MetricDatum[];
  readonly runtime: LambdaRuntime;
  /**
   * A function name unique to this harness: the moto of the global setup is shared by every
   * test file (running in parallel), so names must not collide.
   */
  name(base: string): string;
  /** A Lambda client signed as the given account's long-term key. */
  lambda(account?: string): LambdaClient;
  /** Creates (once) an execution role in the account and returns its ARN. */
  role(account?: string): Promise<string>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly random?: Random;
  /** When set, the gateway sends DynamoDB calls there (DynamoDB Local). */
  readonly dynamoEndpoint?: string;
  /** moto to use; default the one provided by vitest's global setup. */
  readonly motoEndpoint?: string;
  /** Where the code store, faults and logs live; default a fresh temp dir (removed on close). */
  readonly home?: string;
  /** How long creations stay Pending and updates InProgress (ms); default 100. */
  readonly updateMs?: number;
}

export const startLambdaHarness = async (options: HarnessOptions = {}): Promise<LambdaHarness> => {
  const motoEndpoint = options.motoEndpoint ?? inject('motoEndpoint');
  const ownsHome = options.home === undefined;
  const home = options.home ?? (await mkdtemp(join(tmpdir(), 'lambda-sandbox-')));
  const suffix = randomBytes(4).toString('hex');
  const paths = sandboxPaths(home);
  const codeStore = new CodeStore(paths.code);
  const faults = new FaultRegistry(paths.faults);
  const metrics: MetricDatum[] = [];
  let handler: ServiceHandler | undefined;

  const forward: ServiceHandler = (request) =>
    proxy(motoEndpoint, request, { [MOTO_ACCOUNT_HEADER]: request.identity.account });

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
    );
    const scope = credentialScope(headers, url.searchParams);
    const account = scope
      ? (ACCOUNTS[scope.accessKeyId] ?? /^ASIA(\d{12})$/.exec(scope.accessKeyId)?.[1])
      : undefined;
    const request: SandboxRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: await readBody(req),
      service: scope?.service ?? '',
      region: scope?.region ?? REGION,
      identity: {
        accessKeyId: scope?.accessKeyId ?? '',
        account: account ?? '',
        arn: `arn:aws:iam::${account}:user/test`,
        userId: 'AIDATEST',
      },
    };
    let response: SandboxResponse;
    if (!account) {
      response = { status: 403, body: '{"message":"unknown access key"}' };
    } else if (scope?.service === 'lambda' && handler) {
      response = await handler(request);
    } else if (scope?.service === 'dynamodb' && options.dynamoEndpoint) {
      response = await proxy(options.dynamoEndpoint, request);
    } else {
      response = { status: 400, body: `{"message":"service ${scope?.service} not served here"}` };
    }
    res.writeHead(response.status, response.headers);
    res.end(response.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const runtime = new LambdaRuntime({
    motoEndpoint,
    codeStore,
    metrics: { put: (data) => metrics.push(...data) },
    faults,
    logsDir: paths.logs,
    endpointUrl: endpoint,
    credentialsFor: (account) => ({
      accessKeyId: roleKeyFor(account),
      secretAccessKey: 'role-secret',
      sessionToken: 'role-session-token',
    }),
    ...(options.random ? { random: options.random } : {}),
  });
  handler = createLambdaHandler({
    forward,
    runtime,
    codeStore,
    updateMs: options.updateMs ?? 100,
  });

  const clients: LambdaClient[] = [];
  const roles = new Map<string, Promise<string>>();
  return {
    motoEndpoint,
    endpoint,
    home,
    codeStore,
    faults,
    metrics,
    runtime,
    name: (base) => `${base}-${suffix}`,
    lambda(account = SIT) {
      const key = Object.entries(ACCOUNTS).find(([, a]) => a === account)?.[0] ?? `ASIA${account}`;
      const client = new LambdaClient({
        endpoint,
        region: REGION,
        credentials: { accessKeyId: key, secretAccessKey: 'sandbox' },
        maxAttempts: 1,
      });
      clients.push(client);
      return client;
    },
    role(account = SIT) {
      let arn = roles.get(account);
      if (!arn) {
        const iam = motoClient(IAMClient, motoEndpoint, account, 'us-east-1');
        arn = iam
          .send(
            new CreateRoleCommand({
              RoleName: `order-handler-role-${suffix}`,
              AssumeRolePolicyDocument: '{}',
            }),
          )
          .then((r) => r.Role?.Arn ?? '')
          .finally(() => iam.destroy());
        roles.set(account, arn);
      }
      return arn;
    },
    async close() {
      for (const client of clients) client.destroy();
      await runtime.close();
      await new Promise((resolve) => server.close(resolve));
      if (ownsHome) await rm(home, { recursive: true, force: true });
    },
  };
};

/** A zip of the given files (yazl, in memory). */
export const makeZip = (files: Record<string, string | Buffer>): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const archive = new yazl.ZipFile();
    for (const [name, content] of Object.entries(files)) {
      archive.addBuffer(Buffer.from(content), name, { mtime: new Date('1980-01-01T00:00:00Z') });
    }
    archive.end();
    const chunks: Buffer[] = [];
    archive.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    archive.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    archive.outputStream.on('error', reject);
  });

export interface FunctionSpec {
  readonly name: string;
  readonly code: Record<string, string> | Buffer;
  readonly handler?: string;
  readonly timeout?: number;
  readonly memory?: number;
  readonly env?: Record<string, string>;
  readonly account?: string;
}

/**
 * Waits until a function is Active and its last update Successful, as AWS requires before
 * the next update or a PublishVersion (polls faster than the SDK's waiters, whose first
 * retry is a second away).
 */
export const waitSettled = async (
  client: LambdaClient,
  functionName: string,
  timeoutMs = 10_000,
) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const config = await client.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName }),
    );
    if (config.State === 'Active' && config.LastUpdateStatus === 'Successful') return config;
    if (Date.now() > deadline) {
      throw new Error(`${functionName} still ${config.State}/${config.LastUpdateStatus}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/** CreateFunction through the sandbox's Lambda endpoint, then waits until it is Active. */
export const createFunction = async (harness: LambdaHarness, spec: FunctionSpec) => {
  const account = spec.account ?? SIT;
  const zip = Buffer.isBuffer(spec.code) ? spec.code : await makeZip(spec.code);
  const client = harness.lambda(account);
  const created = await client.send(
    new CreateFunctionCommand({
      FunctionName: spec.name,
      Runtime: 'nodejs20.x',
      Role: await harness.role(account),
      Handler: spec.handler ?? 'index.handler',
      Code: { ZipFile: zip },
      Timeout: spec.timeout ?? 10,
      MemorySize: spec.memory ?? 256,
      ...(spec.env ? { Environment: { Variables: spec.env } } : {}),
    }),
  );
  await waitSettled(client, spec.name);
  return created;
};

/** Decodes an Invoke response payload as JSON. */
export const payloadOf = (payload: Uint8Array | undefined): any =>
  payload && payload.length > 0 ? JSON.parse(Buffer.from(payload).toString('utf8')) : undefined;

/** An ESM handler module from a function body (`event`, `context` in scope). */
export const esmHandler = (body: string): Record<string, string> => ({
  'index.mjs': `export const handler = async (event, context) => {\n${body}\n};\n`,
});

/** What an Invoke answered, decoded. */
export interface Invocation {
  readonly statusCode?: number;
  readonly executedVersion?: string;
  readonly functionError?: string;
  /** The payload as JSON. */
  readonly body: any;
  /** `LogResult` decoded from base64 (LogType Tail only). */
  readonly logTail?: string;
}

/** Invoke through the SDK (RequestResponse) and decode the answer. */
export const invoke = async (
  client: LambdaClient,
  functionName: string,
  options: { qualifier?: string; payload?: unknown; tail?: boolean } = {},
): Promise<Invocation> => {
  const answer = await client.send(
    new InvokeCommand({
      FunctionName: functionName,
      ...(options.qualifier ? { Qualifier: options.qualifier } : {}),
      Payload: Buffer.from(JSON.stringify(options.payload ?? {})),
      ...(options.tail ? { LogType: 'Tail' } : {}),
    }),
  );
  return {
    ...(answer.StatusCode === undefined ? {} : { statusCode: answer.StatusCode }),
    ...(answer.ExecutedVersion ? { executedVersion: answer.ExecutedVersion } : {}),
    ...(answer.FunctionError ? { functionError: answer.FunctionError } : {}),
    body: payloadOf(answer.Payload),
    ...(answer.LogResult
      ? { logTail: Buffer.from(answer.LogResult, 'base64').toString('utf8') }
      : {}),
  };
};

/**
 * Replaces a function's code, waits for the update to finish (as AWS requires) and
 * publishes it; returns the new version number.
 */
export const deployVersion = async (
  client: LambdaClient,
  functionName: string,
  code: Record<string, string>,
): Promise<string> => {
  await client.send(
    new UpdateFunctionCodeCommand({ FunctionName: functionName, ZipFile: await makeZip(code) }),
  );
  await waitSettled(client, functionName);
  const published = await client.send(new PublishVersionCommand({ FunctionName: functionName }));
  return published.Version ?? '';
};
