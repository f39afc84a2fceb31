import { describe, expect, it } from 'vitest';
import { type RegionAlias, regionDrift } from '../../cli/ops/region-status.js';

const at = (region: string, version: string, codeSha256: string, weights = {}): RegionAlias => ({
  region,
  alias: { version, weights },
  codeSha256,
});

describe('regionDrift', () => {
  it.each<[string, RegionAlias[], RegExp[]]>([
    [
      'one package, different version numbers',
      [at('af-south-1', '7', 'A='), at('eu-west-1', '3', 'A=')],
      [],
    ],
    [
      'different packages',
      [at('af-south-1', '7', 'A='), at('eu-west-1', '3', 'B=')],
      [/af-south-1 serves A= \(version 7\) but eu-west-1 serves B= \(version 3\)/],
    ],
    [
      'a region mid-shift',
      [at('af-south-1', '7', 'A=', { '8': 0.1 }), at('eu-west-1', '3', 'A=')],
      [/af-south-1 is mid-shift/],
    ],
    [
      'an unreadable region is not drift',
      [at('af-south-1', '7', 'A='), { region: 'eu-west-1', error: 'ServiceUnavailable' }],
      [],
    ],
    ['a single region', [at('eu-west-1', '2', 'A=', { '3': 0.5 })], []],
  ])('%s', (_name, regions, expected) => {
    // Act
    const problems = regionDrift(regions);

    // Assess
    expect(problems).toHaveLength(expected.length);
    for (const [i, pattern] of expected.entries()) expect(problems[i]).toMatch(pattern);
  });
});
