/**
 * The statistics of the canary analysis: pure functions, no I/O, no dependencies.
 *
 * Both tests are ONE-SIDED and ask the rollback question "is the canary WORSE than the
 * baseline?": the proportion test whether the canary's error proportion is greater, the rank
 * test whether the canary's latencies tend to be greater. A small `pOneSided` is evidence
 * that the canary is worse; `pOneSided = 1` means "no evidence at all" (degenerate input).
 */

/** Result of {@link twoProportionTest}. */
export interface ProportionTest {
  /** Standardised difference (pA − pB) / SE with the pooled standard error; 0 when degenerate. */
  readonly z: number;
  /** P(Z ≥ z): probability of a difference at least this large if A and B share a proportion. */
  readonly pOneSided: number;
}

/** Result of {@link mannWhitneyU}. */
export interface RankTest {
  /** U of sample A: pairs (a, b) with a > b, plus half of the tied pairs. 0 when a sample is empty. */
  readonly u: number;
  /** Normal approximation of U with tie and continuity correction; 0 when degenerate. */
  readonly z: number;
  /** P(Z ≥ z): probability of U at least this large if A and B come from one distribution. */
  readonly pOneSided: number;
}

const NO_EVIDENCE = { z: 0, pOneSided: 1 } as const;

/** ln √(2π). */
const LOG_SQRT_2PI = 0.9189385332046728;

/** Standard normal density φ(z). */
const density = (z: number): number => Math.exp(-0.5 * z * z - LOG_SQRT_2PI);

/**
 * Φ(z) for |z| ≤ 3 by the Taylor series of Marsaglia (2004, "Evaluating the Normal
 * Distribution", J. Stat. Softw. 11(4)): Φ(z) = ½ + φ(z)·(z + z³/3 + z⁵/(3·5) + …), summed until
 * a term no longer changes the sum.
 */
const seriesCdf = (z: number): number => {
  const q = z * z;
  let sum = z;
  let term = z;
  let previous = 0;
  for (let i = 1; sum !== previous; ) {
    previous = sum;
    i += 2;
    term *= q / i;
    sum = previous + term;
  }
  return 0.5 + sum * density(z);
};

/**
 * Upper tail Q(x) = 1 − Φ(x) for x > 3 by Laplace's continued fraction for the Mills ratio,
 * Q(x) = φ(x) / (x + 1/(x + 2/(x + 3/(x + …)))), evaluated bottom-up over 80 levels (40 already
 * converge to double precision at x = 3). Relative error stays at rounding level in the tail.
 */
const upperTailCf = (x: number): number => {
  let f = 0;
  for (let k = 80; k >= 1; k--) f = k / (x + f);
  return density(x) / (x + f);
};

/**
 * Standard normal cumulative distribution Φ(z) = P(Z ≤ z).
 *
 * |z| ≤ 3: Marsaglia's Taylor series; |z| > 3: Laplace's continued fraction for the tail.
 * Checked against scipy.stats.norm on a 0.01 grid over [−37, 37]: absolute error below 1e-15
 * (documented bound: 1e-13), and relative error below 1e-12 for Φ(z), z ≤ 0 — the side p-values
 * are read from, so tiny p-values stay meaningful. Far inside the 1e-6 a gate needs. Φ(−z) = 1 − Φ(z) to rounding; ±Infinity give 1 and 0; NaN gives NaN.
 *
 * @example normalCdf(0) // 0.5
 * @example normalCdf(1.96) // ≈ 0.9750021
 */
export const normalCdf = (z: number): number => {
  if (Number.isNaN(z)) return Number.NaN;
  if (z === Number.POSITIVE_INFINITY) return 1;
  if (z === Number.NEGATIVE_INFINITY) return 0;
  if (Math.abs(z) <= 3) return seriesCdf(z);
  const tail = upperTailCf(Math.abs(z));
  return z > 0 ? 1 - tail : tail;
};

/** P(Z ≥ z), from the lower tail of the mirrored value so small p-values keep their precision. */
const upperTail = (z: number): number => Math.min(1, Math.max(0, normalCdf(-z)));

const assertCount = (name: string, value: number): void => {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
};

const assertTable = (aSuccesses: number, aTrials: number, bSuccesses: number, bTrials: number) => {
  assertCount('aSuccesses', aSuccesses);
  assertCount('aTrials', aTrials);
  assertCount('bSuccesses', bSuccesses);
  assertCount('bTrials', bTrials);
  if (aSuccesses > aTrials) throw new RangeError(`aSuccesses ${aSuccesses} > aTrials ${aTrials}`);
  if (bSuccesses > bTrials) throw new RangeError(`bSuccesses ${bSuccesses} > bTrials ${bTrials}`);
};

/**
 * One-sided two-proportion z-test: is proportion A (canary errors / canary invocations)
 * GREATER than proportion B (baseline errors / baseline invocations)?
 *
 * z = (p̂A − p̂B) / √(p̂(1 − p̂)(1/nA + 1/nB)) with the pooled p̂ = (xA + xB) / (nA + nB), and
 * pOneSided = P(Z ≥ z). The normal approximation wants a handful of successes and failures on
 * each side and is ANTI-conservative for rare events (p too small when few errors are
 * expected); {@link fisherExactTest} is the exact counterpart for deciding.
 *
 * Degenerate input carries no evidence and gives `{ z: 0, pOneSided: 1 }`: either side with
 * 0 trials, or a pooled proportion of exactly 0 (no errors anywhere) or 1 (only errors).
 *
 * @throws RangeError when a count is not a non-negative integer or successes exceed trials.
 */
export const twoProportionTest = (
  aSuccesses: number,
  aTrials: number,
  bSuccesses: number,
  bTrials: number,
): ProportionTest => {
  assertTable(aSuccesses, aTrials, bSuccesses, bTrials);
  if (aTrials === 0 || bTrials === 0) return NO_EVIDENCE;
  const pooled = (aSuccesses + bSuccesses) / (aTrials + bTrials);
  if (pooled === 0 || pooled === 1) return NO_EVIDENCE;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / aTrials + 1 / bTrials));
  const z = (aSuccesses / aTrials - bSuccesses / bTrials) / se;
  return { z, pOneSided: upperTail(z) };
};

/** Result of {@link fisherExactTest}. */
export interface ExactTest {
  /** P(X ≥ aSuccesses) for X hypergeometric with the table's margins. */
  readonly pOneSided: number;
}

/**
 * One-sided Fisher exact test on the 2×2 table [[aSuccesses, aTrials − aSuccesses],
 * [bSuccesses, bTrials − bSuccesses]]: is proportion A GREATER than proportion B?
 *
 * pOneSided = P(X ≥ aSuccesses), X ~ Hypergeometric(N = aTrials + bTrials,
 * K = aSuccesses + bSuccesses, n = aTrials) — as scipy's `fisher_exact(table,
 * alternative='greater')`. Exact, so it stays honest where the z-test's normal approximation
 * does not: few expected errors in a small canary share. (With 1% errors and 200–600 canary
 * invocations against a 9× baseline, `twoProportionTest` gives p < 0.01 in 1–2% of same-
 * distribution windows, this test in about 0.5%.)
 *
 * The probabilities are summed from the mode outwards with the pmf ratio
 * P(x+1)/P(x) = (K − x)(n − x) / ((x + 1)(N − K − n + x + 1)), stopping once a term is below
 * 1e-17 of the sum it adds to; relative error stays near rounding level, a p-value below
 * ~1e-300 underflows to 0. Degenerate input (a side with 0 trials, no or only successes)
 * gives 1, as in {@link twoProportionTest}.
 *
 * @throws RangeError when a count is not a non-negative integer or successes exceed trials.
 */
export const fisherExactTest = (
  aSuccesses: number,
  aTrials: number,
  bSuccesses: number,
  bTrials: number,
): ExactTest => {
  assertTable(aSuccesses, aTrials, bSuccesses, bTrials);
  const N = aTrials + bTrials;
  const K = aSuccesses + bSuccesses;
  const n = aTrials;
  if (aTrials === 0 || bTrials === 0 || K === 0 || K === N) return { pOneSided: 1 };
  const x0 = aSuccesses;
  const lo = Math.max(0, n + K - N);
  const hi = Math.min(K, n);
  const mode = Math.floor(((n + 1) * (K + 1)) / (N + 2));
  const ratioUp = (x: number) => ((K - x) * (n - x)) / ((x + 1) * (N - K - n + x + 1));
  // Terms relative to P(mode) = 1.
  let total = 1;
  let tail = mode >= x0 ? 1 : 0;
  let term = 1;
  for (let x = mode; x < hi; x++) {
    term *= ratioUp(x);
    total += term;
    if (x + 1 >= x0) {
      tail += term;
      if (term < 1e-17 * tail) break;
    } else if (term === 0) break;
  }
  term = 1;
  for (let x = mode; x > lo; x--) {
    term /= ratioUp(x - 1);
    total += term;
    if (x - 1 >= x0) tail += term;
    if (term < 1e-17 * total) break;
  }
  return { pOneSided: Math.min(1, tail / total) };
};

/**
 * One-sided Mann–Whitney U (Wilcoxon rank-sum) test: do values of A tend to be GREATER than
 * values of B (canary slower than baseline)?
 *
 * - Ranks are taken over A ∪ B with midranks for ties; U = R_A − nA(nA + 1)/2, which equals
 *   #{a > b} + ½·#{a = b} over all pairs.
 * - Normal approximation: μ = nA·nB/2 and, with tie correction,
 *   σ² = nA·nB/12 · ((n + 1) − Σ(t³ − t) / (n(n − 1))), n = nA + nB, t = size of each tie group.
 * - Continuity correction: z = (U − μ − ½) / σ, pOneSided = P(Z ≥ z) — as scipy's
 *   `mannwhitneyu(a, b, alternative='greater', method='asymptotic')`.
 *
 * An empty A or B gives `{ u: 0, z: 0, pOneSided: 1 }`; σ = 0 (every value tied) gives z = 0,
 * pOneSided = 1 with the computed U: no evidence either way.
 *
 * @throws RangeError when a value is not finite.
 */
export const mannWhitneyU = (a: readonly number[], b: readonly number[]): RankTest => {
  for (const v of [...a, ...b]) {
    if (!Number.isFinite(v)) throw new RangeError(`samples must be finite numbers, got ${v}`);
  }
  const nA = a.length;
  const nB = b.length;
  if (nA === 0 || nB === 0) return { u: 0, ...NO_EVIDENCE };
  const n = nA + nB;
  const pooled = [
    ...a.map((value) => ({ value, fromA: true })),
    ...b.map((value) => ({ value, fromA: false })),
  ].sort((x, y) => x.value - y.value);

  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pooled[j + 1]!.value === pooled[i]!.value) j++;
    const t = j - i + 1;
    const midrank = (i + 1 + (j + 1)) / 2;
    for (let k = i; k <= j; k++) if (pooled[k]!.fromA) rankSumA += midrank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }

  const u = rankSumA - (nA * (nA + 1)) / 2;
  const mean = (nA * nB) / 2;
  const variance = ((nA * nB) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { u, ...NO_EVIDENCE };
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  return { u, z, pOneSided: upperTail(z) };
};

/**
 * Median of a sample (mean of the two middle values for an even count); NaN when empty.
 */
export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
