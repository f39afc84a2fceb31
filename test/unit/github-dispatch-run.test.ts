import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { runViaGithub } from '../../cli/commands/via-github-run.js';
import {
  createdSince,
  dispatchRun,
  matchRun,
  newCorrelationId,
  workflowInputs,
} from '../../cli/github/dispatch-run.js';
import { followRun, type RunEvent, runOutcome } from '../../cli/github/watch-run.js';
import {
  API,
  caught,
  ciIo,
  client,
  fakeClock,
  githubEnv,
  interceptGithub,
  job,
  jobsPage,
  REPO_PATH,
  step,
  workflowRun,
} from './github-fixtures.js';

const RUN_ID = 30433642;
const RUN_URL = `https://github.com/acme/order-lambda/actions/runs/${RUN_ID}`;
const CORRELATION = 'promote-0a1b2c3d';

describe('dispatch helpers (pure)', () => {
  it('makes promote-<8 hex> correlation ids', () => {
    expect(newCorrelationId()).toMatch(/^promote-[0-9a-f]{8}$/);
    expect(newCorrelationId(() => Buffer.from([0, 0x1b, 0x2c, 0xff]))).toBe('promote-001b2cff');
  });

  it('passes the release as the ref input to sit/prod only, and always the correlation id', () => {
    expect(workflowInputs('sit', 'v1.2.0-sit', {}, CORRELATION)).toEqual({
      ref: 'v1.2.0-sit',
      correlation_id: CORRELATION,
    });
    expect(workflowInputs('prod', 'v1.2.0-prod', { change_request: 'CR-7' }, CORRELATION)).toEqual({
      ref: 'v1.2.0-prod',
      change_request: 'CR-7',
      correlation_id: CORRELATION,
    });
    expect(workflowInputs('dev', 'main', {}, CORRELATION)).toEqual({ correlation_id: CORRELATION });
  });

  it('matches a run by the correlation id in its title, not by being the newest', () => {
    // Prepare
    const runs = [
      { id: 2, display_title: 'promote-sit v1.3.0-sit promote-ffffffff' },
      { id: 1, display_title: `promote-sit v1.2.0-sit ${CORRELATION}` },
    ];

    // Act / Assess
    expect(matchRun(runs, CORRELATION)?.id).toBe(1);
    expect(matchRun(runs, 'promote-00000000')).toBeUndefined();
  });

  it("searches from a minute before the dispatch by GitHub's clock when it sent one", () => {
    expect(createdSince('Mon, 02 Jun 2025 10:00:00 GMT', 0)).toBe('>=2025-06-02T09:59:00Z');
    expect(createdSince(undefined, Date.parse('2025-06-02T10:00:30.123Z'))).toBe(
      '>=2025-06-02T09:59:30Z',
    );
  });
});

describe('conclusion → outcome (pure)', () => {
  const run = { id: RUN_ID, name: 'promote-sit', html_url: RUN_URL };

  it('success is no error (exit 0)', () => {
    expect(runOutcome({ ...run, conclusion: 'success' }, [])).toBeUndefined();
  });

  it('cancelled → GITHUB_RUN_CANCELLED (interrupted, 130)', () => {
    const error = runOutcome({ ...run, conclusion: 'cancelled' }, []);
    expect([error?.code, error?.exitCode]).toEqual(['GITHUB_RUN_CANCELLED', 130]);
    expect(error?.message).toContain(RUN_URL);
  });

  it('timed_out → GITHUB_RUN_TIMED_OUT (deploy_failed, 10) naming the job', () => {
    // Prepare
    const jobs = [job(2, 'promote', 'completed', 'timed_out', [])];

    // Act
    const error = runOutcome({ ...run, conclusion: 'timed_out' }, jobs);

    // Assess
    expect([error?.code, error?.exitCode]).toEqual(['GITHUB_RUN_TIMED_OUT', 10]);
    expect(error?.message).toContain('"promote"');
  });

  it('startup_failure is a failed run too', () => {
    expect(runOutcome({ ...run, conclusion: 'startup_failure' }, [])?.code).toBe(
      'GITHUB_RUN_FAILED',
    );
  });
});

describe('dispatch, find and follow a run (nock)', () => {
  interceptGithub();

  const DISPATCH = `${REPO_PATH}/actions/workflows/promote-sit.yml/dispatches`;

  it('takes the run from the dispatch answer when GitHub returns run details', async () => {
    // Prepare
    const scope = nock(API)
      .post(
        DISPATCH,
        (body) =>
          body.ref === 'v1.2.0-sit' &&
          body.return_run_details === true &&
          body.inputs.ref === 'v1.2.0-sit' &&
          body.inputs.correlation_id === CORRELATION,
      )
      .reply(200, {
        workflow_run_id: RUN_ID,
        run_url: `${API}${REPO_PATH}/actions/runs/${RUN_ID}`,
        html_url: RUN_URL,
      });
    const { clock } = fakeClock();

    // Act
    const run = await dispatchRun(await client(), {
      env: 'sit',
      ref: 'v1.2.0-sit',
      correlationId: CORRELATION,
      clock,
    });

    // Assess
    expect(run).toEqual({
      runId: RUN_ID,
      htmlUrl: RUN_URL,
      workflow: 'promote-sit.yml',
      correlationId: CORRELATION,
      foundBy: 'run-details',
    });
    expect(scope.isDone()).toBe(true);
  });

  it('after a 204 finds its own run by correlation id, ignoring a concurrent dispatch', async () => {
    // Prepare
    const other = workflowRun({
      id: 30433700,
      display_title: 'promote-sit v1.1.9-sit promote-ffffffff',
      html_url: 'https://github.com/acme/order-lambda/actions/runs/30433700',
    });
    const mine = workflowRun({
      id: RUN_ID,
      display_title: `promote-sit v1.2.0-sit ${CORRELATION}`,
    });
    const query = {
      event: 'workflow_dispatch',
      created: '>=2025-06-02T09:59:00Z',
      per_page: '50',
    };
    const scope = nock(API)
      .post(DISPATCH)
      .reply(204, '', { date: 'Mon, 02 Jun 2025 10:00:00 GMT' })
      .get(`${REPO_PATH}/actions/workflows/promote-sit.yml/runs`)
      .query(query)
      .reply(200, { total_count: 1, workflow_runs: [other] })
      .get(`${REPO_PATH}/actions/workflows/promote-sit.yml/runs`)
      .query(query)
      .reply(200, { total_count: 2, workflow_runs: [other, mine] });
    const { clock, naps } = fakeClock();

    // Act
    const run = await dispatchRun(await client(), {
      env: 'sit',
      ref: 'v1.2.0-sit',
      correlationId: CORRELATION,
      pollMs: 5_000,
      clock,
    });

    // Assess
    expect(run.runId).toBe(RUN_ID);
    expect(run.foundBy).toBe('correlation-id');
    expect(naps).toEqual([5_000]);
    expect(scope.isDone()).toBe(true);
  });

  it('gives up finding the run after the find timeout with GITHUB_RUN_NOT_FOUND', async () => {
    // Prepare
    const scope = nock(API)
      .post(DISPATCH)
      .reply(204)
      .get(`${REPO_PATH}/actions/workflows/promote-sit.yml/runs`)
      .query(true)
      .times(3)
      .reply(200, { total_count: 0, workflow_runs: [] });
    const { clock } = fakeClock();

    // Act
    const error = await caught(
      dispatchRun(await client(), {
        env: 'sit',
        ref: 'v1.2.0-sit',
        correlationId: CORRELATION,
        findTimeoutMs: 10_000,
        pollMs: 5_000,
        clock,
      }),
    );

    // Assess
    expect(error.code).toBe('GITHUB_RUN_NOT_FOUND');
    expect(error.message).toContain(CORRELATION);
    expect(scope.isDone()).toBe(true);
  });

  it('follows jobs and steps to success, reporting each change once', async () => {
    // Prepare
    const runPath = `${REPO_PATH}/actions/runs/${RUN_ID}`;
    const scope = nock(API)
      .get(runPath)
      .reply(200, workflowRun({ status: 'in_progress' }))
      .get(`${runPath}/jobs`)
      .query({ filter: 'latest', per_page: '100' })
      .reply(
        200,
        jobsPage([
          job(1, 'plan', 'in_progress', null, [
            step(1, 'Set up job', 'completed', 'success'),
            step(2, 'promote sit --plan-only', 'in_progress', null),
          ]),
        ]),
      )
      .get(runPath)
      .reply(200, workflowRun({ status: 'completed', conclusion: 'success' }))
      .get(`${runPath}/jobs`)
      .query(true)
      .reply(
        200,
        jobsPage([
          job(1, 'plan', 'completed', 'success', [
            step(1, 'Set up job', 'completed', 'success'),
            step(2, 'promote sit --plan-only', 'completed', 'success'),
          ]),
          job(2, 'promote', 'completed', 'success', [
            step(1, 'Set up job', 'completed', 'success'),
          ]),
        ]),
      );
    const events: RunEvent[] = [];
    const { clock } = fakeClock();

    // Act
    const result = await followRun(await client(), {
      runId: RUN_ID,
      onEvent: (e) => events.push(e),
      pollMs: 10_000,
      clock,
    });

    // Assess
    expect(result.run.conclusion).toBe('success');
    expect(
      events.map((e) =>
        'step' in e ? `${e.kind} ${e.step}` : `${e.kind} ${'job' in e ? e.job : e.status}`,
      ),
    ).toEqual([
      'run-status in_progress',
      'job-started plan',
      'step-completed Set up job',
      'step-started promote sit --plan-only',
      'step-completed promote sit --plan-only',
      'job-completed plan',
      'step-completed Set up job',
      'job-completed promote',
    ]);
    expect(scope.isDone()).toBe(true);
  });

  it('a failed run → GITHUB_RUN_FAILED naming the failed job, step and the run URL', async () => {
    // Prepare
    const runPath = `${REPO_PATH}/actions/runs/${RUN_ID}`;
    const scope = nock(API)
      .get(runPath)
      .reply(200, workflowRun({ status: 'completed', conclusion: 'failure' }))
      .get(`${runPath}/jobs`)
      .query(true)
      .reply(
        200,
        jobsPage([
          job(1, 'plan', 'completed', 'success', [step(1, 'Set up job', 'completed', 'success')]),
          job(2, 'promote', 'completed', 'failure', [
            step(1, 'Set up job', 'completed', 'success'),
            step(
              2,
              'promote sit (apply the approved plan, deploy, verify, smoke)',
              'completed',
              'failure',
            ),
            step(3, 'upload-artifact', 'completed', 'success'),
          ]),
        ]),
      );
    const { clock } = fakeClock();

    // Act
    const error = await caught(followRun(await client(), { runId: RUN_ID, clock }));

    // Assess
    expect(error.code).toBe('GITHUB_RUN_FAILED');
    expect(error.exitCode).toBe(10);
    expect(error.message).toContain('job "promote"');
    expect(error.message).toContain('step "promote sit (apply the approved plan');
    expect(error.message).toContain(RUN_URL);
    expect(error.hint).toContain('/job/2');
    expect(scope.isDone()).toBe(true);
  });

  it('stops following after the follow timeout with GITHUB_WAIT_TIMEOUT', async () => {
    // Prepare
    const runPath = `${REPO_PATH}/actions/runs/${RUN_ID}`;
    const scope = nock(API)
      .get(runPath)
      .times(3)
      .reply(200, workflowRun({ status: 'waiting' }))
      .get(`${runPath}/jobs`)
      .query(true)
      .times(3)
      .reply(200, jobsPage([]));
    const events: RunEvent[] = [];
    const { clock } = fakeClock();

    // Act
    const error = await caught(
      followRun(await client(), {
        runId: RUN_ID,
        timeoutMs: 20_000,
        pollMs: 10_000,
        clock,
        onEvent: (e) => events.push(e),
      }),
    );

    // Assess
    expect(error.code).toBe('GITHUB_WAIT_TIMEOUT');
    expect(error.message).toContain(RUN_URL);
    expect(events).toEqual([{ kind: 'run-status', status: 'waiting', url: RUN_URL }]);
    expect(scope.isDone()).toBe(true);
  });
});

describe('runViaGithub (nock)', () => {
  interceptGithub();

  it('dispatches, follows and prints plain lines to success', async () => {
    // Prepare
    const runPath = `${REPO_PATH}/actions/runs/${RUN_ID}`;
    const scope = nock(API)
      .post(`${REPO_PATH}/actions/workflows/promote-prod.yml/dispatches`, (body) => {
        return body.inputs.change_request === 'CR-7' && body.inputs.ref === 'v1.2.0-prod';
      })
      .reply(200, { workflow_run_id: RUN_ID, run_url: '', html_url: RUN_URL })
      .get(runPath)
      .reply(200, workflowRun({ name: 'promote-prod', status: 'completed', conclusion: 'success' }))
      .get(`${runPath}/jobs`)
      .query(true)
      .reply(
        200,
        jobsPage([
          job(1, 'promote', 'completed', 'success', [step(1, 'canary', 'completed', 'success')]),
        ]),
      );
    const { io, stdout } = ciIo();

    // Act
    const result = await runViaGithub(
      'prod',
      { ref: 'v1.2.0-prod', inputs: { change_request: 'CR-7' } },
      io,
      { env: githubEnv(), clock: fakeClock().clock },
    );

    // Assess
    expect(result).toMatchObject({ runId: RUN_ID, url: RUN_URL, workflow: 'promote-prod.yml' });
    const lines = stdout();
    expect(lines).toContain('dispatched promote-prod.yml on acme/order-lambda at v1.2.0-prod');
    expect(lines).toContain(`run ${RUN_ID}: ${RUN_URL}`);
    expect(lines).toContain('✔ promote › canary');
    expect(lines).toContain('✔ promote (success)');
    expect(lines).toContain(`prod promoted by promote-prod.yml: ${RUN_URL}`);
    expect(scope.isDone()).toBe(true);
  });

  it('refuses prod without a change_request input before calling GitHub', async () => {
    // Prepare
    const { io } = ciIo();

    // Act
    const error = await caught(
      runViaGithub('prod', { ref: 'v1.2.0-prod' }, io, { env: githubEnv() }),
    );

    // Assess
    expect([error.code, error.exitCode]).toEqual(['GITHUB_INPUT_MISSING', 2]);
    expect(error.message).toContain('change_request');
  });
});
