import {
  CreateAliasCommand,
  DeleteFunctionConcurrencyCommand,
  type LambdaClient,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MetricDatum } from '../../sandbox/cloudwatch/metric-sink.js';
import { seededRandom } from '../../sandbox/lambda/weighted-routing.js';
import {
  createFunction,
  deployVersion,
  esmHandler,
  type Invocation,
  invoke,
  type LambdaHarness,
  REGION,
  SIT,
  startLambdaHarness,
} from './lambda-harness.js';

/** Reserved concurrency, fault injection, Lambda's metrics and EMF, through the SDK. */
describe('Lambda runtime: concurrency, faults and metrics', () => {
  let h: LambdaHarness;
  let sit: LambdaClient;

  beforeAll(async () => {
    h = await startLambdaHarness({ random: seededRandom(7) });
    sit = h.lambda(SIT);
  });

  afterAll(async () => {
    await h?.close();
  });

  /** A function with version 1 (`blue`) and version 2 (`green`). */
  const twoVersions = async (base: string) => {
    const name = h.name(base);
    await createFunction(h, { name, code: esmHandler(`return { code: 'blue' };`) });
    await sit.send(new PublishVersionCommand({ FunctionName: name }));
    await deployVersion(sit, name, esmHandler(`return { code: 'green' };`));
    return name;
  };

  const lambdaMetrics = (name: string, metricName: string): MetricDatum[] =>
    h.metrics.filter(
      (d) =>
        d.namespace === 'AWS/Lambda' &&
        d.metricName === metricName &&
        d.dimensions.FunctionName === name,
    );

  const sumBy = (data: MetricDatum[], dimensions: Record<string, string>) =>
    data
      .filter(
        (d) =>
          Object.keys(d.dimensions).length === Object.keys(dimensions).length &&
          Object.entries(dimensions).every(([k, v]) => d.dimensions[k] === v),
      )
      .reduce((sum, d) => sum + d.values.reduce((a, b) => a + b, 0), 0);

  it('throttles the second of two concurrent invokes with reserved concurrency 1', async () => {
    // Prepare
    const name = h.name('reserved');
    await createFunction(h, {
      name,
      code: esmHandler(`await new Promise((r) => setTimeout(r, event.ms ?? 0)); return 'served';`),
    });
    await sit.send(
      new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 }),
    );

    // Act
    // Each holds its slot for a second: far longer than the other takes to arrive.
    const slow = { payload: { ms: 1000 } };
    const results = await Promise.allSettled([invoke(sit, name, slow), invoke(sit, name, slow)]);
    await sit.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    const unreserved = await Promise.all([invoke(sit, name), invoke(sit, name)]);

    // Assess
    const served = results.filter((r) => r.status === 'fulfilled');
    const throttled = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(served).toHaveLength(1);
    expect(throttled).toHaveLength(1);
    expect(throttled[0]).toBeInstanceOf(TooManyRequestsException);
    expect(throttled[0].$metadata.httpStatusCode).toBe(429);
    expect(throttled[0].Reason).toBe('ReservedFunctionConcurrentInvocationLimitExceeded');
    expect(sumBy(lambdaMetrics(name, 'Throttles'), { FunctionName: name })).toBe(1);
    expect(h.metrics).toContainEqual(
      expect.objectContaining({
        account: SIT,
        region: REGION,
        metricName: 'Throttles',
        unit: 'Count',
        dimensions: { FunctionName: name, ExecutedVersion: '$LATEST' },
      }),
    );
    // DeleteFunctionConcurrency reached the runtime at once (the cache was invalidated).
    expect(unreserved.map((a) => a.body)).toEqual(['served', 'served']);
  });

  it('fails every invoke of version 2 under an error-rate 1.0 fault, leaving version 1 alone', async () => {
    // Prepare
    const name = await twoVersions('faulty');
    h.faults.set({ account: SIT, functionName: name, version: '2', errorRate: 1 });

    try {
      // Act
      const two = await Promise.all([1, 2, 3].map(() => invoke(sit, name, { qualifier: '2' })));
      const one = await Promise.all([1, 2, 3].map(() => invoke(sit, name, { qualifier: '1' })));

      // Assess
      for (const answer of two) {
        expect(answer.executedVersion).toBe('2');
        expect(answer.functionError).toBe('Unhandled');
        expect(answer.body.errorType).toBe('Sandbox.InjectedFault');
      }
      for (const answer of one) {
        expect(answer.functionError).toBeUndefined();
        expect(answer.body).toEqual({ code: 'blue' });
      }
      const errors = lambdaMetrics(name, 'Errors');
      expect(sumBy(errors, { FunctionName: name, ExecutedVersion: '2' })).toBe(3);
      expect(sumBy(errors, { FunctionName: name, ExecutedVersion: '1' })).toBe(0);
    } finally {
      h.faults.clear({ account: SIT, functionName: name });
    }
    // Clearing the fault heals version 2.
    expect((await invoke(sit, name, { qualifier: '2' })).body).toEqual({ code: 'green' });
  });

  it('applies a route-filtered fault only to matching API Gateway events', async () => {
    // Prepare
    const name = await twoVersions('routed');
    h.faults.set({
      account: SIT,
      functionName: name,
      version: '2',
      errorRate: 1,
      route: 'POST /orders',
    });
    const apiEvent = (httpMethod: string, path: string) => ({ httpMethod, path, body: null });

    try {
      // Act
      const post = await invoke(sit, name, {
        qualifier: '2',
        payload: apiEvent('POST', '/orders'),
      });
      const get = await invoke(sit, name, {
        qualifier: '2',
        payload: apiEvent('GET', '/orders/1'),
      });

      // Assess
      expect(post.functionError).toBe('Unhandled');
      expect(get.functionError).toBeUndefined();
    } finally {
      h.faults.clear({ account: SIT, functionName: name });
    }
  });

  it('adds the injected latency to invokes of the faulted version only', async () => {
    // Prepare
    const name = await twoVersions('latent');
    h.faults.set({ account: SIT, functionName: name, version: '1', latencyMs: 400 });

    try {
      // Act
      const faulted = await invoke(sit, name, { qualifier: '1', tail: true });
      const healthy = await invoke(sit, name, { qualifier: '2', tail: true });

      // Assess: what the runtime did, from the invocation's own log (no clock involved)
      expect(faulted.body).toEqual({ code: 'blue' });
      expect(faulted.logTail).toContain('SANDBOX FAULT: adding 400 ms of latency');
      expect(healthy.logTail).not.toContain('SANDBOX FAULT');
    } finally {
      h.faults.clear({ account: SIT, functionName: name });
    }
  });

  it('publishes Invocations, Errors and Duration under the version that actually ran', async () => {
    // Prepare
    const name = await twoVersions('metered');
    await sit.send(
      new CreateAliasCommand({
        FunctionName: name,
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.5 } },
      }),
    );
    h.faults.set({ account: SIT, functionName: name, version: '2', errorRate: 1 });

    try {
      // Act
      const answers: Invocation[] = [];
      for (let i = 0; i < 40; i++) answers.push(await invoke(sit, name, { qualifier: 'live' }));

      // Assess
      const ran = (v: string) => answers.filter((a) => a.executedVersion === v).length;
      expect(ran('1')).toBeGreaterThan(0); // the seed routes to both versions
      expect(ran('2')).toBeGreaterThan(0);
      expect(ran('1') + ran('2')).toBe(40);
      const invocations = lambdaMetrics(name, 'Invocations');
      const errors = lambdaMetrics(name, 'Errors');
      for (const version of ['1', '2']) {
        const dims = { FunctionName: name, ExecutedVersion: version };
        expect(sumBy(invocations, dims)).toBe(ran(version));
        expect(sumBy(errors, dims)).toBe(version === '2' ? ran('2') : 0);
      }
      const durationsOf = (version: string) =>
        lambdaMetrics(name, 'Duration').filter(
          (d) => d.dimensions.ExecutedVersion === version && Object.keys(d.dimensions).length === 2,
        );
      expect(durationsOf('1')).toHaveLength(ran('1'));
      expect(durationsOf('2')).toHaveLength(ran('2'));
      expect(durationsOf('1')[0]).toMatchObject({ unit: 'Milliseconds', account: SIT });
      expect(sumBy(invocations, { FunctionName: name, Resource: `${name}:live` })).toBe(40);
      expect(sumBy(invocations, { FunctionName: name })).toBe(40);
    } finally {
      h.faults.clear({ account: SIT, functionName: name });
    }
  });

  it("turns EMF lines in the function's output into metrics with their namespace and dimensions", async () => {
    // Prepare
    const name = h.name('emf');
    await createFunction(h, {
      name,
      code: esmHandler(`
        console.log(JSON.stringify({
          _aws: {
            Timestamp: 1700000000000,
            CloudWatchMetrics: [{
              Namespace: 'OrderService',
              Dimensions: [['service'], ['service', 'environment']],
              Metrics: [{ Name: 'OrdersCreated', Unit: 'Count' }, { Name: 'OrderTotal', Unit: 'None' }],
            }],
          },
          service: 'orders', environment: 'sit', OrdersCreated: 2, OrderTotal: [59.98, 10],
        }));
        console.log('{"not":"emf"}');
        return 'ok';`),
    });

    // Act
    const answer = await invoke(sit, name);

    // Assess
    expect(answer.body).toBe('ok');
    const emf = h.metrics.filter((d) => d.namespace === 'OrderService');
    expect(emf).toHaveLength(4);
    expect(emf).toContainEqual({
      account: SIT,
      region: REGION,
      namespace: 'OrderService',
      metricName: 'OrdersCreated',
      dimensions: { service: 'orders' },
      timestamp: 1_700_000_000_000,
      values: [2],
      unit: 'Count',
    });
    expect(emf).toContainEqual(
      expect.objectContaining({
        metricName: 'OrderTotal',
        dimensions: { service: 'orders', environment: 'sit' },
        values: [59.98, 10],
      }),
    );
  });
});
