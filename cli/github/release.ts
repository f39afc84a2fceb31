import type { EnvName } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import type { GithubClient } from './github-client.js';
import { callGithub } from './github-errors.js';

/** A parsed semantic version (semver.org 2.0.0); build metadata is kept but never compared. */
export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly (string | number)[];
  readonly build?: string;
  /** The canonical text, without a leading `v`. */
  readonly text: string;
}

// The official semver.org regular expression (no leading zeros, dot-separated identifiers).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** `1.2.0` (or `v1.2.0`, as people type it) → {@link SemVer}; undefined when not semver. */
export const parseSemver = (value: string): SemVer | undefined => {
  const text = value.trim().replace(/^v/, '');
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [],
    ...(m[5] ? { build: m[5] } : {}),
    text,
  };
};

/**
 * `--version` checked: the parsed {@link SemVer}, or a usage error — called before any
 * GitHub client is made, so a typo is reported even without a token.
 *
 * @throws PromoteError `RELEASE_BAD_VERSION` (usage).
 */
export const requireSemver = (value: string): SemVer => {
  const version = parseSemver(value);
  if (!version) {
    throw new PromoteError(
      'usage',
      'RELEASE_BAD_VERSION',
      `--version "${value}" is not a semantic version`,
      'use MAJOR.MINOR.PATCH, e.g. --version 1.2.0 (or 1.2.0-rc.1)',
    );
  }
  return version;
};

/** Semver precedence (§11): negative when `a` < `b`, 0 when equal, positive when greater. */
export const compareSemver = (a: SemVer, b: SemVer): number => {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) return a[key] - b[key];
  }
  // A pre-release sorts before its release: 1.0.0-rc.1 < 1.0.0.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return b.prerelease.length - a.prerelease.length;
  }
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1; // numeric identifiers sort before alphanumeric ones
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return 0;
};

/** The release tag of a version in an environment: `v1.2.0-sit`. */
export const releaseTag = (version: SemVer, env: EnvName): string => `v${version.text}-${env}`;

/** `v1.2.0-sit` → 1.2.0 when it is a release tag of `env`, else undefined. */
export const envTagVersion = (tag: string, env: EnvName): SemVer | undefined => {
  const suffix = `-${env}`;
  if (!tag.startsWith('v') || !tag.endsWith(suffix)) return undefined;
  return parseSemver(tag.slice(1, -suffix.length));
};

/** The highest release tag of `env` below `version`, if any (the changelog's base). */
export const previousEnvTag = (
  tags: readonly string[],
  version: SemVer,
  env: EnvName,
): string | undefined => {
  let best: { tag: string; version: SemVer } | undefined;
  for (const tag of tags) {
    const v = envTagVersion(tag, env);
    if (!v || compareSemver(v, version) >= 0) continue;
    if (!best || compareSemver(v, best.version) > 0) best = { tag, version: v };
  }
  return best?.tag;
};

/** One commit of a compare, as the changelog shows it. */
export interface ChangelogCommit {
  readonly sha: string;
  readonly message: string;
  /** GitHub login, or the git author name when the author has no GitHub account. */
  readonly author?: string;
  readonly isLogin?: boolean;
}

/**
 * The changelog Markdown (pure): a heading, the range, and one line per commit — subject,
 * short sha, author — oldest first as `compare` returns them. Says so when GitHub's compare
 * listed fewer commits than the range holds (it stops at 250).
 */
export const formatChangelog = (input: {
  readonly tag: string;
  readonly previousTag?: string;
  readonly commits: readonly ChangelogCommit[];
  readonly totalCommits?: number;
  readonly compareUrl?: string;
}): string => {
  const lines = [`## ${input.tag}`, ''];
  if (!input.previousTag) {
    lines.push(`First release of this environment: no earlier ${envSuffixOf(input.tag)} tag.`);
    return `${lines.join('\n')}\n`;
  }
  const range = input.compareUrl
    ? `[${input.previousTag}...${input.tag}](${input.compareUrl})`
    : `${input.previousTag}...${input.tag}`;
  lines.push(`Changes since ${input.previousTag} (${range}):`, '');
  if (input.commits.length === 0) lines.push('- no commits');
  for (const c of input.commits) {
    const subject = c.message.split('\n')[0]?.trim() || '(no message)';
    const who = c.author ? (c.isLogin ? ` @${c.author}` : ` ${c.author}`) : '';
    lines.push(`- ${subject} (${c.sha.slice(0, 7)}${who})`);
  }
  const total = input.totalCommits ?? input.commits.length;
  if (total > input.commits.length) {
    lines.push('', `…and ${total - input.commits.length} more commits (GitHub lists at most 250).`);
  }
  return `${lines.join('\n')}\n`;
};

const envSuffixOf = (tag: string): string => `v*${tag.slice(tag.lastIndexOf('-'))}`;

export interface ReleaseOptions {
  readonly env: EnvName;
  /** The semver to release, e.g. `1.2.0` (a leading `v` is accepted). */
  readonly version: string;
  /** Commit sha, branch or tag to tag (default: `GITHUB_SHA`, else the default branch). */
  readonly ref?: string;
}

export interface ReleaseResult {
  readonly tag: string;
  readonly sha: string;
  readonly previousTag?: string;
  readonly changelog: string;
  readonly releaseUrl: string;
}

/**
 * Tags a commit `v<semver>-<env>` and publishes a GitHub Release whose body is the
 * changelog since the environment's previous release tag.
 *
 * The changelog is computed before anything is written, so a failed read leaves no tag
 * behind. The tag is lightweight (a `refs/tags/…` ref on the commit): `promote rollback
 * --to v1.2.0-sit` only needs the name. Only prod releases become the repository's
 * "Latest", so the badge always shows what production runs.
 *
 * @throws PromoteError `RELEASE_BAD_VERSION` (usage) for a non-semver version,
 *   `GITHUB_TAG_EXISTS` (usage) when the tag is already there, or a mapped GitHub error.
 */
export const createEnvRelease = async (
  client: GithubClient,
  options: ReleaseOptions,
  processEnv: Readonly<Record<string, string | undefined>> = {},
): Promise<ReleaseResult> => {
  const { octokit, repo, serverUrl } = client;
  const { env } = options;
  const slug = `${repo.owner}/${repo.repo}`;
  const version = requireSemver(options.version);
  const tag = releaseTag(version, env);
  const read = (action: string) =>
    ({ action: `${action} on ${slug}`, scope: 'contents:read' }) as const;
  const write = (action: string) =>
    ({ action: `${action} on ${slug}`, scope: 'contents:write' }) as const;

  const tags = await callGithub(read('list tags'), () =>
    octokit.paginate(octokit.rest.repos.listTags, { ...repo, per_page: 100 }),
  );
  const names = tags.map((t) => t.name);
  if (names.includes(tag)) throw tagExists(tag, slug);

  const ref =
    options.ref ??
    processEnv.GITHUB_SHA ??
    (await callGithub(read('read the repository'), () => octokit.rest.repos.get({ ...repo }))).data
      .default_branch;
  const { data: commit } = await callGithub(read(`resolve ${ref}`), () =>
    octokit.rest.repos.getCommit({ ...repo, ref }),
  );
  const sha = commit.sha;

  const previousTag = previousEnvTag(names, version, env);
  let changelog: string;
  if (previousTag) {
    const { data: compare } = await callGithub(read(`compare ${previousTag}...${sha}`), () =>
      octokit.rest.repos.compareCommitsWithBasehead({
        ...repo,
        basehead: `${previousTag}...${sha}`,
        per_page: 250,
      }),
    );
    changelog = formatChangelog({
      tag,
      previousTag,
      totalCommits: compare.total_commits,
      compareUrl: `${serverUrl}/${slug}/compare/${previousTag}...${tag}`,
      commits: compare.commits.map((c) => ({
        sha: c.sha,
        message: c.commit.message,
        ...(c.author?.login
          ? { author: c.author.login, isLogin: true }
          : c.commit.author?.name
            ? { author: c.commit.author.name }
            : {}),
      })),
    });
  } else {
    changelog = formatChangelog({ tag, commits: [] });
  }

  try {
    await callGithub(write(`create tag ${tag}`), () =>
      octokit.rest.git.createRef({ ...repo, ref: `refs/tags/${tag}`, sha }),
    );
  } catch (error) {
    // Someone tagged between our list and our write: GitHub says "Reference already exists".
    if (error instanceof PromoteError && /already exists/i.test(error.message)) {
      throw tagExists(tag, slug);
    }
    throw error;
  }
  const { data: release } = await callGithub(write(`create release ${tag}`), () =>
    octokit.rest.repos.createRelease({
      ...repo,
      tag_name: tag,
      name: tag,
      body: changelog,
      prerelease: version.prerelease.length > 0,
      make_latest: env === 'prod' && version.prerelease.length === 0 ? 'true' : 'false',
    }),
  ).catch((error: unknown) => {
    if (error instanceof PromoteError) {
      throw new PromoteError(
        error.reason,
        error.code,
        `${error.message} — tag ${tag} was created on ${sha.slice(0, 7)}, its release was not`,
        `create the release by hand on ${serverUrl}/${slug}/releases/new?tag=${tag}, or delete the tag (git push --delete origin ${tag}) and run again`,
        error.details,
        { cause: error.cause },
      );
    }
    throw error;
  });
  return {
    tag,
    sha,
    ...(previousTag ? { previousTag } : {}),
    changelog,
    releaseUrl: release.html_url,
  };
};

const tagExists = (tag: string, slug: string) =>
  new PromoteError(
    'usage',
    'GITHUB_TAG_EXISTS',
    `tag ${tag} already exists on ${slug}`,
    'release tags are never moved: choose the next version (e.g. bump the patch)',
    { tag },
  );
