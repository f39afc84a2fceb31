import { randomBytes } from 'node:crypto';
import type { EnvName } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import type { GithubClient } from './github-client.js';
import { callGithub, githubError } from './github-errors.js';
import { type PollClock, REAL_CLOCK } from './poll.js';

/** The workflow file that promotes each environment (`.github/workflows/`). */
export const WORKFLOW_OF: Readonly<Record<EnvName, string>> = {
  dev: 'deploy-dev.yml',
  sit: 'promote-sit.yml',
  prod: 'promote-prod.yml',
};

/**
 * Inputs a workflow requires besides `correlation_id`. Checked before dispatching so a
 * forgotten one is a usage error naming it, not GitHub's generic 422.
 */
const REQUIRED_INPUTS: Readonly<Record<EnvName, readonly string[]>> = {
  dev: [],
  sit: [],
  prod: ['change_request'],
};

/** The subset of a GitHub workflow run object the CLI reads. */
export interface WorkflowRun {
  readonly id: number;
  readonly name?: string | null;
  readonly display_title: string;
  readonly status: string | null;
  readonly conclusion: string | null;
  readonly html_url: string;
  readonly created_at: string;
}

/** A dispatched run, found. */
export interface DispatchedRun {
  readonly runId: number;
  readonly htmlUrl: string;
  readonly workflow: string;
  readonly correlationId: string;
  /** How it was found: the dispatch API's own answer, or by polling for the correlation id. */
  readonly foundBy: 'run-details' | 'correlation-id';
}

export interface DispatchOptions {
  readonly env: EnvName;
  /** Branch or tag the workflow runs on (and, for sit/prod, the release it promotes). */
  readonly ref: string;
  /** Extra workflow inputs (prod: `change_request`). */
  readonly inputs?: Readonly<Record<string, string>>;
  /** Default: a fresh {@link newCorrelationId}. */
  readonly correlationId?: string;
  /** How long to look for the run after a 204 dispatch (default 2 min). */
  readonly findTimeoutMs?: number;
  /** Pause between list-workflow-runs calls (default 3 s). */
  readonly pollMs?: number;
  readonly clock?: PollClock;
  /** Called once the dispatch is accepted, before the run is looked for. */
  readonly onDispatched?: (dispatch: { workflow: string; correlationId: string }) => void;
  /** Called once per poll while the run is not visible yet (for a progress line). */
  readonly onSearch?: (attempt: number) => void;
}

/**
 * A random id a run can be recognised by: `promote-<8 hex>`. It goes in as the
 * `correlation_id` input and comes back in the run's `run-name` (`display_title`), which is
 * the only field of a run that carries an input.
 */
export const newCorrelationId = (random: (n: number) => Buffer = randomBytes): string =>
  `promote-${random(4).toString('hex')}`;

/**
 * The workflow inputs: sit and prod promote the release named by their `ref` input (the
 * workflow checks it out); dev has no `ref` input and deploys the dispatched ref itself.
 */
export const workflowInputs = (
  env: EnvName,
  ref: string,
  inputs: Readonly<Record<string, string>>,
  correlationId: string,
): Record<string, string> => ({
  ...(env === 'dev' ? {} : { ref }),
  ...inputs,
  correlation_id: correlationId,
});

/** The newest run whose title carries `correlationId` (list-workflow-runs is newest first). */
export const matchRun = <R extends Pick<WorkflowRun, 'display_title'>>(
  runs: readonly R[],
  correlationId: string,
): R | undefined => runs.find((r) => r.display_title.includes(correlationId));

/**
 * The `created` filter for list-workflow-runs: a minute before the dispatch, by GitHub's
 * clock (the response's `Date` header) when we have it — our clock may be skewed, and the
 * correlation id, not the time, is what identifies the run.
 */
export const createdSince = (dateHeader: string | undefined, localNow: number): string => {
  const server = dateHeader ? Date.parse(dateHeader) : Number.NaN;
  const at = (Number.isFinite(server) ? server : localNow) - 60_000;
  return `>=${new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
};

/** Old servers may refuse the 2025 `return_run_details` parameter rather than ignore it. */
const refusesRunDetails = (error: unknown): boolean =>
  error instanceof Error &&
  (error as { status?: unknown }).status === 422 &&
  /return_run_details/.test(error.message);

/**
 * Dispatches the environment's workflow at `ref` and finds the run it started.
 *
 * First asks the dispatch API for the run (`return_run_details: true`, GitHub.com since
 * 2025: 200 with `workflow_run_id` and `html_url`). A server that predates it (GHES) answers
 * 204 with no body; then the run is found by listing `workflow_dispatch` runs created since
 * the dispatch and matching the correlation id in their title — never "the newest run",
 * which could be someone else's concurrent dispatch. The search is bounded by
 * `findTimeoutMs`.
 *
 * @throws PromoteError `GITHUB_INPUT_MISSING` (usage) for a missing required input,
 *   `GITHUB_RUN_NOT_FOUND` (deploy_failed) when the run did not appear in time, or a
 *   mapped GitHub error (see `githubError`).
 */
export const dispatchRun = async (
  client: GithubClient,
  options: DispatchOptions,
): Promise<DispatchedRun> => {
  const { octokit, repo } = client;
  const { env, ref } = options;
  const clock = options.clock ?? REAL_CLOCK;
  const workflow = WORKFLOW_OF[env];
  const correlationId = options.correlationId ?? newCorrelationId();
  const given = options.inputs ?? {};
  const missing = REQUIRED_INPUTS[env].filter((name) => !given[name]?.trim());
  if (missing.length > 0) {
    throw new PromoteError(
      'usage',
      'GITHUB_INPUT_MISSING',
      `${workflow} needs the input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
      `pass ${missing.map((m) => `${m}=…`).join(', ')} as workflow inputs`,
    );
  }
  const inputs = workflowInputs(env, ref, given, correlationId);
  const context = {
    action: `dispatch ${workflow} on ${repo.owner}/${repo.repo} at ${ref}`,
    scope: 'actions:write',
  } as const;
  const dispatch = (withDetails: boolean) =>
    octokit.rest.actions.createWorkflowDispatch({
      ...repo,
      workflow_id: workflow,
      ref,
      inputs,
      ...(withDetails ? { return_run_details: true } : {}),
    });
  const localNow = clock.now();
  let response: Awaited<ReturnType<typeof dispatch>>;
  try {
    response = await dispatch(true).catch((error: unknown) => {
      if (refusesRunDetails(error)) return dispatch(false);
      throw error;
    });
  } catch (error) {
    throw githubError(error, context);
  }
  options.onDispatched?.({ workflow, correlationId });
  // Octokit types this endpoint as 204-only; the 200 body is the 2025 run-details answer.
  const details = response.data as unknown as
    | { workflow_run_id?: number; html_url?: string }
    | string
    | undefined;
  if (details && typeof details === 'object' && details.workflow_run_id && details.html_url) {
    return {
      runId: Number(details.workflow_run_id),
      htmlUrl: details.html_url,
      workflow,
      correlationId,
      foundBy: 'run-details',
    };
  }
  const since = createdSince(response.headers.date, localNow);
  const run = await findRunByCorrelation(client, { workflow, correlationId, since, ...options });
  return {
    runId: run.id,
    htmlUrl: run.html_url,
    workflow,
    correlationId,
    foundBy: 'correlation-id',
  };
};

/**
 * Polls list-workflow-runs (event `workflow_dispatch`, created since `since`) until a run
 * whose title carries `correlationId` appears, at most `findTimeoutMs` (default 2 min).
 */
export const findRunByCorrelation = async (
  client: GithubClient,
  options: {
    readonly workflow: string;
    readonly correlationId: string;
    readonly since: string;
    readonly findTimeoutMs?: number;
    readonly pollMs?: number;
    readonly clock?: PollClock;
    readonly onSearch?: (attempt: number) => void;
  },
): Promise<WorkflowRun> => {
  const { octokit, repo } = client;
  const clock = options.clock ?? REAL_CLOCK;
  const timeoutMs = options.findTimeoutMs ?? 120_000;
  const pollMs = options.pollMs ?? 3_000;
  const started = clock.now();
  const context = {
    action: `list ${options.workflow} runs on ${repo.owner}/${repo.repo}`,
    scope: 'actions:read',
  } as const;
  for (let attempt = 1; ; attempt++) {
    const { data } = await callGithub(context, () =>
      octokit.rest.actions.listWorkflowRuns({
        ...repo,
        workflow_id: options.workflow,
        event: 'workflow_dispatch',
        created: options.since,
        per_page: 50,
      }),
    );
    const run = matchRun(data.workflow_runs as WorkflowRun[], options.correlationId);
    if (run) return run;
    if (clock.now() - started >= timeoutMs) {
      throw new PromoteError(
        'deploy_failed',
        'GITHUB_RUN_NOT_FOUND',
        `${options.workflow} was dispatched but no run titled with ${options.correlationId} appeared within ${Math.round(timeoutMs / 1000)} s`,
        `look in the Actions tab of ${repo.owner}/${repo.repo}; the workflow's run-name must contain \${{ inputs.correlation_id }}`,
        { correlationId: options.correlationId, workflow: options.workflow },
      );
    }
    options.onSearch?.(attempt);
    await clock.sleep(pollMs);
  }
};
