import type { EnvName } from '../../infra/environments.js';
import { createGithubClient, type GithubClient, type GithubEnv } from './github-client.js';
import { githubError } from './github-errors.js';

/**
 * A GitHub Deployment being recorded for one promotion. Every method resolves to a warning
 * string when GitHub could not be told, `undefined` when it was (or when there is nothing
 * to record): a deployment record is bookkeeping and must never fail a promotion.
 */
export interface DeploymentRecord {
  /** The deployment's id, when one was created. */
  readonly id?: number;
  /** Why recording did not start (undefined when it started, or outside Actions). */
  readonly warning?: string;
  /** Status `success`: the environment runs this deployment (GitHub deactivates older ones). */
  succeed(): Promise<string | undefined>;
  /** Status `failure`, with a short description (GitHub keeps 140 characters). */
  fail(description: string): Promise<string | undefined>;
  /** Status `inactive`: this deployment was rolled back and no longer serves the environment. */
  deactivate(): Promise<string | undefined>;
}

export interface StartDeploymentOptions {
  readonly env: EnvName;
  /** The environment's API URL, shown as the deployment's link. */
  readonly environmentUrl: string;
  /** Usually `process.env`: GITHUB_ACTIONS, GITHUB_SHA, GITHUB_SERVER_URL, GITHUB_RUN_ID… */
  readonly processEnv: GithubEnv;
  /** e.g. `promote sit v1.2.0-sit`. */
  readonly description?: string;
}

const NOTHING: DeploymentRecord = {
  succeed: async () => undefined,
  fail: async () => undefined,
  deactivate: async () => undefined,
};

/** GitHub refuses descriptions over 140 characters; a long reason must not lose the status. */
const short = (text: string): string => (text.length > 140 ? `${text.slice(0, 139)}…` : text);

const warningOf = (error: unknown, action: string): string => {
  const mapped = githubError(error, { action, scope: 'deployments:write' });
  const message = mapped instanceof Error ? mapped.message : String(mapped);
  return `GitHub deployment not recorded: ${message}`;
};

/**
 * Inside GitHub Actions (`GITHUB_ACTIONS=true`), creates a GitHub Deployment of `GITHUB_SHA`
 * to `env` and marks it `in_progress`, linking the run's log and the environment's URL;
 * outside Actions it records nothing. `auto_merge: false` and no required contexts because
 * the CLI has already decided to deploy: GitHub must neither merge the default branch in nor
 * wait for commit statuses.
 *
 * Never throws: a failed call becomes the record's `warning` (and the methods' return).
 */
export const startDeployment = async (
  client: GithubClient,
  options: StartDeploymentOptions,
): Promise<DeploymentRecord> => {
  const { processEnv: e, env } = options;
  if (e.GITHUB_ACTIONS !== 'true') return NOTHING;
  const { octokit, repo } = client;
  const sha = e.GITHUB_SHA;
  if (!sha) return { ...NOTHING, warning: 'GitHub deployment not recorded: GITHUB_SHA is unset' };
  const logUrl =
    e.GITHUB_SERVER_URL && e.GITHUB_REPOSITORY && e.GITHUB_RUN_ID
      ? `${e.GITHUB_SERVER_URL}/${e.GITHUB_REPOSITORY}/actions/runs/${e.GITHUB_RUN_ID}`
      : undefined;
  let id: number;
  try {
    const { data } = await octokit.rest.repos.createDeployment({
      ...repo,
      ref: sha,
      environment: env,
      auto_merge: false,
      required_contexts: [],
      description: short(options.description ?? `promote ${env}`),
      production_environment: env === 'prod',
    });
    // 202 means GitHub merged or queued instead of creating: there is no deployment to mark.
    if (!('id' in data)) {
      return { ...NOTHING, warning: `GitHub deployment not recorded: ${data.message ?? '202'}` };
    }
    id = data.id;
  } catch (error) {
    return { ...NOTHING, warning: warningOf(error, `create a ${env} deployment`) };
  }
  const status = async (
    state: 'in_progress' | 'success' | 'failure' | 'inactive',
    description?: string,
  ): Promise<string | undefined> => {
    try {
      await octokit.rest.repos.createDeploymentStatus({
        ...repo,
        deployment_id: id,
        state,
        environment: env,
        environment_url: options.environmentUrl,
        ...(logUrl ? { log_url: logUrl } : {}),
        ...(description ? { description: short(description) } : {}),
      });
      return undefined;
    } catch (error) {
      return warningOf(error, `mark ${env} deployment ${id} ${state}`);
    }
  };
  const warning = await status('in_progress', options.description);
  return {
    id,
    ...(warning ? { warning } : {}),
    succeed: () => status('success'),
    fail: (description) => status('failure', description),
    deactivate: () => status('inactive', 'rolled back'),
  };
};

/**
 * {@link startDeployment} with a client made from `processEnv` (GITHUB_TOKEN and
 * GITHUB_REPOSITORY, both set in Actions). A client that cannot be made — no token, say —
 * is a warning like any other recording failure.
 */
export const startDeploymentFromEnv = async (
  options: StartDeploymentOptions,
): Promise<DeploymentRecord> => {
  if (options.processEnv.GITHUB_ACTIONS !== 'true') return NOTHING;
  try {
    const client = await createGithubClient({ env: options.processEnv });
    return await startDeployment(client, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...NOTHING, warning: `GitHub deployment not recorded: ${message}` };
  }
};
