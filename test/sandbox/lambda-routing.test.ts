import { CreateAliasCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickVersion, seededRandom } from '../../sandbox/lambda/weighted-routing.js';
import {
  createFunction,
  deployVersion,
  esmHandler,
  invoke,
  type LambdaHarness,
  SIT,
  startLambdaHarness,
} from './lambda-harness.js';

/**
 * Weighted alias routing (`RoutingConfig.AdditionalVersionWeights {"2": 0.1}`).
 *
 * Tolerances: with p = 0.1 a share over n draws has σ = √(p(1−p)/n):
 * n = 10,000 → σ = 0.3 pp, n = 1,500 → σ = 0.77 pp. ±3 pp is then ≥ 3.9σ, so a correct
 * router fails it with probability < 1e-4 per seed; and the seeds make each run identical,
 * so the tests cannot flake. A broken router (weights ignored, inverted or doubled) lands
 * at 0 %, 90 % or 20 %, far outside.
 */

const SEED = 20_240_611;
const WEIGHTS = { '2': 0.1 };

const shareOf = (picks: readonly string[], version: string) =>
  picks.filter((v) => v === version).length / picks.length;

describe('pickVersion (pure, seeded)', () => {
  it('sends 10 % ± 3 pp of 10,000 draws to version 2 and the rest to the primary', () => {
    // Prepare
    const random = seededRandom(SEED);

    // Act
    const picks = Array.from({ length: 10_000 }, () => pickVersion('1', WEIGHTS, random));

    // Assess
    const share = shareOf(picks, '2');
    expect(Math.abs(share - 0.1)).toBeLessThanOrEqual(0.03);
    // Much tighter than the issue's ±3 pp and still > 3σ: catches a small bias too.
    expect(Math.abs(share - 0.1)).toBeLessThanOrEqual(0.01);
    expect(shareOf(picks, '1')).toBeCloseTo(1 - share, 10);
    expect(new Set(picks)).toEqual(new Set(['1', '2']));
  });

  it('maps draws to versions by cumulative weight, whatever the key order', () => {
    // Prepare
    const draws = [0, 0.05, 0.0999, 0.1, 0.5, 0.9999];
    const fixed = (value: number) => () => value;

    // Act
    const single = draws.map((d) => pickVersion('1', WEIGHTS, fixed(d)));
    const twoA = [0.15, 0.25, 0.35].map((d) => pickVersion('1', { '3': 0.2, '2': 0.1 }, fixed(d)));
    const twoB = [0.15, 0.25, 0.35].map((d) => pickVersion('1', { '2': 0.1, '3': 0.2 }, fixed(d)));

    // Assess
    expect(single).toEqual(['2', '2', '2', '1', '1', '1']);
    expect(twoA).toEqual(['3', '3', '1']);
    expect(twoB).toEqual(twoA);
  });

  it('always picks the primary without weights, or with zero weights', () => {
    // Prepare
    const random = seededRandom(SEED);

    // Act
    const picks = Array.from({ length: 1_000 }, (_, i) =>
      pickVersion('7', i % 2 === 0 ? undefined : { '8': 0 }, random),
    );

    // Assess
    expect(new Set(picks)).toEqual(new Set(['7']));
  });
});

describe('weighted alias through the SDK (real invokes, seeded runtime random)', () => {
  const INVOKES = 1_500;
  const PARALLEL = 10;
  let h: LambdaHarness;
  let sit: LambdaClient;

  beforeAll(async () => {
    h = await startLambdaHarness({ random: seededRandom(SEED) });
    sit = h.lambda(SIT);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('splits alias live 90/10 between versions 1 and 2 over 1,500 invokes', async () => {
    // Prepare
    const name = h.name('canary');
    const code = (label: string) => esmHandler(`return '${label}';`);
    await createFunction(h, { name, code: code('blue') });
    expect(await deployVersion(sit, name, code('blue'))).toBe('1');
    expect(await deployVersion(sit, name, code('green'))).toBe('2');
    await sit.send(
      new CreateAliasCommand({
        FunctionName: name,
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: WEIGHTS },
      }),
    );
    const answers: { version?: string; body: string }[] = [];

    // Act
    // Each invocation draws exactly once from the runtime's random, so the number routed to
    // version 2 is fixed by the seed even though invocations run 10 at a time.
    for (let done = 0; done < INVOKES; done += PARALLEL) {
      const batch = await Promise.all(
        Array.from({ length: PARALLEL }, () => invoke(sit, name, { qualifier: 'live' })),
      );
      for (const a of batch) answers.push({ version: a.executedVersion, body: a.body });
    }

    // Assess
    const versions = answers.map((a) => a.version ?? '');
    const replay = seededRandom(SEED);
    const expected = Array.from({ length: INVOKES }, () => pickVersion('1', WEIGHTS, replay));
    expect(versions.filter((v) => v === '2')).toHaveLength(
      expected.filter((v) => v === '2').length,
    );
    expect(Math.abs(shareOf(versions, '2') - 0.1)).toBeLessThanOrEqual(0.03);
    expect(shareOf(versions, '1') + shareOf(versions, '2')).toBe(1);
    // The version reported is the version that ran.
    for (const a of answers) expect(a.body).toBe(a.version === '2' ? 'green' : 'blue');
  });
});
