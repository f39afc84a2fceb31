import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  createGithubClient,
  parseRemoteUrl,
  parseRepo,
  resolveRepo,
  serverUrlOf,
} from '../../cli/github/github-client.js';
import { callGithub, githubError } from '../../cli/github/github-errors.js';
import {
  API,
  caught,
  client,
  interceptGithub,
  OWNER,
  REPO,
  REPO_PATH,
  TOKEN,
  workflowRun,
} from './github-fixtures.js';

const readRun = { action: 'read run 1', scope: 'actions:read' } as const;

describe('which repository and host', () => {
  it('parses owner/name and refuses anything else', () => {
    expect(parseRepo('acme/order-lambda')).toEqual({ owner: 'acme', repo: 'order-lambda' });
    expect(parseRepo('acme')).toBeUndefined();
    expect(parseRepo('acme/order/extra')).toBeUndefined();
    expect(parseRepo('ac me/x')).toBeUndefined();
  });

  it.each([
    'git@github.com:acme/order-lambda.git',
    'ssh://git@github.com/acme/order-lambda.git',
    'ssh://git@github.com:22/acme/order-lambda',
    'https://github.com/acme/order-lambda.git',
    'https://x-access-token@github.com/acme/order-lambda/',
  ])('reads %s as acme/order-lambda', (url) => {
    expect(parseRemoteUrl(url)).toEqual({ owner: 'acme', repo: 'order-lambda' });
  });

  it('ignores remotes on other hosts unless they are the configured GitHub Enterprise', () => {
    expect(parseRemoteUrl('git@gitlab.com:acme/order-lambda.git')).toBeUndefined();
    expect(parseRemoteUrl('https://ghe.acme.io/acme/x', ['github.com', 'ghe.acme.io'])).toEqual({
      owner: 'acme',
      repo: 'x',
    });
  });

  it('prefers --repo, then GITHUB_REPOSITORY, then the origin remote', async () => {
    // Prepare
    const originUrl = async () => 'git@github.com:from/origin.git';

    // Act
    const flag = await resolveRepo({
      env: { GITHUB_REPOSITORY: 'from/env' },
      repo: 'a/b',
      originUrl,
    });
    const env = await resolveRepo({ env: { GITHUB_REPOSITORY: 'from/env' }, originUrl });
    const origin = await resolveRepo({ env: {}, originUrl });

    // Assess
    expect(flag).toEqual({ owner: 'a', repo: 'b' });
    expect(env).toEqual({ owner: 'from', repo: 'env' });
    expect(origin).toEqual({ owner: 'from', repo: 'origin' });
  });

  it('refuses a malformed --repo and an unknown origin with GITHUB_BAD_REPO (usage)', async () => {
    // Act
    const bad = await caught(resolveRepo({ env: {}, repo: 'nope' }));
    const none = await caught(
      resolveRepo({ env: {}, originUrl: async () => 'https://gitlab.com/a/b' }),
    );

    // Assess
    expect([bad.code, bad.exitCode]).toEqual(['GITHUB_BAD_REPO', 2]);
    expect(none.code).toBe('GITHUB_BAD_REPO');
    expect(none.hint).toContain('--repo');
  });

  it('derives the web root from GITHUB_API_URL for GitHub Enterprise', () => {
    expect(serverUrlOf({})).toBe('https://github.com');
    expect(serverUrlOf({ GITHUB_API_URL: 'https://ghe.acme.io/api/v3' })).toBe(
      'https://ghe.acme.io',
    );
    expect(serverUrlOf({ GITHUB_SERVER_URL: 'https://ghe.acme.io/' })).toBe('https://ghe.acme.io');
  });

  it('without GITHUB_TOKEN or GH_TOKEN fails with GITHUB_NO_TOKEN (usage)', async () => {
    // Act
    const error = await caught(
      createGithubClient({ env: { GITHUB_TOKEN: ' ', GITHUB_REPOSITORY: 'a/b' } }),
    );

    // Assess
    expect(error.code).toBe('GITHUB_NO_TOKEN');
    expect(error.exitCode).toBe(2);
    expect(error.hint).toContain('GH_TOKEN');
  });
});

describe('GitHub API errors (nock)', () => {
  interceptGithub();

  const getRun = async (extra: Record<string, string> = {}) => {
    const github = await client(extra);
    return callGithub(readRun, () =>
      github.octokit.rest.actions.getWorkflowRun({ owner: OWNER, repo: REPO, run_id: 1 }),
    );
  };

  it('sends the token from GH_TOKEN as a bearer and reads the body', async () => {
    // Prepare
    const scope = nock(API, { reqheaders: { authorization: `token ${TOKEN}` } })
      .get(`${REPO_PATH}/actions/runs/1`)
      .reply(200, workflowRun({ id: 1 }));
    const github = await createGithubClient({
      env: { GH_TOKEN: TOKEN, GITHUB_REPOSITORY: `${OWNER}/${REPO}` },
    });

    // Act
    const { data } = await github.octokit.rest.actions.getWorkflowRun({
      owner: OWNER,
      repo: REPO,
      run_id: 1,
    });

    // Assess
    expect(data.id).toBe(1);
    expect(scope.isDone()).toBe(true);
  });

  it('honours GITHUB_API_URL (GitHub Enterprise host)', async () => {
    // Prepare
    const scope = nock('https://ghe.acme.io')
      .get(`/api/v3${REPO_PATH}/actions/runs/1`)
      .reply(200, workflowRun({ id: 1 }));

    // Act
    const { data } = await getRun({ GITHUB_API_URL: 'https://ghe.acme.io/api/v3/' });

    // Assess
    expect(data.id).toBe(1);
    expect(scope.isDone()).toBe(true);
  });

  it('401 → GITHUB_UNAUTHORIZED naming the token variables, never the token', async () => {
    // Prepare
    const scope = nock(API).get(`${REPO_PATH}/actions/runs/1`).reply(401, {
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });

    // Act
    const error = await caught(getRun());

    // Assess
    expect(error.code).toBe('GITHUB_UNAUTHORIZED');
    expect(error.reason).toBe('access_denied');
    expect(error.hint).toMatch(/GITHUB_TOKEN.*GH_TOKEN/);
    expect(JSON.stringify([error.message, error.hint, error.details])).not.toContain(TOKEN);
    expect(scope.isDone()).toBe(true);
  });

  it('403 with x-ratelimit-remaining 0 → GITHUB_RATE_LIMITED saying when it resets', async () => {
    // Prepare
    const reset = Math.floor(Date.parse('2030-01-01T12:00:00Z') / 1000);
    const scope = nock(API)
      .get(`${REPO_PATH}/actions/runs/1`)
      .reply(
        403,
        { message: 'API rate limit exceeded for user ID 1.', status: '403' },
        {
          'x-ratelimit-limit': '5000',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(reset),
        },
      );

    // Act
    const error = await caught(getRun());

    // Assess
    expect(error.code).toBe('GITHUB_RATE_LIMITED');
    expect(error.message).toContain('2030-01-01T12:00:00.000Z');
    expect(error.exitCode).toBe(13);
    expect(scope.isDone()).toBe(true);
  });

  it('other 403 → GITHUB_FORBIDDEN naming the permission the call needed', async () => {
    // Prepare
    const scope = nock(API)
      .post(`${REPO_PATH}/actions/workflows/promote-sit.yml/dispatches`)
      .reply(
        403,
        { message: 'Resource not accessible by integration', status: '403' },
        { 'x-ratelimit-remaining': '4999' },
      );
    const github = await client();

    // Act
    const error = await caught(
      callGithub({ action: 'dispatch promote-sit.yml', scope: 'actions:write' }, () =>
        github.octokit.rest.actions.createWorkflowDispatch({
          owner: OWNER,
          repo: REPO,
          workflow_id: 'promote-sit.yml',
          ref: 'main',
        }),
      ),
    );

    // Assess
    expect(error.code).toBe('GITHUB_FORBIDDEN');
    expect(error.message).toContain('actions:write');
    expect(error.message).toContain('Resource not accessible by integration');
    expect(error.exitCode).toBe(13);
    expect(scope.isDone()).toBe(true);
  });

  it('404 → GITHUB_NOT_FOUND, hinting that a private repo also answers 404', async () => {
    // Prepare
    const scope = nock(API)
      .get(`${REPO_PATH}/actions/runs/1`)
      .reply(404, { message: 'Not Found', status: '404' });

    // Act
    const error = await caught(getRun());

    // Assess
    expect(error.code).toBe('GITHUB_NOT_FOUND');
    expect(error.hint).toContain('private');
    expect(error.stack).toBeDefined();
    expect(error.message).not.toMatch(/HttpError|at .*\.js/);
    expect(scope.isDone()).toBe(true);
  });

  it('a network failure → GITHUB_UNREACHABLE', async () => {
    // Prepare
    const scope = nock(API)
      .get(`${REPO_PATH}/actions/runs/1`)
      .replyWithError({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });

    // Act
    const error = await caught(getRun());

    // Assess
    expect(error.code).toBe('GITHUB_UNREACHABLE');
    expect(error.exitCode).toBe(11);
    expect(scope.isDone()).toBe(true);
  });

  it('leaves errors that are not GitHub responses alone', () => {
    const plain = new Error('boom');
    expect(githubError(plain, readRun)).toBe(plain);
  });
});
