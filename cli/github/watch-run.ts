import { PromoteError } from '../errors.js';
import type { WorkflowRun } from './dispatch-run.js';
import type { GithubClient } from './github-client.js';
import { callGithub } from './github-errors.js';
import { type PollClock, REAL_CLOCK } from './poll.js';

/** The subset of a GitHub job step the CLI reads. */
export interface RunStep {
  readonly name: string;
  readonly number: number;
  readonly status: string;
  readonly conclusion: string | null;
}

/** The subset of a GitHub workflow job the CLI reads. */
export interface RunJob {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly conclusion: string | null;
  readonly html_url: string | null;
  readonly steps?: readonly RunStep[];
}

/** A change seen while following a run, for listr2 output or plain CI lines. */
export type RunEvent =
  | { readonly kind: 'run-status'; readonly status: string; readonly url: string }
  | { readonly kind: 'job-started'; readonly job: string }
  | { readonly kind: 'step-started'; readonly job: string; readonly step: string }
  | {
      readonly kind: 'step-completed';
      readonly job: string;
      readonly step: string;
      readonly conclusion: string | null;
    }
  | {
      readonly kind: 'job-completed';
      readonly job: string;
      readonly conclusion: string | null;
      readonly url: string | null;
    };

/** What has been reported so far, per job id and step number. */
export type SeenState = Map<number, { status: string; steps: Map<number, string> }>;

const STARTED = new Set(['in_progress', 'completed']);

/**
 * The events between what was seen and `jobs` (pure; `seen` is updated). A job or step that
 * went from queued to completed between two polls is reported as completed only.
 */
export const diffJobs = (seen: SeenState, jobs: readonly RunJob[]): RunEvent[] => {
  const events: RunEvent[] = [];
  for (const job of jobs) {
    const before = seen.get(job.id) ?? { status: 'new', steps: new Map<number, string>() };
    if (job.status === 'in_progress' && !STARTED.has(before.status)) {
      events.push({ kind: 'job-started', job: job.name });
    }
    for (const step of job.steps ?? []) {
      const was = before.steps.get(step.number);
      if (step.status === 'in_progress' && !STARTED.has(was ?? '')) {
        events.push({ kind: 'step-started', job: job.name, step: step.name });
      }
      if (step.status === 'completed' && was !== 'completed') {
        events.push({
          kind: 'step-completed',
          job: job.name,
          step: step.name,
          conclusion: step.conclusion,
        });
      }
      before.steps.set(step.number, step.status);
    }
    if (job.status === 'completed' && before.status !== 'completed') {
      events.push({
        kind: 'job-completed',
        job: job.name,
        conclusion: job.conclusion,
        url: job.html_url,
      });
    }
    before.status = job.status;
    seen.set(job.id, before);
  }
  return events;
};

/** The first failed job and, within it, its first failed step. */
export const failedJobStep = (
  jobs: readonly RunJob[],
): { job: RunJob; step?: RunStep } | undefined => {
  const job = jobs.find((j) => j.conclusion === 'failure' || j.conclusion === 'timed_out');
  if (!job) return undefined;
  const step = job.steps?.find((s) => s.conclusion === 'failure' || s.conclusion === 'timed_out');
  return step ? { job, step } : { job };
};

/**
 * A completed run's conclusion as the CLI's outcome (pure): `undefined` for success (exit
 * 0), else a {@link PromoteError}:
 *
 * - `failure` (and `startup_failure`, `action_required`, `neutral`, `skipped`, `stale`: a
 *   promotion that did not succeed) → `GITHUB_RUN_FAILED`, exit reason `deploy_failed` (10),
 *   naming the failed job and step and the run's URL.
 * - `cancelled` → `GITHUB_RUN_CANCELLED`, exit reason `interrupted` (130): somebody (or a
 *   newer run in the concurrency group) stopped it before it finished — the remote form of
 *   Ctrl-C on a local run, not a failed release; re-dispatching is the usual answer.
 * - `timed_out` → `GITHUB_RUN_TIMED_OUT`, exit reason `deploy_failed` (10): a job hit its
 *   `timeout-minutes`, so the deployment did not complete.
 */
export const runOutcome = (
  run: Pick<WorkflowRun, 'id' | 'name' | 'conclusion' | 'html_url'>,
  jobs: readonly RunJob[],
): PromoteError | undefined => {
  if (run.conclusion === 'success') return undefined;
  const title = `${run.name ?? 'workflow'} run ${run.id}`;
  const details = { runId: run.id, url: run.html_url, conclusion: run.conclusion };
  if (run.conclusion === 'cancelled') {
    return new PromoteError(
      'interrupted',
      'GITHUB_RUN_CANCELLED',
      `${title} was cancelled: ${run.html_url}`,
      'see who cancelled it on the run page, then dispatch again if the promotion is still wanted',
      details,
    );
  }
  const failed = failedJobStep(jobs);
  const where = failed
    ? ` in job "${failed.job.name}"${failed.step ? `, step "${failed.step.name}"` : ''}`
    : '';
  if (run.conclusion === 'timed_out') {
    return new PromoteError(
      'deploy_failed',
      'GITHUB_RUN_TIMED_OUT',
      `${title} timed out${where}: ${run.html_url}`,
      "the job exceeded its timeout-minutes; read the step's log before re-running",
      { ...details, job: failed?.job.name, step: failed?.step?.name },
    );
  }
  return new PromoteError(
    'deploy_failed',
    'GITHUB_RUN_FAILED',
    `${title} ${run.conclusion === 'failure' ? 'failed' : `ended ${run.conclusion ?? 'without a conclusion'}`}${where}: ${run.html_url}`,
    failed?.job.html_url
      ? `the failed job's log: ${failed.job.html_url}`
      : 'open the run page for the logs',
    { ...details, job: failed?.job.name, step: failed?.step?.name },
  );
};

export interface FollowOptions {
  readonly runId: number;
  /** Every change, in order. */
  readonly onEvent?: (event: RunEvent) => void;
  /** Pause between polls (default 10 s). */
  readonly pollMs?: number;
  /** Give up following after this long (default 3 h); the run itself goes on. */
  readonly timeoutMs?: number;
  readonly clock?: PollClock;
}

export interface FollowResult {
  readonly run: WorkflowRun;
  readonly jobs: readonly RunJob[];
}

/**
 * Follows a workflow run until it completes: polls the run and its jobs, reports each job
 * and step change through `onEvent`, and settles on the run's conclusion (see
 * {@link runOutcome}): resolves on success, throws the mapped PromoteError otherwise.
 *
 * @throws PromoteError `GITHUB_WAIT_TIMEOUT` (deploy_failed) after `timeoutMs`, saying the
 *   run goes on without us.
 */
export const followRun = async (
  client: GithubClient,
  options: FollowOptions,
): Promise<FollowResult> => {
  const { octokit, repo } = client;
  const clock = options.clock ?? REAL_CLOCK;
  const timeoutMs = options.timeoutMs ?? 3 * 3_600_000;
  const pollMs = options.pollMs ?? 10_000;
  const started = clock.now();
  const seen: SeenState = new Map();
  const context = {
    action: `read run ${options.runId} on ${repo.owner}/${repo.repo}`,
    scope: 'actions:read',
  } as const;
  let lastStatus: string | undefined;
  for (;;) {
    // The run first, then its jobs: when the run says completed, the jobs read after it
    // are final too, so the last report is complete.
    const { data: run } = await callGithub(context, () =>
      octokit.rest.actions.getWorkflowRun({ ...repo, run_id: options.runId }),
    );
    const jobs = await callGithub(context, () =>
      octokit.paginate(octokit.rest.actions.listJobsForWorkflowRun, {
        ...repo,
        run_id: options.runId,
        filter: 'latest',
        per_page: 100,
      }),
    );
    const status = run.status ?? 'unknown';
    if (status !== lastStatus && status !== 'completed') {
      options.onEvent?.({ kind: 'run-status', status, url: run.html_url });
    }
    lastStatus = status;
    for (const event of diffJobs(seen, jobs as RunJob[])) options.onEvent?.(event);
    if (status === 'completed') {
      const outcome = runOutcome(run as WorkflowRun, jobs as RunJob[]);
      if (outcome) throw outcome;
      return { run: run as WorkflowRun, jobs: jobs as RunJob[] };
    }
    if (clock.now() - started >= timeoutMs) {
      throw new PromoteError(
        'deploy_failed',
        'GITHUB_WAIT_TIMEOUT',
        `stopped following run ${run.id} after ${Math.round(timeoutMs / 60_000)} min; it is still ${status}: ${run.html_url}`,
        'the run goes on without the CLI: watch it on its page, or allow a longer follow time (default 180 min)',
        { runId: run.id, url: run.html_url, status },
      );
    }
    await clock.sleep(pollMs);
  }
};
