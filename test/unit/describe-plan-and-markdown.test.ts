import { describe, expect, it } from 'vitest';
import { newJournal, type RunJournal } from '../../cli/journal/run-journal.js';
import { describePlan } from '../../cli/plans/describe-plan.js';
import { PLANS } from '../../cli/plans/plans.js';
import { renderRunMarkdown } from '../../cli/reports/markdown.js';
import type { SmokeReport, SmokeTestResult } from '../../cli/smoke/run-smoke.js';

describe('describePlan', () => {
  it('prod: the canary steps, triggers and the $LATEST caveat; sit: no canary section', () => {
    // Act
    const prod = describePlan(PLANS.prod);
    const sit = describePlan(PLANS.sit);

    // Assess
    expect(prod).toContain('10% for 15 min → 50% for 30 min → 100%');
    expect(prod).toContain('"$LATEST"=0.1} is rejected by AWS');
    expect(prod).toContain('error rate > 5%');
    expect(prod).toContain('DLQ > 10');
    expect(sit).not.toContain('Canary');
  });

  it('names every prod alarm, the backup prefix and the SLA numbers', () => {
    // Prepare
    const plan = PLANS.prod;

    // Act
    const text = describePlan(plan);

    // Assess
    expect(plan.alarms).toHaveLength(8);
    for (const alarm of plan.alarms) {
      expect(text).toContain(alarm.name);
      expect(text).toContain(alarm.planName);
    }
    expect(text).toContain('orders-prod-pre-deployment-YYYYMMDD-HHMMSS');
    expect(text).toContain('PITR required');
    expect(text).toContain(`p95 create < ${plan.sla.createP95Ms} ms`);
    expect(text).toContain(`status < ${plan.sla.statusP95Ms} ms`);
    expect(text).toContain(`read < ${plan.sla.readP95Ms} ms`);
    expect(text).toMatch(/2000 ms.*1000 ms.*500 ms/);
    expect(text).toContain('sit health endpoint answers healthy');
    expect(text).toContain('blocking');
    expect(text).toContain('failover eu-west-1');
    expect(text).toContain(`${plan.alarms.find((a) => a.critical)?.name}`);
  });

  it('lists prod steps in the plan order', () => {
    // Prepare
    const plan = PLANS.prod;

    // Act
    const text = describePlan(plan);

    // Assess
    const order = plan.steps.map((s, i) => text.indexOf(`  ${i + 1}. ${s.kind}`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('lists the terraform steps and the guard for sit and prod', () => {
    for (const plan of [PLANS.sit, PLANS.prod]) {
      // Act
      const text = describePlan(plan);

      // Assess
      expect(text).toMatch(/\d+\. terraform-workspace\n.*\d+\. terraform-plan/s);
      expect(text).toContain('terraform-apply');
      expect(text).toContain('--allow-destroy <address>');
      expect(text).toContain('--approve-plan <sha256>');
      expect(text).toContain('preflight (identity)');
      expect(text).toContain('preflight (infrastructure)');
    }
  });

  it('has no backup line for sit, and git is only a warning there', () => {
    // Prepare
    const plan = PLANS.sit;

    // Act
    const text = describePlan(plan);

    // Assess
    expect(text).not.toContain('pre-deployment');
    expect(text).toContain('— warning');
    expect(text).not.toContain('health endpoint');
  });
});

const smokeTest = (
  number: number,
  title: string,
  extra: Partial<SmokeTestResult> = {},
): SmokeTestResult =>
  ({
    id: 'health',
    number,
    title,
    ok: true,
    status: 200,
    durationMs: 12,
    selection: 'requested',
    critical: false,
    ...extra,
  }) as SmokeTestResult;

const rolledBackJournal = (): RunJournal => {
  const journal = newJournal({
    env: 'prod',
    command: 'promote',
    actor: 'alice',
    sandbox: false,
    runId: '20260221T100000Z-beef',
    steps: [
      { kind: 'deploy', title: 'Deploy order-handler-prod' },
      { kind: 'shift-all', title: 'Shift alias live | 100%' },
      { kind: 'smoke', title: 'Smoke tests' },
    ],
  });
  const tests = [
    smokeTest(1, 'Health Check'),
    smokeTest(2, 'List orders'),
    smokeTest(3, 'Create order', {
      ok: false,
      status: 500,
      reason: 'create: expected HTTP 201, got 500 (INTERNAL)',
    }),
    smokeTest(4, 'Get order', { ok: false, skipped: 'dependency_failed', reason: 'not run' }),
  ];
  const report: SmokeReport = {
    ok: false,
    passed: 2,
    failed: 1,
    skipped: 1,
    tests,
    createdOrders: [],
    deletedOrders: [],
    leftBehind: [],
    baseUrl: 'https://api.kimmyai.io',
    readOnly: false,
    durationMs: 300,
  };
  const [deploy, shift, smoke] = journal.steps;
  Object.assign(deploy!, {
    state: 'succeeded',
    durationMs: 4200,
    evidence: { published: { version: '42' } },
  });
  Object.assign(shift!, {
    state: 'succeeded',
    durationMs: 800,
    evidence: { alias: { from: '41', to: '42' } },
  });
  Object.assign(smoke!, {
    state: 'failed',
    durationMs: 300,
    evidence: { smoke: report },
    error: { code: 'SMOKE_FAILED', message: '1 smoke test(s) failed' },
  });
  journal.status = 'rolled_back';
  journal.finishedAt = '2026-02-21T10:05:00.000Z';
  journal.versions = { before: '41', candidate: '42', after: '41' };
  journal.artifact = { codeSha256: 'abc=', release: 'v1.0.0-prod', bytes: 1000 };
  journal.backups.push({
    arn: 'arn:aws:dynamodb:af-south-1:093646564004:table/orders-prod/backup/01',
    name: 'orders-prod-pre-deployment-20260221-100000',
    status: 'AVAILABLE',
  });
  journal.rollback = {
    to: '41',
    reason: 'SMOKE_FAILED: 1 smoke test(s) failed',
    verified: true,
    at: '2026-02-21T10:04:59.000Z',
  };
  journal.error = { code: 'SMOKE_FAILED', message: '1 smoke test(s) failed', exitCode: 9 };
  return journal;
};

describe('renderRunMarkdown', () => {
  it('shows the versions, the rollback and one row per smoke test', () => {
    // Prepare
    const journal = rolledBackJournal();

    // Act
    const md = renderRunMarkdown(journal);

    // Assess
    expect(md).toContain('## promote prod — rolled back');
    expect(md).toContain('alias live: version 41 → 41 (candidate 42)');
    expect(md).toContain('**rollback** to version 41: verified — SMOKE_FAILED');
    expect(md).toContain('orders-prod-pre-deployment-20260221-100000');
    expect(md).toContain('published version 42');
    expect(md).toContain('alias 41 → 42');
    expect(md).toContain('Shift alias live \\| 100%');
    expect(md).toContain('### Smoke tests: 2 passed, 1 failed, 1 skipped');
    const smokeRows = md.split('\n').filter((l) => /^\| \d+ \| (Health|List|Create|Get) /.test(l));
    expect(smokeRows).toHaveLength(4);
    expect(md).toContain(
      '| 3 | Create order | ❌ create: expected HTTP 201, got 500 (INTERNAL) | 500 |',
    );
    expect(md).toContain('| 4 | Get order | ⏭️ skipped |');
    expect(md).not.toContain('Bearer');
  });

  it('puts a gate override first, as a caution block with its reason and what was missing', () => {
    // Prepare
    const journal = rolledBackJournal();
    journal.inputs = {
      artifact: {
        path: '/tmp/a.zip',
        bytes: 1,
        sha256: 'ab',
        codeSha256: 'abc=',
        source: 'given',
        release: 'v1',
      },
      overrideGates: [{ gate: 'sit-signoff', reason: 'INC-77 hotfix' }],
    };
    const preflight = journal.steps[0];
    Object.assign(preflight!, {
      evidence: {
        gateOverride: {
          gate: 'sit-signoff',
          reason: 'INC-77 hotfix',
          missing: 'SIT never signed off package abc=',
        },
      },
    });

    // Act
    const md = renderRunMarkdown(journal);

    // Assess
    const caution = md.indexOf('> [!CAUTION]');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(md.indexOf('- artifact:'));
    expect(md).toContain('**GATE OVERRIDDEN: sit-signoff**');
    expect(md).toContain('Reason: INC-77 hotfix.');
    expect(md).toContain('Missing: SIT never signed off package abc=.');
  });

  it('names the sign-off a run shipped under', () => {
    // Prepare
    const journal = rolledBackJournal();
    const preflight = journal.steps[0];
    Object.assign(preflight!, {
      evidence: {
        gate: {
          title: 'SIT sign-off (Gate 4)',
          at: '2026-02-20T09:00:00Z',
          actor: 'lerato',
          approverRole: 'Tech Lead',
        },
      },
    });

    // Act
    const md = renderRunMarkdown(journal);

    // Assess
    expect(md).toContain(
      '- gate: SIT sign-off (Gate 4) signed 2026-02-20T09:00:00Z by lerato (Tech Lead)',
    );
    expect(md).not.toContain('[!CAUTION]');
  });

  it('says FAILED with the error when the rollback was not verified', () => {
    // Prepare
    const journal = rolledBackJournal();
    journal.status = 'rollback_failed';
    journal.rollback = { ...journal.rollback!, verified: false, error: 'AccessDenied' };

    // Act
    const md = renderRunMarkdown(journal);

    // Assess
    expect(md).toContain('## promote prod — rollback failed');
    expect(md).toContain('**rollback** to version 41: FAILED (AccessDenied)');
  });
});
