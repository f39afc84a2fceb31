import { Octokit } from '@octokit/rest';
import { execa } from 'execa';
import { PromoteError } from '../errors.js';

/** The environment variables the GitHub client reads (passed in, so tests control them). */
export type GithubEnv = Readonly<Record<string, string | undefined>>;

/** A repository, `owner/name`. */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/** An Octokit bound to one repository and one API host. */
export interface GithubClient {
  readonly octokit: Octokit;
  readonly repo: RepoRef;
  /** API root, `https://api.github.com` or a GitHub Enterprise `https://<host>/api/v3`. */
  readonly baseUrl: string;
  /** Web root for links (`https://github.com`, or the GHES host). */
  readonly serverUrl: string;
}

export interface GithubClientOptions {
  /** Usually `process.env`; only the GitHub variables are read. */
  readonly env: GithubEnv;
  /** `--repo owner/name`: wins over `GITHUB_REPOSITORY` and the git remote. */
  readonly repo?: string;
  /** Reads `git remote get-url origin`; injectable so tests never depend on the checkout. */
  readonly originUrl?: () => Promise<string | undefined>;
  /** Per-request time limit: a hung connection must not hang the CLI. */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_API_URL = 'https://api.github.com';

const NAME = /^[A-Za-z0-9_.-]+$/;

/** `owner/name` → {@link RepoRef}, or undefined when it is not of that form. */
export const parseRepo = (value: string): RepoRef | undefined => {
  const [owner, repo, ...rest] = value.trim().split('/');
  if (rest.length > 0 || !owner || !repo || !NAME.test(owner) || !NAME.test(repo)) {
    return undefined;
  }
  return { owner, repo: repo.replace(/\.git$/, '') };
};

/**
 * A git remote URL → {@link RepoRef} when it points at one of `hosts` (github.com, plus the
 * GitHub Enterprise host when one is configured). Understands the forms `git clone` is
 * given: `git@host:o/r.git`, `ssh://git@host[:port]/o/r.git`, `https://[user@]host/o/r[.git]`.
 */
export const parseRemoteUrl = (
  url: string,
  hosts: readonly string[] = ['github.com'],
): RepoRef | undefined => {
  const trimmed = url.trim();
  const scp = /^[\w.-]+@([^:/]+):(.+)$/.exec(trimmed);
  let host: string | undefined;
  let path: string | undefined;
  if (scp) {
    host = scp[1];
    path = scp[2];
  } else {
    try {
      const parsed = new URL(trimmed);
      if (!['https:', 'http:', 'ssh:', 'git:'].includes(parsed.protocol)) return undefined;
      host = parsed.hostname;
      path = parsed.pathname;
    } catch {
      return undefined;
    }
  }
  if (!host || !path || !hosts.includes(host.toLowerCase())) return undefined;
  return parseRepo(path.replace(/^\/+/, '').replace(/\/+$/, ''));
};

/** The token from `GITHUB_TOKEN` or `GH_TOKEN` (the `gh` CLI's name), blank treated as unset. */
export const githubToken = (env: GithubEnv): string | undefined =>
  [env.GITHUB_TOKEN, env.GH_TOKEN].map((t) => t?.trim()).find((t) => Boolean(t));

/** The API root (GitHub Enterprise: `GITHUB_API_URL`, as Actions sets it on GHES runners). */
export const apiUrlOf = (env: GithubEnv): string =>
  (env.GITHUB_API_URL?.trim() || DEFAULT_API_URL).replace(/\/+$/, '');

/**
 * The web root: `GITHUB_SERVER_URL` when set (Actions sets it), else derived from the API
 * root (`https://api.github.com` → `https://github.com`, `https://ghe/api/v3` → `https://ghe`).
 */
export const serverUrlOf = (env: GithubEnv): string => {
  if (env.GITHUB_SERVER_URL?.trim()) return env.GITHUB_SERVER_URL.trim().replace(/\/+$/, '');
  const api = new URL(apiUrlOf(env));
  if (api.hostname === 'api.github.com') return 'https://github.com';
  return api.origin;
};

const gitOrigin = async (): Promise<string | undefined> => {
  const result = await execa('git', ['remote', 'get-url', 'origin'], {
    reject: false,
    timeout: 10_000,
  }).catch(() => undefined);
  return result?.exitCode === 0 ? result.stdout.trim() : undefined;
};

/**
 * Which repository to talk to: `--repo`, else `GITHUB_REPOSITORY` (set in Actions), else
 * the `origin` remote of the current checkout.
 */
export const resolveRepo = async (options: GithubClientOptions): Promise<RepoRef> => {
  const { env } = options;
  if (options.repo !== undefined) {
    const repo = parseRepo(options.repo);
    if (!repo) {
      throw new PromoteError(
        'usage',
        'GITHUB_BAD_REPO',
        `--repo "${options.repo}" is not owner/name`,
        'e.g. --repo acme/order-lambda',
      );
    }
    return repo;
  }
  const fromEnv = env.GITHUB_REPOSITORY?.trim() ? parseRepo(env.GITHUB_REPOSITORY) : undefined;
  if (fromEnv) return fromEnv;
  const origin = await (options.originUrl ?? gitOrigin)();
  const hosts = ['github.com', new URL(serverUrlOf(env)).hostname.toLowerCase()];
  const fromOrigin = origin ? parseRemoteUrl(origin, hosts) : undefined;
  if (fromOrigin) return fromOrigin;
  throw new PromoteError(
    'usage',
    'GITHUB_BAD_REPO',
    origin
      ? `cannot tell the GitHub repository from the origin remote "${origin}"`
      : 'cannot tell which GitHub repository to use (no GITHUB_REPOSITORY, no origin remote)',
    'pass --repo owner/name or set GITHUB_REPOSITORY',
  );
};

/** Octokit's logger, silenced: its request-log plugin would print every failed call. */
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * An Octokit for `env`'s token and API host, bound to the resolved repository.
 *
 * `@octokit/rest` ships without the retry and throttling plugins, and we deliberately do not
 * add them: a 4xx must fail at once with a clear error rather than wait out a rate-limit
 * window inside a CI step. `retries: 0` keeps that true if a plugin is ever added. Each
 * request gets its own time limit so a dead connection cannot hang the command.
 *
 * @throws PromoteError `GITHUB_NO_TOKEN` (usage) when neither GITHUB_TOKEN nor GH_TOKEN is
 *   set, `GITHUB_BAD_REPO` (usage) when the repository cannot be determined.
 */
export const createGithubClient = async (options: GithubClientOptions): Promise<GithubClient> => {
  const { env } = options;
  const token = githubToken(env);
  if (!token) {
    throw new PromoteError(
      'usage',
      'GITHUB_NO_TOKEN',
      'no GitHub token: GITHUB_TOKEN and GH_TOKEN are both unset',
      'export GH_TOKEN=$(gh auth token), or GITHUB_TOKEN in Actions (with the permissions the command needs)',
    );
  }
  const repo = await resolveRepo(options);
  const baseUrl = apiUrlOf(env);
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const octokit = new Octokit({
    auth: token,
    baseUrl,
    userAgent: 'order-lambda-promote',
    log: QUIET,
    request: {
      retries: 0,
      // Resolved at call time, not captured here, so interceptors installed later (nock)
      // and a caller's own signal both still apply.
      fetch: (url: string, init: RequestInit) =>
        globalThis.fetch(url, { ...init, signal: init.signal ?? AbortSignal.timeout(timeoutMs) }),
    },
  });
  return { octokit, repo, baseUrl, serverUrl: serverUrlOf(env) };
};
