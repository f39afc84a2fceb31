import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import { currentRunApprovals, runApprovals } from '../../cli/github/environment-approvals.js';
import { API, client, githubEnv, interceptGithub, REPO_PATH } from './github-fixtures.js';

/** GET …/actions/runs/{id}/approvals, shaped as GitHub's REST reference documents it. */
const approval = (login: string, env: string, state = 'approved', comment = 'GO') => ({
  environments: [
    {
      id: 161088068,
      node_id: 'MDExOkVudmlyb25tZW50MTYxMDg4MDY4',
      name: env,
      url: `${API}${REPO_PATH}/environments/${env}`,
      html_url: `https://github.com/acme/order-lambda/deployments/activity_log?environments_filter=${env}`,
      created_at: '2025-06-01T10:00:00Z',
      updated_at: '2025-06-01T10:00:00Z',
    },
  ],
  state,
  comment,
  user: { login, id: 1, type: 'User' },
});

describe('environment protection approvals', () => {
  interceptGithub();

  it('reads who approved which environment for the run', async () => {
    // Prepare
    const scope = nock(API)
      .get(`${REPO_PATH}/actions/runs/30433642/approvals`)
      .reply(200, [approval('thandi-po', 'prod', 'approved', 'GO CHG-1234')]);

    // Act
    const approvals = await runApprovals(await client(), 30433642);

    // Assess
    expect(approvals).toEqual([
      { login: 'thandi-po', state: 'approved', environments: ['prod'], comment: 'GO CHG-1234' },
    ]);
    expect(scope.isDone()).toBe(true);
  });

  it('reads nothing outside GitHub Actions', async () => {
    // Act
    const approvals = await currentRunApprovals(githubEnv());

    // Assess
    expect(approvals).toBeUndefined();
  });

  it('reads the current run inside Actions', async () => {
    // Prepare
    const scope = nock(API)
      .get(`${REPO_PATH}/actions/runs/77/approvals`)
      .reply(200, [approval('lerato-lead', 'sit'), approval('sipho', 'sit', 'rejected', 'no')]);

    // Act
    const approvals = await currentRunApprovals(
      githubEnv({ GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: '77' }),
    );

    // Assess
    expect(approvals?.map((a) => `${a.login}:${a.state}`)).toEqual([
      'lerato-lead:approved',
      'sipho:rejected',
    ]);
    expect(scope.isDone()).toBe(true);
  });

  it('maps a token without actions:read to a clear error', async () => {
    // Prepare
    nock(API)
      .get(`${REPO_PATH}/actions/runs/5/approvals`)
      .reply(403, { message: 'Resource not accessible by integration' });

    // Act
    const error = await runApprovals(await client(), 5).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PromoteError);
    expect((error as PromoteError).code).toBe('GITHUB_FORBIDDEN');
    expect((error as PromoteError).message).toContain('actions:read');
  });
});
