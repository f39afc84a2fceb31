import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { startDeployment, startDeploymentFromEnv } from '../../cli/github/deployments.js';
import { API, client, interceptGithub, OWNER, REPO, REPO_PATH } from './github-fixtures.js';

const SHA = 'acb5820ced9479c074f688cc328bf03f341a511d';
const API_URL = 'https://api.sit.kimmyai.io';
const ACTIONS = {
  GITHUB_ACTIONS: 'true',
  GITHUB_SHA: SHA,
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
  GITHUB_RUN_ID: '30433642',
};
const LOG_URL = `https://github.com/${OWNER}/${REPO}/actions/runs/30433642`;

/** A deployment object (POST /repos/{o}/{r}/deployments → 201). */
const deployment = {
  url: `${API}${REPO_PATH}/deployments/42`,
  id: 42,
  node_id: 'MDEwOkRlcGxveW1lbnQx',
  sha: SHA,
  ref: SHA,
  task: 'deploy',
  payload: {},
  original_environment: 'sit',
  environment: 'sit',
  description: 'promote sit v1.2.0-sit',
  creator: { login: 'github-actions[bot]', id: 41898282 },
  created_at: '2025-06-02T10:00:00Z',
  updated_at: '2025-06-02T10:00:00Z',
  statuses_url: `${API}${REPO_PATH}/deployments/42/statuses`,
  repository_url: `${API}${REPO_PATH}`,
  transient_environment: false,
  production_environment: false,
};

/** A deployment status object (POST …/deployments/{id}/statuses → 201). */
const deploymentStatus = (state: string) => ({
  url: `${API}${REPO_PATH}/deployments/42/statuses/1`,
  id: 1,
  state,
  description: '',
  environment: 'sit',
  target_url: LOG_URL,
  log_url: LOG_URL,
  environment_url: API_URL,
  created_at: '2025-06-02T10:00:01Z',
  deployment_url: `${API}${REPO_PATH}/deployments/42`,
});

describe('GitHub deployments (nock)', () => {
  interceptGithub();

  it('records a deployment of GITHUB_SHA and its statuses in_progress → success', async () => {
    // Prepare
    const bodies: Record<string, unknown>[] = [];
    const record = (body: Record<string, unknown>) => {
      bodies.push(body);
      return true;
    };
    const scope = nock(API)
      .post(`${REPO_PATH}/deployments`, record)
      .reply(201, deployment)
      .post(`${REPO_PATH}/deployments/42/statuses`, record)
      .times(2)
      .reply(201, (_uri, body) => deploymentStatus((body as { state: string }).state));

    // Act
    const handle = await startDeployment(await client(), {
      env: 'sit',
      environmentUrl: API_URL,
      processEnv: ACTIONS,
      description: 'promote sit v1.2.0-sit',
    });
    const warning = await handle.succeed();

    // Assess
    expect(handle.id).toBe(42);
    expect([handle.warning, warning]).toEqual([undefined, undefined]);
    expect(bodies[0]).toEqual({
      ref: SHA,
      environment: 'sit',
      auto_merge: false,
      required_contexts: [],
      description: 'promote sit v1.2.0-sit',
      production_environment: false,
    });
    expect(bodies.slice(1).map((b) => b.state)).toEqual(['in_progress', 'success']);
    expect(bodies[1]).toMatchObject({ log_url: LOG_URL, environment_url: API_URL });
    expect(scope.isDone()).toBe(true);
  });

  it('marks a failed and a rolled-back deployment failure and inactive', async () => {
    // Prepare
    const states: string[] = [];
    const scope = nock(API)
      .post(`${REPO_PATH}/deployments`)
      .reply(201, deployment)
      .post(`${REPO_PATH}/deployments/42/statuses`, (body) => {
        states.push(`${body.state}${body.description ? `: ${body.description}` : ''}`);
        return true;
      })
      .times(3)
      .reply(201, deploymentStatus('any'));

    // Act
    const handle = await startDeployment(await client(), {
      env: 'sit',
      environmentUrl: API_URL,
      processEnv: ACTIONS,
    });
    await handle.fail('smoke test 4 failed');
    await handle.deactivate();

    // Assess
    expect(states).toEqual([
      'in_progress',
      'failure: smoke test 4 failed',
      'inactive: rolled back',
    ]);
    expect(scope.isDone()).toBe(true);
  });

  it('a failing deployments API only warns; the promotion goes on', async () => {
    // Prepare
    const scope = nock(API)
      .post(`${REPO_PATH}/deployments`)
      .reply(403, { message: 'Resource not accessible by integration', status: '403' });

    // Act
    const handle = await startDeployment(await client(), {
      env: 'sit',
      environmentUrl: API_URL,
      processEnv: ACTIONS,
    });
    const later = await handle.succeed();

    // Assess
    expect(handle.warning).toMatch(/^GitHub deployment not recorded: .*deployments:write/);
    expect(later).toBeUndefined();
    expect(scope.isDone()).toBe(true);
  });

  it('a failing status call returns a warning instead of throwing', async () => {
    // Prepare
    const scope = nock(API)
      .post(`${REPO_PATH}/deployments`)
      .reply(201, deployment)
      .post(`${REPO_PATH}/deployments/42/statuses`)
      .reply(201, deploymentStatus('in_progress'))
      .post(`${REPO_PATH}/deployments/42/statuses`)
      .reply(500, { message: 'Server Error' });
    const handle = await startDeployment(await client(), {
      env: 'sit',
      environmentUrl: API_URL,
      processEnv: ACTIONS,
    });

    // Act
    const warning = await handle.succeed();

    // Assess
    expect(warning).toContain('GitHub deployment not recorded');
    expect(scope.isDone()).toBe(true);
  });

  it('records nothing outside GitHub Actions, and warns when there is no token', async () => {
    // Act
    const local = await startDeploymentFromEnv({
      env: 'sit',
      environmentUrl: API_URL,
      processEnv: { GITHUB_TOKEN: 'x', GITHUB_REPOSITORY: `${OWNER}/${REPO}` },
    });
    const noToken = await startDeploymentFromEnv({
      env: 'sit',
      environmentUrl: API_URL,
      processEnv: ACTIONS,
    });

    // Assess
    expect(local.warning).toBeUndefined();
    expect(await local.succeed()).toBeUndefined();
    expect(noToken.warning).toContain('GITHUB_TOKEN');
  });
});
