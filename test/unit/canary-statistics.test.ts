import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fisherExactTest,
  mannWhitneyU,
  median,
  normalCdf,
  twoProportionTest,
} from '../../cli/canary/statistics.js';

/** Φ(z) by Simpson's rule over the density: an independent reference for normalCdf. */
const simpsonCdf = (z: number): number => {
  const steps = 2000;
  const h = z / steps;
  const phi = (x: number) => Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI);
  let sum = phi(0) + phi(z);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * phi(i * h);
  return 0.5 + (sum * h) / 3;
};

/** U of A by its definition: pairs with a > b, plus half of the ties. */
const pairCountU = (a: readonly number[], b: readonly number[]): number => {
  let u = 0;
  for (const x of a) for (const y of b) u += x > y ? 1 : x === y ? 0.5 : 0;
  return u;
};

describe('normalCdf', () => {
  // Reference values: scipy.stats.norm.cdf.
  it.each([
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1, 0.8413447460685429],
    [1.645, 0.9500150944608786],
    [1.96, 0.9750021048517795],
    [2.326, 0.9899907246591323],
    [3, 0.9986501019683699],
    [-3, 0.0013498980316300933],
    [5, 0.9999997133484281],
  ])('Φ(%d) = %d within 1e-13', (z, expected) => {
    // Act
    const actual = normalCdf(z);

    // Assess
    expect(Math.abs(actual - expected)).toBeLessThan(1e-13);
  });

  it.each([
    [-6, 9.865876450376946e-10],
    [-10, 7.61985302416047e-24],
    [-20, 2.7536241186061556e-89],
  ])('keeps the far tail relatively accurate: Φ(%d) ≈ %d', (z, expected) => {
    // Act
    const tail = normalCdf(z);

    // Assess
    expect(Math.abs(tail / expected - 1)).toBeLessThan(1e-12);
  });

  it('maps ±Infinity to 1 and 0 and NaN to NaN', () => {
    // Assess
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it('agrees with numerical integration of the density within 1e-9 on [-8, 8]', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (z) => {
        expect(Math.abs(normalCdf(z) - simpsonCdf(z))).toBeLessThan(1e-9);
      }),
    );
  });

  it('is symmetric, bounded and non-decreasing', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -40, max: 40, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (z, step) => {
          const p = normalCdf(z);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(Math.abs(p + normalCdf(-z) - 1)).toBeLessThan(1e-12);
          expect(normalCdf(z + step)).toBeGreaterThanOrEqual(p - 1e-15);
        },
      ),
    );
  });
});

describe('twoProportionTest (one-sided: A greater than B)', () => {
  // Reference values: pooled z-test computed with scipy.stats.norm.sf.
  it.each([
    { a: [45, 100], b: [30, 100], z: 2.1908902300206647, p: 0.014229868458155276 },
    { a: [30, 100], b: [45, 100], z: -2.1908902300206647, p: 0.9857701315418447 },
    { a: [40, 1000], b: [5, 1000], z: 5.277198185372175, p: 6.558699943052124e-8 },
    { a: [1, 20], b: [0, 20], z: 1.0127393670836666, p: 0.15559233441130899 },
  ])('$a vs $b → z $z, p $p', ({ a, b, z, p }) => {
    // Act
    const result = twoProportionTest(a[0]!, a[1]!, b[0]!, b[1]!);

    // Assess
    expect(result.z).toBeCloseTo(z, 10);
    expect(Math.abs(result.pOneSided - p)).toBeLessThan(1e-6);
    expect(Math.abs(result.pOneSided / p - 1)).toBeLessThan(1e-5);
  });

  it.each([
    ['no canary trials', 0, 0, 3, 100],
    ['no baseline trials', 3, 100, 0, 0],
    ['no errors anywhere (pooled 0)', 0, 500, 0, 500],
    ['only errors (pooled 1)', 50, 50, 40, 40],
  ])('carries no evidence with %s: z 0, p 1', (_, aS, aN, bS, bN) => {
    // Act
    const result = twoProportionTest(aS, aN, bS, bN);

    // Assess
    expect(result).toEqual({ z: 0, pOneSided: 1 });
  });

  it.each([
    ['negative successes', -1, 10, 0, 10],
    ['fractional trials', 1, 10.5, 0, 10],
    ['successes above trials', 11, 10, 0, 10],
    ['baseline successes above trials', 1, 10, 11, 10],
    ['NaN', Number.NaN, 10, 0, 10],
  ])('refuses %s', (_, aS, aN, bS, bN) => {
    // Assess
    expect(() => twoProportionTest(aS, aN, bS, bN)).toThrow(RangeError);
  });

  it('gives equal proportions z = 0 and p ≈ 0.5 (or 1 when degenerate)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 500 })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        ([s, n]) => {
          const result = twoProportionTest(s, n, s, n);
          expect(result.z).toBe(0);
          if (n === 0 || s === 0 || s === n) expect(result.pOneSided).toBe(1);
          else expect(result.pOneSided).toBeCloseTo(0.5, 6);
        },
      ),
    );
  });

  it('is antisymmetric: swapping A and B negates z', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 300 })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        fc
          .integer({ min: 1, max: 300 })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        ([aS, aN], [bS, bN]) => {
          const ab = twoProportionTest(aS, aN, bS, bN);
          const ba = twoProportionTest(bS, bN, aS, aN);
          expect(ab.z + ba.z).toBeCloseTo(0, 12);
          if (ab.pOneSided !== 1 || ab.z !== 0) {
            expect(ab.pOneSided + ba.pOneSided).toBeCloseTo(1, 6);
          }
        },
      ),
    );
  });

  it('keeps p in [0, 1] and lowers it as canary errors grow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc
          .integer({ min: 1, max: 400 })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constant(n))),
        (aN, [bS, bN]) => {
          // bS < bN keeps the pooled proportion below 1 (the degenerate p = 1 of "all errors").
          let previous = Number.POSITIVE_INFINITY;
          for (let aS = 0; aS <= aN; aS++) {
            const { pOneSided } = twoProportionTest(aS, aN, bS, bN);
            expect(pOneSided).toBeGreaterThanOrEqual(0);
            expect(pOneSided).toBeLessThanOrEqual(1);
            expect(pOneSided).toBeLessThanOrEqual(previous + 1e-12);
            previous = pOneSided;
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('fisherExactTest (one-sided: A greater than B)', () => {
  // Reference values: scipy.stats.fisher_exact([[xA, nA − xA], [xB, nB − xB]], alternative='greater').
  it.each([
    { name: "Fisher's tea tasting 3/4 vs 1/4", t: [3, 4, 1, 4], p: 0.24285714285714283 },
    { name: '1% noise, 10% canary', t: [12, 555, 39, 4995], p: 0.003665963589209843 },
    { name: 'rare errors, few expected', t: [9, 283, 22, 2547], p: 0.002440650464028334 },
    { name: 'z-test says 1.1e-5 here', t: [13, 426, 32, 3834], p: 0.00030444536890526796 },
    { name: '4% vs 0.5%', t: [40, 1000, 5, 1000], p: 2.899299250563597e-8 },
    { name: '1/20 vs 0/20', t: [1, 20, 0, 20], p: 0.5 },
    { name: '10% vs 4%', t: [100, 1000, 40, 1000], p: 7.853391470852476e-8 },
    { name: 'large tables, tiny p', t: [1500, 100000, 1000, 100000], p: 3.525439738989295e-24 },
    { name: 'canary better than baseline', t: [0, 50, 5, 50], p: 1 },
  ])('$name → p $p', ({ t, p }) => {
    // Act
    const { pOneSided } = fisherExactTest(t[0]!, t[1]!, t[2]!, t[3]!);

    // Assess
    expect(Math.abs(pOneSided / p - 1)).toBeLessThan(1e-9);
  });

  it('is more conservative than the pooled z-test where few errors are expected', () => {
    // Act
    const exact = fisherExactTest(13, 426, 32, 3834).pOneSided;
    const approx = twoProportionTest(13, 426, 32, 3834).pOneSided;

    // Assess
    expect(approx).toBeLessThan(2e-5);
    expect(exact).toBeGreaterThan(10 * approx);
  });

  it.each([
    ['no canary trials', 0, 0, 3, 100],
    ['no baseline trials', 3, 100, 0, 0],
    ['no errors anywhere', 0, 500, 0, 500],
    ['only errors', 50, 50, 40, 40],
  ])('carries no evidence with %s: p 1', (_, aS, aN, bS, bN) => {
    // Assess
    expect(fisherExactTest(aS, aN, bS, bN)).toEqual({ pOneSided: 1 });
  });

  it('refuses successes above trials', () => {
    // Assess
    expect(() => fisherExactTest(11, 10, 0, 10)).toThrow(RangeError);
  });

  it('sums the hypergeometric upper tail (checked against a direct sum on small tables)', () => {
    const choose = (n: number, k: number): number => {
      let r = 1;
      for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
      return r;
    };
    const table = fc
      .integer({ min: 1, max: 40 })
      .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));
    fc.assert(
      fc.property(table, table, ([aS, aN], [bS, bN]) => {
        const K = aS + bS;
        const N = aN + bN;
        let tail = 0;
        for (let x = aS; x <= Math.min(K, aN); x++) tail += choose(aN, x) * choose(bN, K - x);
        const direct = K === 0 || K === N ? 1 : tail / choose(N, K);
        const { pOneSided } = fisherExactTest(aS, aN, bS, bN);
        expect(pOneSided).toBeGreaterThanOrEqual(0);
        expect(pOneSided).toBeLessThanOrEqual(1);
        expect(Math.abs(pOneSided - direct)).toBeLessThan(1e-9 * Math.max(direct, 1e-300) + 1e-15);
      }),
    );
  });

  it('lowers p as canary errors grow', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc
          .integer({ min: 1, max: 300 })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constant(n))),
        (aN, [bS, bN]) => {
          let previous = Number.POSITIVE_INFINITY;
          for (let aS = 0; aS <= aN; aS++) {
            const { pOneSided } = fisherExactTest(aS, aN, bS, bN);
            expect(pOneSided).toBeLessThanOrEqual(previous * (1 + 1e-9));
            previous = pOneSided;
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('mannWhitneyU (one-sided: A tends to be greater than B)', () => {
  // Hand-ranked tables; p-values agree with
  // scipy.stats.mannwhitneyu(a, b, alternative='greater', method='asymptotic').
  it.each([
    {
      name: 'scipy docs example, no ties: ranks of A 3+5+7+8+9 = 32, U = 32 − 15',
      a: [19, 22, 16, 29, 24],
      b: [20, 11, 17, 12],
      u: 17,
      p: 0.055673443266570206,
    },
    {
      name: 'one tie group of 3 (midrank 3): ranks of A 3+3+5 = 11, U = 11 − 6',
      a: [3, 3, 5],
      b: [1, 3],
      u: 5,
      p: 0.16646080403278296,
    },
    {
      name: 'complete separation 5 vs 5: U = 25',
      a: [10, 20, 30, 40, 50],
      b: [1, 2, 3, 4, 5],
      u: 25,
      p: 0.006092890177672406,
    },
    {
      name: 'identical samples 3 vs 3: U = 4.5, just above one half',
      a: [1, 2, 3],
      b: [1, 2, 3],
      u: 4.5,
      p: 0.5902615116112394,
    },
    {
      name: 'several tie groups across samples',
      a: [1.1, 2.3, 2.3, 4.0, 5.5, 7.1],
      b: [0.5, 2.3, 3.3, 3.3, 4.0],
      u: 18.5,
      p: 0.289328383797096,
    },
  ])('$name', ({ a, b, u, p }) => {
    // Act
    const result = mannWhitneyU(a, b);

    // Assess
    expect(result.u).toBe(u);
    expect(Math.abs(result.pOneSided - p)).toBeLessThan(1e-6);
  });

  it('reads a reversed separation as no evidence that A is greater', () => {
    // Act
    const result = mannWhitneyU([1, 2, 3, 4, 5], [10, 20, 30, 40, 50]);

    // Assess
    expect(result.u).toBe(0);
    expect(result.z).toBeLessThan(-2);
    expect(result.pOneSided).toBeGreaterThan(0.99);
  });

  it.each([
    ['empty A', [], [1, 2, 3]],
    ['empty B', [1, 2, 3], []],
    ['both empty', [], []],
  ])('gives %s u 0, z 0, p 1', (_, a, b) => {
    // Assess
    expect(mannWhitneyU(a, b)).toEqual({ u: 0, z: 0, pOneSided: 1 });
  });

  it('gives all-tied samples (σ = 0) z 0, p 1', () => {
    // Act
    const result = mannWhitneyU([7, 7, 7], [7, 7]);

    // Assess
    expect(result).toEqual({ u: 3, z: 0, pOneSided: 1 });
  });

  it('refuses non-finite samples', () => {
    // Assess
    expect(() => mannWhitneyU([1, Number.NaN], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([1], [Number.POSITIVE_INFINITY])).toThrow(RangeError);
  });

  const sample = fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 25 });

  it('computes U as the pair count, U(A, B) + U(B, A) = nA·nB, p in [0, 1]', () => {
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const ab = mannWhitneyU(a, b);
        const ba = mannWhitneyU(b, a);
        expect(ab.u).toBe(pairCountU(a, b));
        expect(ab.u + ba.u).toBe(a.length * b.length);
        expect(ab.pOneSided).toBeGreaterThanOrEqual(0);
        expect(ab.pOneSided).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('gives a sample against itself p ≈ 0.5 or above (1 when all tied)', () => {
    fc.assert(
      fc.property(sample, (a) => {
        const { pOneSided } = mannWhitneyU(a, a);
        expect(pOneSided).toBeGreaterThanOrEqual(0.5);
        if (new Set(a).size === 1) expect(pOneSided).toBe(1);
        else expect(pOneSided).toBeLessThan(0.75);
      }),
    );
  });

  it('lowers p as A is shifted further above B', () => {
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -40, max: 40 }), (a, b, shift) => {
        // A sits on half-integers and B on integers: no tie ever crosses the samples, so
        // the tie correction is the same for every shift and only U moves.
        const shifted = (k: number) => a.map((x) => x + k + 0.5);
        const lower = mannWhitneyU(shifted(shift), b).pOneSided;
        const higher = mannWhitneyU(shifted(shift + 1), b).pOneSided;
        expect(higher).toBeLessThanOrEqual(lower + 1e-12);
      }),
    );
  });
});

describe('median', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[5], 5],
  ])('median of %j is %d', (values, expected) => {
    // Assess
    expect(median(values)).toBe(expected);
  });

  it('is NaN for an empty sample', () => {
    // Assess
    expect(median([])).toBeNaN();
  });
});
