import { describe, expect, it } from 'vitest';
import type { ChecklistApi } from '../../cli/aws/checklist-api.js';
import type { ProbeName } from '../../cli/checklists/checklist-schema.js';
import type { ProbeContext } from '../../cli/checklists/probe.js';
import { runProbe } from '../../cli/checklists/probe.js';
import { PROBES } from '../../cli/checklists/probe-registry.js';
import type { RunJournal } from '../../cli/journal/run-journal.js';
import { PLANS } from '../../cli/plans/plans.js';
import type { RunApis } from '../../cli/steps/step-context.js';
import { planAlarms } from '../../infra/alarms.js';
import { ENVIRONMENTS } from '../../infra/environments.js';

const sit = ENVIRONMENTS.sit;
const NOW = new Date('2026-01-10T11:00:00Z');
const tableArn = `arn:aws:dynamodb:${sit.region}:${sit.account}:table/${sit.tableName}`;
const topicArn = `arn:aws:sns:${sit.region}:${sit.account}:${sit.alarmTopic}`;

/** What a healthy SIT answers; each case breaks one thing. */
const healthy = (): ChecklistApi => ({
  hostedZone: async () => ({ id: 'Z1', record: 'A' }),
  certificate: async () => ({ arn: 'arn:acm', status: 'ISSUED', notAfter: '2026-12-01T00:00:00Z' }),
  backupPlan: async () => ({
    id: 'plan-1',
    rules: [{ name: 'hourly', schedule: 'cron(0 * * * ? *)', vault: sit.backupVault }],
    resources: [tableArn],
  }),
  alarms: async () =>
    planAlarms(sit).map((a) => ({ name: a.name, threshold: a.threshold, actions: [topicArn] })),
  dashboardExists: async () => true,
  roleArn: async () => sit.executionRole,
  eventBusExists: async () => true,
  ruleTargets: async () => [
    { arn: 'arn:fn:live', deadLetterArn: `arn:aws:sqs:${sit.region}:${sit.account}:${sit.dlq}` },
  ],
  functionConfig: async () => ({ role: sit.executionRole, subnets: [] }),
  replicas: async () => [],
  recentBackups: async () => [],
});

const apis = {
  infra: {
    queue: async () => ({
      url: 'q',
      arn: `arn:aws:sqs:${sit.region}:${sit.account}:${sit.dlq}`,
      visible: 0,
      inFlight: 0,
      retentionSeconds: 1209600,
    }),
  },
} as unknown as RunApis;

const journal = (over: Partial<RunJournal>): RunJournal =>
  ({
    schema: 1,
    runId: 'r1',
    env: 'dev',
    command: 'promote',
    actor: 'ci',
    sandbox: false,
    startedAt: '2026-01-09T10:00:00Z',
    status: 'succeeded',
    versions: {},
    backups: [],
    steps: [],
    ...over,
  }) as RunJournal;

const ctx = (
  checklist: Partial<ChecklistApi> = {},
  extra: Partial<ProbeContext> = {},
): ProbeContext => ({
  env: sit,
  plan: PLANS.sit,
  apis,
  checklist: { ...healthy(), ...checklist },
  apiBaseUrl: 'https://api.sit.kimmyai.io',
  now: () => NOW,
  ...extra,
});

const probe = (name: ProbeName, c: ProbeContext) => runProbe(name, PROBES, c);

describe('checklist probes (against a narrow API double)', () => {
  it.each<[string, ProbeName, Partial<ChecklistApi>, RegExp]>([
    [
      'zone without the API record',
      'hosted-zone',
      { hostedZone: async () => ({ id: 'Z1' }) },
      /no record for api\.sit/,
    ],
    [
      'no zone',
      'hosted-zone',
      { hostedZone: async () => undefined },
      /no public hosted zone kimmyai\.io/,
    ],
    [
      'certificate pending',
      'certificate',
      { certificate: async () => ({ arn: 'a', status: 'PENDING_VALIDATION' }) },
      /PENDING_VALIDATION/,
    ],
    [
      'certificate about to expire',
      'certificate',
      {
        certificate: async () => ({ arn: 'a', status: 'ISSUED', notAfter: '2026-01-15T00:00:00Z' }),
      },
      /expires in 4 day/,
    ],
    [
      'no backup plan',
      'hourly-backups',
      { backupPlan: async () => undefined },
      /no backup plan orders-sit-hourly/,
    ],
    [
      'a daily rule only',
      'hourly-backups',
      {
        backupPlan: async () => ({
          id: 'p',
          rules: [{ name: 'daily', schedule: 'cron(0 5 * * ? *)', vault: sit.backupVault }],
          resources: [tableArn],
        }),
      },
      /no hourly rule/,
    ],
    [
      'selection without the table',
      'hourly-backups',
      {
        backupPlan: async () => ({
          id: 'p',
          rules: [{ name: 'h', schedule: 'cron(0 * * * ? *)', vault: sit.backupVault }],
          resources: [],
        }),
      },
      /does not include orders-sit/,
    ],
    [
      'an alarm missing',
      'alarms',
      {
        alarms: async () =>
          planAlarms(sit)
            .slice(1)
            .map((a) => ({ name: a.name, threshold: a.threshold, actions: [topicArn] })),
      },
      /high-error-rate missing/,
    ],
    [
      'a threshold changed',
      'alarms',
      {
        alarms: async () =>
          planAlarms(sit).map((a) => ({
            name: a.name,
            threshold: a.threshold * 2,
            actions: [topicArn],
          })),
      },
      /threshold 10 ≠ 5/,
    ],
    [
      'an alarm that notifies nobody',
      'alarms',
      {
        alarms: async () =>
          planAlarms(sit).map((a) => ({ name: a.name, threshold: a.threshold, actions: [] })),
      },
      /does not notify order-alarms-sit/,
    ],
    [
      'rule without dead-letter queue',
      'dlq',
      { ruleTargets: async () => [{ arn: 'arn:fn:live' }] },
      /does not send failed deliveries/,
    ],
    [
      'function on another role',
      'execution-role',
      { functionConfig: async () => ({ role: 'arn:aws:iam::1:role/admin', subnets: [] }) },
      /runs as arn:aws:iam::1:role\/admin/,
    ],
    [
      'function in a VPC',
      'vpc',
      { functionConfig: async () => ({ subnets: ['subnet-1'] }) },
      /attached to subnets subnet-1/,
    ],
    ['no replica (sit has no failover region)', 'replica', {}, /no failover region/],
  ])('fails and says why: %s', async (_, name, broken, reason) => {
    // Act
    const result = await probe(name, ctx(broken));

    // Assess
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(reason);
  });

  it.each<ProbeName>([
    'hosted-zone',
    'certificate',
    'hourly-backups',
    'alarms',
    'dlq',
    'execution-role',
    'vpc',
    'dashboard',
    'event-bus',
  ])('passes on a healthy environment: %s', async (name) => {
    // Act
    const result = await probe(name, ctx());

    // Assess
    expect(result.ok, result.detail).toBe(true);
    expect(result.at).toBe(NOW.toISOString());
  });

  it.each([
    [200, { status: 'healthy', version: '1.4.0' }, true],
    [200, { status: 'degraded' }, false],
    [503, { status: 'unhealthy' }, false],
  ])('health asks the service health route: %s %j → ok %s', async (status, body, ok) => {
    // Prepare
    const asked: string[] = [];
    const fetchDouble = (async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify(body), { status });
    }) as unknown as typeof fetch;

    // Act
    const result = await probe('health', ctx({}, { fetch: fetchDouble }));

    // Assess
    expect(asked).toEqual(['https://api.sit.kimmyai.io/v1.0/orders/health']);
    expect(result.ok).toBe(ok);
    expect(result.detail).toContain(`→ ${status}`);
  });

  it('turns an API error into a failed item naming it, never a crash', async () => {
    // Act
    const result = await probe(
      'dashboard',
      ctx({
        dashboardExists: async () => {
          throw Object.assign(new Error('not allowed'), { name: 'AccessDenied' });
        },
      }),
    );

    // Assess
    expect(result).toMatchObject({ ok: false, detail: 'AccessDenied: not allowed' });
  });

  it.each([
    ['the last DEV promotion succeeded', [journal({ status: 'succeeded' })], true],
    [
      'the last DEV promotion rolled back',
      [journal({ status: 'rolled_back' }), journal({ runId: 'r0' })],
      false,
    ],
    ['DEV never promoted', [], false],
    ['only a rollback ran', [journal({ command: 'rollback' })], false],
  ])('dev-green: %s', async (_, runs, ok) => {
    // Act
    const result = await probe('dev-green', ctx({}, { devRuns: async () => runs }));

    // Assess
    expect(result.ok).toBe(ok);
  });

  it('smoke-passed reads the smoke of the run that shipped the live package', async () => {
    // Prepare
    const smoke = (ok: boolean) => ({
      kind: 'smoke',
      state: 'succeeded',
      evidence: {
        smoke: {
          ok,
          passed: ok ? 11 : 10,
          failed: ok ? 0 : 1,
          skipped: 0,
          tests: new Array(11).fill({}),
        },
      },
    });
    const runs = [
      journal({
        runId: 'other',
        env: 'sit',
        artifact: { codeSha256: 'OTHER=' },
        steps: [smoke(true)] as never,
      }),
      journal({
        runId: 'live',
        env: 'sit',
        artifact: { codeSha256: 'LIVE=' },
        steps: [smoke(false)] as never,
      }),
    ];

    // Act
    const result = await probe(
      'smoke-passed',
      ctx({}, { runs: async () => runs, codeSha256: 'LIVE=' }),
    );

    // Assess
    expect(result).toMatchObject({ ok: false, detail: '10/11 in live' });
  });
});

describe('PROD replica probe', () => {
  const prod = ENVIRONMENTS.prod;
  const prodCtx = (lags: number[], status = 'ACTIVE'): ProbeContext =>
    ctx(
      { replicas: async () => [{ region: prod.failoverRegion ?? '', status }] },
      {
        env: prod,
        plan: PLANS.prod,
        apis: {
          ...apis,
          cloudwatch: { getMetrics: async () => ({ lag: lags }) },
        } as unknown as RunApis,
      },
    );

  it.each<[string, number[], string, boolean, RegExp]>([
    [
      'keeping up',
      [180, 950],
      'ACTIVE',
      true,
      /ACTIVE, replication latency ≤ 950 ms \(max 60000 ms\)/,
    ],
    [
      'lagging past the spec',
      [400, 61_000],
      'ACTIVE',
      false,
      /replication lags 61000 ms \(max 60000 ms\)/,
    ],
    [
      'idle: nothing replicated to measure',
      [],
      'ACTIVE',
      true,
      /no replication in the last 15 min/,
    ],
    ['still being created', [], 'CREATING', false, /replica is CREATING/],
  ])('%s', async (_name, lags, status, ok, detail) => {
    // Act
    const result = await probe('replica', prodCtx(lags, status));

    // Assess
    expect(result.ok).toBe(ok);
    expect(result.detail).toMatch(detail);
  });
});
