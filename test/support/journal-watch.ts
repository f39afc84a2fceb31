import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Polls the run journals of `.promote/runs/<env>/` until one satisfies `predicate` (e.g.
 * "the alias moved", "the 50% bake began"), so a test can interrupt a run at a known point.
 * Resolves with that journal, or undefined after `timeoutMs`.
 */
export const waitForJournal = async (
  runsDir: string,
  predicate: (journal: any) => boolean,
  timeoutMs = 60_000,
): Promise<any | undefined> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const files = (await readdir(runsDir).catch(() => [] as string[])).filter((f) =>
      f.endsWith('.json'),
    );
    for (const file of files) {
      const journal = JSON.parse(await readFile(join(runsDir, file), 'utf8').catch(() => '{}'));
      if (predicate(journal)) return journal;
    }
  }
  return undefined;
};
