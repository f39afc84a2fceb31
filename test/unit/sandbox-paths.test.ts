import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { promoteHome, sandboxPaths } from '../../sandbox/paths.js';

describe('promoteHome / sandboxPaths', () => {
  const saved = process.env.PROMOTE_HOME;
  afterEach(() => {
    if (saved === undefined) delete process.env.PROMOTE_HOME;
    else process.env.PROMOTE_HOME = saved;
  });

  it.each([
    ['unset', undefined, resolve('.promote')],
    ['empty (an unset shell variable)', '', resolve('.promote')],
    ['blank', '  ', resolve('.promote')],
    ['a directory', '/tmp/p-home', '/tmp/p-home'],
  ])('PROMOTE_HOME %s → %s', (_name, value, expected) => {
    // Prepare
    if (value === undefined) delete process.env.PROMOTE_HOME;
    else process.env.PROMOTE_HOME = value;

    // Act
    const home = promoteHome();

    // Assess
    expect(home).toBe(expected);
    expect(sandboxPaths(home).state).toBe(join(expected, 'sandbox', 'state.json'));
  });
});
