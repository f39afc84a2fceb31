import { execa } from 'execa';

export interface GitFacts {
  readonly sha?: string;
  readonly tag?: string;
  readonly dirty?: boolean;
  /** `git config user.name`: who approves, alongside the caller's ARN. */
  readonly user?: string;
}

/**
 * HEAD's sha, the tag on it (if any) and whether the tree has uncommitted changes; an empty
 * object outside a git checkout (e.g. a CI job that only has the artifact).
 */
export const gitFacts = async (cwd = process.cwd()): Promise<GitFacts> => {
  const git = (args: string[]) => execa('git', args, { cwd, reject: false, timeout: 10_000 });
  const head = await git(['rev-parse', 'HEAD']).catch(() => undefined);
  if (head?.exitCode !== 0) return {};
  const [tag, status, user] = await Promise.all([
    git(['describe', '--tags', '--exact-match', 'HEAD']),
    git(['status', '--porcelain', '--untracked-files=no']),
    git(['config', 'user.name']),
  ]);
  return {
    sha: head.stdout.trim(),
    ...(tag.exitCode === 0 && tag.stdout.trim() ? { tag: tag.stdout.trim() } : {}),
    dirty: status.exitCode === 0 ? status.stdout.trim().length > 0 : undefined,
    ...(user.exitCode === 0 && user.stdout.trim() ? { user: user.stdout.trim() } : {}),
  };
};
