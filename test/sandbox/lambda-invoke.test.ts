import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  InvokeCommand,
  type LambdaClient,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CodeStore, hexFromCodeSha256 } from '../../sandbox/lambda/code-store.js';
import type { LogRecord } from '../../sandbox/lambda/function-logs.js';
import {
  createFunction,
  DEV,
  deployVersion,
  esmHandler,
  invoke,
  type LambdaHarness,
  REGION,
  roleKeyFor,
  SIT,
  startLambdaHarness,
} from './lambda-harness.js';

/**
 * The Lambda data plane through the real SDK: signed requests → the sandbox's Lambda
 * handler → the runtime (Workers), with moto as the control plane behind.
 */
describe('Lambda runtime: invoking functions through the SDK', () => {
  let h: LambdaHarness;
  let sit: LambdaClient;

  beforeAll(async () => {
    h = await startLambdaHarness();
    sit = h.lambda(SIT);
  });

  afterAll(async () => {
    await h?.close();
  });

  const versioned = (label: string) =>
    esmHandler(`return { code: '${label}', version: context.functionVersion, echo: event };`);

  it('runs $LATEST, a published version and alias live, reporting the executed version', async () => {
    // Prepare
    const name = h.name('versions');
    const created = await createFunction(h, { name, code: versioned('v1') });
    await sit.send(new PublishVersionCommand({ FunctionName: name }));
    await sit.send(
      new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }),
    );

    // Act
    const latest = await invoke(sit, name, { payload: { n: 1 } });
    const one = await invoke(sit, name, { qualifier: '1', payload: { n: 2 } });
    const live = await invoke(sit, name, { qualifier: 'live', payload: { n: 3 } });
    const byArn = await invoke(sit, `arn:aws:lambda:${REGION}:${SIT}:function:${name}:live`);

    // Assess
    expect(h.codeStore.has(hexFromCodeSha256(created.CodeSha256 ?? ''))).toBe(true);
    expect(latest).toMatchObject({
      statusCode: 200,
      executedVersion: '$LATEST',
      body: { code: 'v1', version: '$LATEST', echo: { n: 1 } },
    });
    expect(latest.functionError).toBeUndefined();
    expect(one).toMatchObject({ executedVersion: '1', body: { version: '1', echo: { n: 2 } } });
    expect(live).toMatchObject({ executedVersion: '1', body: { code: 'v1', echo: { n: 3 } } });
    expect(byArn.executedVersion).toBe('1');
  });

  it('runs new code in version 2 after UpdateFunctionCode + PublishVersion, old code in version 1', async () => {
    // Prepare
    const name = h.name('update');
    await createFunction(h, { name, code: versioned('v1') });
    await sit.send(new PublishVersionCommand({ FunctionName: name }));
    // A warm instance of version 1 exists before the update.
    await invoke(sit, name, { qualifier: '1' });

    // Act
    const version = await deployVersion(sit, name, versioned('v2'));
    const two = await invoke(sit, name, { qualifier: '2' });
    const one = await invoke(sit, name, { qualifier: '1' });
    const latest = await invoke(sit, name);

    // Assess
    expect(version).toBe('2');
    expect(two).toMatchObject({ executedVersion: '2', body: { code: 'v2', version: '2' } });
    expect(one).toMatchObject({ executedVersion: '1', body: { code: 'v1', version: '1' } });
    expect(latest).toMatchObject({ executedVersion: '$LATEST', body: { code: 'v2' } });
  });

  it("gives the handler the function's variables and Lambda's, nothing from the sandbox", async () => {
    // Prepare
    const name = h.name('env');
    await createFunction(h, {
      name,
      code: esmHandler(`return Object.fromEntries(
        ['ORDERS_TABLE', 'LOG_LEVEL', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_LAMBDA_FUNCTION_NAME',
         'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_ACCESS_KEY_ID', 'POWERTOOLS_DEV']
          .map((k) => [k, process.env[k] ?? null]));`),
      env: { ORDERS_TABLE: 'orders-sit', LOG_LEVEL: 'DEBUG', AWS_REGION: 'us-east-1' },
    });
    await sit.send(new PublishVersionCommand({ FunctionName: name }));

    // Act
    const latest = await invoke(sit, name);
    const one = await invoke(sit, name, { qualifier: '1' });

    // Assess
    expect(latest.body).toEqual({
      ORDERS_TABLE: 'orders-sit',
      LOG_LEVEL: 'DEBUG',
      AWS_ENDPOINT_URL: h.endpoint,
      // Reserved variables win over the function's own.
      AWS_REGION: REGION,
      AWS_LAMBDA_FUNCTION_NAME: name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      // The execution role's credentials, not the test process's AWS_ACCESS_KEY_ID=test.
      AWS_ACCESS_KEY_ID: roleKeyFor(SIT),
      // vitest sets POWERTOOLS_DEV for itself; it must not leak into the function.
      POWERTOOLS_DEV: null,
    });
    expect(one.body.AWS_LAMBDA_FUNCTION_VERSION).toBe('1');
  });

  it("reports a handler's exception as FunctionError Unhandled with errorType and errorMessage", async () => {
    // Prepare
    const name = h.name('throws');
    await createFunction(h, {
      name,
      code: esmHandler(`
        if (event.ok) return 'fine';
        class OrderNotFound extends Error { name = 'OrderNotFound'; }
        throw new OrderNotFound('order ' + event.id + ' does not exist');`),
    });

    // Act
    const failed = await invoke(sit, name, { payload: { id: 'ord_1' } });
    const next = await invoke(sit, name, { payload: { ok: true } });

    // Assess
    expect(failed.statusCode).toBe(200);
    expect(failed.functionError).toBe('Unhandled');
    expect(failed.body).toMatchObject({
      errorType: 'OrderNotFound',
      errorMessage: 'order ord_1 does not exist',
    });
    expect(Array.isArray(failed.body.trace)).toBe(true);
    // The instance survives a handler error.
    expect(next).toMatchObject({ body: 'fine' });
    expect(next.functionError).toBeUndefined();
  });

  it('reports a module that fails to load as an Unhandled Runtime error', async () => {
    // Prepare
    const name = h.name('broken');
    await createFunction(h, { name, code: { 'index.mjs': 'export const other = 1;\n' } });

    // Act
    const answer = await invoke(sit, name);

    // Assess
    expect(answer.functionError).toBe('Unhandled');
    expect(answer.body.errorType).toBe('Runtime.HandlerNotFound');
  });

  it('runs CommonJS and callback-style handlers, with module-level output in the first log', async () => {
    // Prepare
    const cjs = h.name('cjs');
    const callback = h.name('callback');
    await createFunction(h, {
      name: cjs,
      code: {
        'index.js': `console.log('cold start');
exports.handler = async (event) => ({ module: typeof require, n: event.n });`,
      },
    });
    await createFunction(h, {
      name: callback,
      code: {
        'index.js':
          'exports.handler = (event, context, done) => setTimeout(() => done(null, event.n * 2), 5);',
      },
    });

    // Act
    const first = await invoke(sit, cjs, { payload: { n: 1 }, tail: true });
    const second = await invoke(sit, cjs, { payload: { n: 2 }, tail: true });
    const doubled = await invoke(sit, callback, { payload: { n: 21 } });

    // Assess
    expect(first.body).toEqual({ module: 'function', n: 1 });
    expect(first.logTail).toContain('cold start\n');
    expect(first.logTail).toContain('Init Duration:');
    // A warm instance: no init output, no Init Duration.
    expect(second.body).toEqual({ module: 'function', n: 2 });
    expect(second.logTail).not.toContain('cold start');
    expect(second.logTail).not.toContain('Init Duration:');
    expect(doubled.body).toBe(42);
  });

  it('replaces an instance that exited, and applies a configuration change to the next invoke', async () => {
    // Prepare
    const name = h.name('exits');
    await createFunction(h, {
      name,
      code: esmHandler(`if (event.exit) process.exit(3); return process.env.STAGE;`),
      env: { STAGE: 'one' },
    });

    // Act
    const exited = await invoke(sit, name, { payload: { exit: true } });
    const after = await invoke(sit, name);
    await sit.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: name,
        Environment: { Variables: { STAGE: 'two' } },
      }),
    );
    const changed = await invoke(sit, name);

    // Assess
    expect(exited.functionError).toBe('Unhandled');
    expect(exited.body).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: 'Runtime exited with error: exit status 3',
    });
    expect(after.body).toBe('one');
    expect(changed.body).toBe('two');
  });

  it('answers Event with 202 and runs it in the background, DryRun with 204 and no run', async () => {
    // Prepare
    const name = h.name('async');
    await createFunction(h, { name, code: esmHandler(`console.log('ran', event.n); return 1;`) });

    // Act
    const queued = await sit.send(
      new InvokeCommand({ FunctionName: name, InvocationType: 'Event', Payload: '{"n":7}' }),
    );
    const dry = await sit.send(
      new InvokeCommand({ FunctionName: name, InvocationType: 'DryRun', Payload: '{"n":8}' }),
    );
    await h.runtime.settled();

    // Assess
    expect(queued.StatusCode).toBe(202);
    expect(dry.StatusCode).toBe(204);
    const log = await readFile(h.runtime.logs.fileFor(SIT, REGION, name), 'utf8');
    expect(log).toContain('"message":"ran 7"');
    expect(log).not.toContain('ran 8');
  });

  it('times out a handler that outlives the function timeout, and the next invoke still works', async () => {
    // Prepare
    const name = h.name('slow');
    await createFunction(h, {
      name,
      timeout: 1,
      code: esmHandler(`
        if (!event.quick) await new Promise((r) => setTimeout(r, 3000));
        return { done: true };`),
    });

    // Act
    const timedOut = await invoke(sit, name);
    const next = await invoke(sit, name, { payload: { quick: true } });

    // Assess
    expect(timedOut.functionError).toBe('Unhandled');
    expect(timedOut.body.errorType).toBe('Sandbox.Timedout');
    expect(timedOut.body.errorMessage).toMatch(/Task timed out after 1\.00 seconds/);
    expect(next.functionError).toBeUndefined();
    expect(next.body).toEqual({ done: true });
  });

  it("writes the function's output to its log file and returns the tail with LogType Tail", async () => {
    // Prepare
    const name = h.name('logs');
    await createFunction(h, {
      name,
      code: esmHandler(`
        console.log('processing order', event.id);
        console.error('warning for', event.id);
        return 'ok';`),
    });

    // Act
    const answer = await invoke(sit, name, { payload: { id: 'ord_42' }, tail: true });
    const quiet = await invoke(sit, name, { payload: { id: 'ord_43' } });

    // Assess
    const file = h.runtime.logs.fileFor(SIT, REGION, name);
    expect(file).toBe(join(h.home, 'sandbox', 'logs', SIT, REGION, `${name}.log`));
    const records = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as LogRecord);
    expect(records).toContainEqual(
      expect.objectContaining({ stream: 'stdout', message: 'processing order ord_42' }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ stream: 'stderr', message: 'warning for ord_42' }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ stream: 'stdout', message: 'processing order ord_43' }),
    );
    expect(records.filter((r) => r.message.startsWith('REPORT RequestId:'))).toHaveLength(2);
    expect(answer.logTail).toMatch(/^START RequestId: [0-9a-f-]+ Version: \$LATEST\n/);
    expect(answer.logTail).toContain('processing order ord_42\n');
    expect(answer.logTail).toMatch(/REPORT RequestId: .*Duration: [\d.]+ ms/);
    // The tail is this invocation's log only, and only when asked for.
    expect(answer.logTail).not.toContain('ord_43');
    expect(quiet.logTail).toBeUndefined();
  });

  it('keeps accounts apart: a SIT function cannot be invoked with the DEV credential', async () => {
    // Prepare
    const name = h.name('isolated');
    await createFunction(h, { name, code: esmHandler(`return 'sit only';`), account: SIT });
    const dev = h.lambda(DEV);

    // Act
    const byName = await invoke(dev, name).catch((error: Error) => error);
    const byArn = await invoke(dev, `arn:aws:lambda:${REGION}:${SIT}:function:${name}`).catch(
      (error: Error) => error,
    );
    const own = await invoke(sit, name);

    // Assess
    expect(byName).toBeInstanceOf(Error);
    expect((byName as Error).name).toBe('ResourceNotFoundException');
    expect(byArn).toBeInstanceOf(Error);
    expect((byArn as Error).name).toBe('AccessDeniedException');
    expect(own.body).toBe('sit only');
  });

  it('serves the code from a new CodeStore on the same directory (a sandbox restart)', async () => {
    // Prepare
    const name = h.name('restart');
    const created = await createFunction(h, { name, code: versioned('persisted') });
    const sha256 = hexFromCodeSha256(created.CodeSha256 ?? '');
    // Only the zip survives: the unpacked task root is rebuilt from it.
    await rm(join(h.codeStore.dir, sha256), { recursive: true, force: true });
    const restarted = await startLambdaHarness({ home: h.home });

    try {
      // Act
      const store = new CodeStore(h.codeStore.dir);
      const answer = await invoke(restarted.lambda(SIT), name);

      // Assess
      expect(store.has(sha256)).toBe(true);
      // The task root was unpacked again from the stored zip.
      expect(existsSync(join(store.dir, sha256, 'index.mjs'))).toBe(true);
      expect(restarted.codeStore).not.toBe(h.codeStore);
      expect(answer).toMatchObject({ executedVersion: '$LATEST', body: { code: 'persisted' } });
    } finally {
      await restarted.close();
    }
  });
});

describe('Lambda runtime: close()', () => {
  it('stops busy and idle workers, ends the busy invocations and refuses new ones', async () => {
    // Prepare
    const h = await startLambdaHarness();
    try {
      const sit = h.lambda(SIT);
      const slow = h.name('closing');
      const idle = h.name('idle');
      await createFunction(h, {
        name: slow,
        timeout: 60,
        code: esmHandler(`
          if (event.ms) await new Promise((r) => setTimeout(r, event.ms));
          return 'finished';`),
      });
      await createFunction(h, { name: idle, code: esmHandler(`return 'idle';`) });
      await invoke(sit, idle);
      await invoke(sit, slow);
      expect(h.runtime.instances).toBe(2);
      // One reuses the idle instance of `slow`, the other cold-starts a third.
      const busy = [1, 2].map(() => invoke(sit, slow, { payload: { ms: 30_000 } }));
      // A cold start on a busy machine can take seconds: wait for it, not for a time.
      await vi.waitFor(() => expect(h.runtime.instances).toBe(3), { timeout: 20_000 });

      // Act
      await h.runtime.close();
      const ended = await Promise.all(busy);
      const refused = await invoke(sit, idle).catch((error: Error) => error);

      // Assess
      expect(h.runtime.instances).toBe(0);
      // Had their Workers not been terminated, the busy invocations would have 'finished'.
      for (const answer of ended) {
        expect(answer.functionError).toBe('Unhandled');
        expect(answer.body.errorType).toBe('Runtime.ExitError');
      }
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).name).toBe('ServiceException');
    } finally {
      await h.close();
    }
  });
});
