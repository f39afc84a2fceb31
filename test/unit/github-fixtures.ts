import { PassThrough } from 'node:stream';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import { createGithubClient, type GithubClient } from '../../cli/github/github-client.js';
import type { PollClock } from '../../cli/github/poll.js';
import { IoHost } from '../../cli/io/io-host.js';

/**
 * Shared builders for the GitHub unit tests: a client for a fixed token and repository
 * (its HTTP is intercepted with nock), response bodies shaped as GitHub's REST reference
 * documents them, a fake clock whose sleep only advances time, and a plain-line IoHost.
 */

export const API = 'https://api.github.com';
export const OWNER = 'acme';
export const REPO = 'order-lambda';
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
export const TOKEN = 'ghp_test_token_never_printed';

export const githubEnv = (extra: Record<string, string> = {}) => ({
  GITHUB_TOKEN: TOKEN,
  GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
  ...extra,
});

export const client = (extra: Record<string, string> = {}): Promise<GithubClient> =>
  createGithubClient({ env: githubEnv(extra), originUrl: async () => undefined });

/** A clock that never waits: `sleep` moves `now` forward and counts the naps. */
export const fakeClock = (start = Date.parse('2025-06-02T10:00:00Z')) => {
  let now = start;
  const naps: number[] = [];
  const clock: PollClock = {
    now: () => now,
    sleep: async (ms) => {
      naps.push(ms);
      now += ms;
    },
  };
  return { clock, naps };
};

/** A workflow run object (GET /repos/{o}/{r}/actions/runs/{id}). */
export const workflowRun = (overrides: Record<string, unknown> = {}) => ({
  id: 30433642,
  name: 'promote-sit',
  display_title: 'promote-sit v1.2.0-sit promote-0a1b2c3d',
  head_branch: 'v1.2.0-sit',
  head_sha: 'acb5820ced9479c074f688cc328bf03f341a511d',
  run_number: 562,
  event: 'workflow_dispatch',
  status: 'queued',
  conclusion: null,
  workflow_id: 159038,
  html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/30433642`,
  created_at: '2025-06-02T10:00:03Z',
  updated_at: '2025-06-02T10:00:03Z',
  run_attempt: 1,
  ...overrides,
});

/** A job step (inside GET …/runs/{id}/jobs). */
export const step = (number: number, name: string, status: string, conclusion: string | null) => ({
  name,
  number,
  status,
  conclusion,
  started_at: '2025-06-02T10:01:00Z',
  completed_at: status === 'completed' ? '2025-06-02T10:02:00Z' : null,
});

/** A workflow job (inside GET …/runs/{id}/jobs). */
export const job = (
  id: number,
  name: string,
  status: string,
  conclusion: string | null,
  steps: ReturnType<typeof step>[],
) => ({
  id,
  run_id: 30433642,
  run_url: `${API}${REPO_PATH}/actions/runs/30433642`,
  head_sha: 'acb5820ced9479c074f688cc328bf03f341a511d',
  html_url: `https://github.com/${OWNER}/${REPO}/actions/runs/30433642/job/${id}`,
  status,
  conclusion,
  name,
  steps,
  started_at: '2025-06-02T10:01:00Z',
  completed_at: status === 'completed' ? '2025-06-02T10:05:00Z' : null,
});

export const jobsPage = (jobs: ReturnType<typeof job>[]) => ({ total_count: jobs.length, jobs });

/** A commit of GET /repos/{o}/{r}/compare/{basehead}. */
export const compareCommit = (
  sha: string,
  message: string,
  login: string | null,
  name = 'Dev',
) => ({
  sha,
  commit: {
    message,
    author: { name, email: `${name.toLowerCase()}@example.com`, date: '2025-06-01T09:00:00Z' },
  },
  author: login ? { login, id: 1 } : null,
  html_url: `https://github.com/${OWNER}/${REPO}/commit/${sha}`,
});

/** A plain-line (CI) IoHost whose output the test reads back. */
export const ciIo = () => {
  const out = new PassThrough();
  const err = new PassThrough();
  const io = new IoHost(
    { json: false, ci: true, yes: false, verbose: false, color: false, interactive: false },
    out,
    err,
  );
  const text = (stream: PassThrough) => String(stream.read() ?? '');
  return { io, stdout: () => text(out), stderr: () => text(err) };
};

/** Inside a describe: no real network, and every interceptor gone after each test. */
export const interceptGithub = (): void => {
  beforeAll(() => {
    nock.disableNetConnect();
  });
  afterEach(() => {
    nock.cleanAll();
  });
  afterAll(() => {
    nock.enableNetConnect();
  });
};

/** What the CLI shows for a failure (main.ts prints message, code and hint). */
export const caught = async (promise: Promise<unknown>): Promise<PromoteError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PromoteError);
  return error as PromoteError;
};
