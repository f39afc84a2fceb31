import { PromoteError } from '../errors.js';

/**
 * The shape of Octokit's `RequestError` (name `HttpError`). Checked by shape rather than
 * `instanceof` because `@octokit/request-error` is not our direct dependency and several
 * copies of it may be installed.
 */
interface RequestError extends Error {
  readonly status: number;
  readonly response?: { readonly headers: Record<string, unknown>; readonly data?: unknown };
}

const isRequestError = (error: unknown): error is RequestError =>
  error instanceof Error &&
  error.name === 'HttpError' &&
  typeof (error as { status?: unknown }).status === 'number';

/**
 * What a GitHub call was doing when it failed, so the error can say which call needed
 * which permission instead of a bare "403".
 */
export interface GithubCallContext {
  /** Human words for the call, e.g. `dispatch promote-sit.yml on acme/orders`. */
  readonly action: string;
  /** The fine-grained token permission the call needs, e.g. `actions:write`. */
  readonly scope: GithubScope;
}

/** The token permissions the CLI's GitHub calls need (fine-grained PAT / `permissions:` names). */
export type GithubScope =
  | 'actions:read'
  | 'actions:write'
  | 'contents:read'
  | 'contents:write'
  | 'deployments:write';

const TOKEN_HINT =
  'set GITHUB_TOKEN (or GH_TOKEN) to a valid token, e.g. `export GH_TOKEN=$(gh auth token)`';

/** `x-ratelimit-reset` (epoch seconds) as an ISO time and a "in N min" phrase. */
const resetPhrase = (reset: string | undefined, now: Date): string => {
  const seconds = Number(reset);
  if (!reset || !Number.isFinite(seconds)) return 'when the rate-limit window resets';
  const at = new Date(seconds * 1000);
  const minutes = Math.max(0, Math.ceil((at.getTime() - now.getTime()) / 60_000));
  return `at ${at.toISOString()} (in ${minutes} min)`;
};

const headerOf = (error: RequestError, name: string): string | undefined => {
  const value = error.response?.headers[name];
  return value === undefined ? undefined : String(value);
};

/** GitHub's own explanation (`{"message": …}`), which is usually the most precise words. */
const githubMessage = (error: RequestError): string | undefined => {
  const data = error.response?.data as { message?: unknown } | undefined;
  return typeof data?.message === 'string' && data.message ? data.message : undefined;
};

/**
 * The single mapper from an Octokit failure to a {@link PromoteError} with a stable code, so
 * every GitHub call fails the same way: one line naming the call, a hint, never a stack
 * trace and never the token (Octokit already redacts `authorization` in `error.request`;
 * we copy neither the request nor the headers into `details`).
 *
 * - 401 → `GITHUB_UNAUTHORIZED` (access_denied): token missing, mistyped or expired.
 * - 403/429 with `x-ratelimit-remaining: 0` → `GITHUB_RATE_LIMITED` (access_denied), saying
 *   when the window resets. Not `aws_throttled`: that exit code is documented for AWS.
 * - other 403 → `GITHUB_FORBIDDEN` (access_denied), naming the permission the call needed.
 * - 404 → `GITHUB_NOT_FOUND` (usage): GitHub answers 404, not 403, for a private repository
 *   the token cannot see, so the hint names both causes.
 * - 422 → `GITHUB_REJECTED` (usage) with GitHub's message (unknown input, missing trigger…).
 * - no response / 5xx → `GITHUB_UNREACHABLE` (aws_unreachable, the CLI's "endpoint could not
 *   be reached" exit code 11).
 *
 * A {@link PromoteError} passes through unchanged; anything else is returned as is.
 */
export const githubError = (
  error: unknown,
  context: GithubCallContext,
  now: Date = new Date(),
): unknown => {
  if (error instanceof PromoteError) return error;
  const aborted = error instanceof Error && error.name === 'AbortError';
  if (!isRequestError(error) && !aborted) return error;
  const what = context.action;
  const cause = { cause: error };
  if (aborted || !(error as RequestError).response) {
    return new PromoteError(
      'aws_unreachable',
      'GITHUB_UNREACHABLE',
      `cannot reach GitHub to ${what}: ${(error as Error).message}`,
      'check the network/VPN and GITHUB_API_URL (GitHub Enterprise: https://<host>/api/v3)',
      undefined,
      cause,
    );
  }
  const requestError = error as RequestError;
  const status = requestError.status;
  const said = githubMessage(requestError);
  const saidSuffix = said ? ` (GitHub: "${said}")` : '';
  if (status === 401) {
    return new PromoteError(
      'access_denied',
      'GITHUB_UNAUTHORIZED',
      `GitHub refused the token to ${what}: missing, invalid or expired (401)`,
      TOKEN_HINT,
      { status },
      cause,
    );
  }
  const remaining = headerOf(requestError, 'x-ratelimit-remaining');
  const secondary = status === 403 && /secondary rate limit/i.test(said ?? '');
  if (status === 429 || (status === 403 && (remaining === '0' || secondary))) {
    // A secondary limit (429, or 403 "You have exceeded a secondary rate limit") sends
    // `retry-after` seconds instead of a reset time.
    const retryAfter = Number(headerOf(requestError, 'retry-after'));
    const when = Number.isFinite(retryAfter)
      ? resetPhrase(String(now.getTime() / 1000 + retryAfter), now)
      : resetPhrase(headerOf(requestError, 'x-ratelimit-reset'), now);
    return new PromoteError(
      'access_denied',
      'GITHUB_RATE_LIMITED',
      `GitHub rate limit reached while trying to ${what}; it resets ${when}`,
      'wait for the reset, or use a token with a higher limit (a GitHub App or PAT, not anonymous)',
      { status, reset: headerOf(requestError, 'x-ratelimit-reset') },
      cause,
    );
  }
  if (status === 403) {
    return new PromoteError(
      'access_denied',
      'GITHUB_FORBIDDEN',
      `the GitHub token may not ${what}: it lacks ${context.scope}${saidSuffix}`,
      `grant the token ${context.scope} on the repository (fine-grained PAT or workflow \`permissions:\`)`,
      { status, scope: context.scope },
      cause,
    );
  }
  if (status === 404) {
    return new PromoteError(
      'usage',
      'GITHUB_NOT_FOUND',
      `GitHub found nothing to ${what} (404)`,
      'check --repo, the workflow file and --ref; a private repository also answers 404 to a token that cannot see it',
      { status },
      cause,
    );
  }
  if (status === 422) {
    return new PromoteError(
      'usage',
      'GITHUB_REJECTED',
      `GitHub rejected the request to ${what}${saidSuffix}`,
      'check the workflow inputs and --ref against the workflow file on that ref',
      { status },
      cause,
    );
  }
  if (status >= 500) {
    return new PromoteError(
      'aws_unreachable',
      'GITHUB_UNREACHABLE',
      `GitHub failed to ${what} (${status})${saidSuffix}`,
      'GitHub is having trouble: see https://www.githubstatus.com and retry',
      { status },
      cause,
    );
  }
  return new PromoteError(
    'internal',
    'GITHUB_REJECTED',
    `GitHub answered ${status} to ${what}${saidSuffix}`,
    undefined,
    { status },
    cause,
  );
};

/**
 * Runs one GitHub call and maps its failure with {@link githubError}; the helper every
 * module uses so that no raw Octokit error reaches the user.
 */
export const callGithub = async <T>(context: GithubCallContext, call: () => Promise<T>) => {
  try {
    return await call();
  } catch (error) {
    throw githubError(error, context);
  }
};
