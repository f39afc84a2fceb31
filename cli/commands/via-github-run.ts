import type { EnvName } from '../../infra/environments.js';
import { dispatchRun } from '../github/dispatch-run.js';
import { createGithubClient, type GithubClientOptions } from '../github/github-client.js';
import type { PollClock } from '../github/poll.js';
import { followRun, type RunEvent } from '../github/watch-run.js';
import type { IoHost } from '../io/io-host.js';

/** What `promote <env> --via github` passes in. */
export interface ViaGithubOptions {
  /** Branch or tag the workflow runs on; for sit/prod also the release it promotes. */
  ref: string;
  /** Extra workflow inputs (prod: `change_request`). */
  inputs?: Record<string, string>;
  /** `owner/name` (default: GITHUB_REPOSITORY, else the origin remote). */
  repo?: string;
  /** How long to follow the run before giving up (default 180 min); the run goes on. */
  timeoutMinutes?: number;
}

/** Test seams: the environment, clock and poll intervals. Production passes nothing. */
export interface ViaGithubDeps {
  readonly env?: GithubClientOptions['env'];
  readonly originUrl?: GithubClientOptions['originUrl'];
  readonly clock?: PollClock;
  readonly findPollMs?: number;
  readonly followPollMs?: number;
}

/** The result of a successful run (also the `--json` document's `run`). */
export interface ViaGithubResult {
  readonly runId: number;
  readonly url: string;
  readonly workflow: string;
  readonly correlationId: string;
}

/** One line per run change; step starts are debug detail, the rest is what CI logs show. */
const report = (io: IoHost, event: RunEvent): void => {
  const c = io.color;
  io.event(
    event.kind === 'run-status'
      ? 'GITHUB_RUN_STATUS'
      : event.kind.startsWith('step')
        ? 'GITHUB_STEP'
        : 'GITHUB_JOB',
    { ...event },
  );
  switch (event.kind) {
    case 'run-status':
      io.info(
        'GITHUB_RUN_STATUS',
        event.status === 'waiting'
          ? `run is waiting: a reviewer of the environment must approve it on ${event.url}`
          : `run is ${event.status.replace('_', ' ')}`,
        { status: event.status },
      );
      return;
    case 'job-started':
      io.info('GITHUB_JOB', `▶ ${event.job}`);
      return;
    case 'step-started':
      io.debug('GITHUB_STEP', `  … ${event.job} › ${event.step}`);
      return;
    case 'step-completed': {
      const mark =
        event.conclusion === 'success'
          ? c.green('✔')
          : event.conclusion === 'skipped'
            ? c.gray('↷')
            : c.red('✖');
      io.info('GITHUB_STEP', `  ${mark} ${event.job} › ${event.step}`, {
        conclusion: event.conclusion,
      });
      return;
    }
    case 'job-completed':
      io.info(
        'GITHUB_JOB',
        `${event.conclusion === 'success' ? c.green('✔') : c.red('✖')} ${event.job} (${event.conclusion ?? 'no conclusion'})`,
        { conclusion: event.conclusion },
      );
      return;
  }
};

/**
 * `promote <env> --via github`: dispatches the environment's workflow (dev `deploy-dev.yml`,
 * sit `promote-sit.yml`, prod `promote-prod.yml`) at `options.ref`, finds its run, follows
 * its jobs and steps to the end, and settles on the run's conclusion: resolves on success
 * (exit 0), throws a PromoteError otherwise (`GITHUB_RUN_FAILED` → 10, `GITHUB_RUN_CANCELLED`
 * → 130, `GITHUB_RUN_TIMED_OUT` → 10, GitHub API errors → 2/11/13, see `githubError`).
 *
 * Token from GITHUB_TOKEN or GH_TOKEN, API root from GITHUB_API_URL (GitHub Enterprise).
 * In `--json` mode writes `{ ok: true, env, via: 'github', run }` as the document.
 */
export const runViaGithub = async (
  env: EnvName,
  options: ViaGithubOptions,
  io: IoHost,
  deps: ViaGithubDeps = {},
): Promise<ViaGithubResult> => {
  const client = await createGithubClient({
    env: deps.env ?? process.env,
    ...(options.repo !== undefined ? { repo: options.repo } : {}),
    ...(deps.originUrl ? { originUrl: deps.originUrl } : {}),
  });
  const slug = `${client.repo.owner}/${client.repo.repo}`;
  const dispatched = await dispatchRun(client, {
    env,
    ref: options.ref,
    ...(options.inputs ? { inputs: options.inputs } : {}),
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.findPollMs !== undefined ? { pollMs: deps.findPollMs } : {}),
    onDispatched: ({ workflow, correlationId }) =>
      io.info(
        'GITHUB_DISPATCHED',
        `dispatched ${workflow} on ${slug} at ${options.ref} (${correlationId})`,
        { workflow, repo: slug, ref: options.ref, correlationId },
      ),
    onSearch: (attempt) => {
      if (attempt === 1) io.info('GITHUB_RUN_STATUS', 'waiting for the run to appear…');
    },
  });
  io.info('GITHUB_RUN_FOUND', `run ${dispatched.runId}: ${dispatched.htmlUrl}`, {
    runId: dispatched.runId,
    url: dispatched.htmlUrl,
    foundBy: dispatched.foundBy,
  });
  await followRun(client, {
    runId: dispatched.runId,
    onEvent: (event) => report(io, event),
    timeoutMs: (options.timeoutMinutes ?? 180) * 60_000,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.followPollMs !== undefined ? { pollMs: deps.followPollMs } : {}),
  });
  const result: ViaGithubResult = {
    runId: dispatched.runId,
    url: dispatched.htmlUrl,
    workflow: dispatched.workflow,
    correlationId: dispatched.correlationId,
  };
  io.info('GITHUB_RUN_DONE', `${env} promoted by ${dispatched.workflow}: ${dispatched.htmlUrl}`, {
    ...result,
  });
  io.document({ ok: true, env, via: 'github', run: result });
  return result;
};
