import type { Reason, Verdict } from './assess.js';

/**
 * How the canary gate writes its reasons: numbers as people read them, and the one shape
 * every trigger's reason takes (assess.ts, baseline-comparison.ts).
 */

/** 12.5, 5, 0.33 — at most two decimals, no trailing zeros. */
export const num = (n: number): string =>
  Number.isFinite(n) ? String(Number(n.toFixed(2))) : String(n);
/** `num`, with more digits when two decimals would hide a crossing: "5.001% > 5%", not "5% > 5%". */
export const near = (value: number, threshold: number): string =>
  value !== threshold && num(value) === num(threshold)
    ? String(Number(value.toPrecision(6)))
    : num(value);
/** p-values: two significant digits, exponent below 1e-4. */
export const pval = (p: number): string =>
  p < 1e-4 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
export const cmp = (value: number, threshold: number): string => (value > threshold ? '>' : '≤');

export const reason = (
  trigger: string,
  verdict: Verdict,
  message: string,
  value?: number,
  threshold?: number,
): Reason => ({
  trigger,
  verdict,
  ...(value !== undefined ? { value } : {}),
  ...(threshold !== undefined ? { threshold } : {}),
  message,
});

/** Strictly greater fails, equal passes: the plan writes "> 5%". */
export const limit = (
  trigger: string,
  value: number,
  threshold: number,
  describe: (op: string) => string,
): Reason =>
  reason(
    trigger,
    value > threshold ? 'fail' : 'pass',
    describe(cmp(value, threshold)),
    value,
    threshold,
  );
