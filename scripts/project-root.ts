import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root (the directory holding package.json), found by walking up from the
 * calling module: the same answer from the TypeScript sources and from the bundle in
 * `dist/cli/`, whose chunks sit at another depth.
 */
export const projectRoot = (from: string = import.meta.url): string => {
  let dir = dirname(fileURLToPath(from));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(from)}`);
    dir = up;
  }
  return dir;
};
