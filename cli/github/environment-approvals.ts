import { createGithubClient, type GithubClient, type GithubEnv } from './github-client.js';
import { callGithub } from './github-errors.js';

/** One review of a deployment protection rule, as the run's approvals list shows it. */
export interface EnvironmentApproval {
  readonly login: string;
  readonly state: string;
  readonly environments: readonly string[];
  readonly comment?: string;
}

/**
 * The reviews given to this workflow run through environment protection (GET
 * /repos/{o}/{r}/actions/runs/{run_id}/approvals): in Actions, the plan's approver clicks
 * "Approve and deploy" in GitHub, and the run journals who did, for which environment.
 */
export const runApprovals = async (
  client: GithubClient,
  runId: number,
): Promise<EnvironmentApproval[]> => {
  const { data } = await callGithub(
    { action: `reading the approvals of run ${runId}`, scope: 'actions:read' },
    () =>
      client.octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals', {
        owner: client.repo.owner,
        repo: client.repo.repo,
        run_id: runId,
      }),
  );
  return data.map((a) => ({
    login: a.user.login,
    state: a.state,
    environments: a.environments.map((e) => e.name ?? ''),
    ...(a.comment ? { comment: a.comment } : {}),
  }));
};

/** {@link runApprovals} of the current run, inside Actions only (else undefined). */
export const currentRunApprovals = async (
  env: GithubEnv,
): Promise<EnvironmentApproval[] | undefined> => {
  const runId = Number(env.GITHUB_RUN_ID);
  if (env.GITHUB_ACTIONS !== 'true' || !Number.isInteger(runId) || runId <= 0) return undefined;
  return runApprovals(await createGithubClient({ env }), runId);
};
