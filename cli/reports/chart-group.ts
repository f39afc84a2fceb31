/**
 * The charts a report draws, as data: a group of line charts over one shared time axis,
 * shaded bands (a canary's weight steps, a load test's rate steps), a dashed threshold line
 * per chart and an optional marker (the failing analysis, the stress failure point). The
 * page's script (report-page-script.ts) draws any group the same way with uPlot.
 */

/** One line of a chart: `null` where there was no value (a gap, not a zero). */
export interface ChartSeries {
  readonly label: string;
  readonly values: ReadonlyArray<number | null>;
}

/** One line chart of a group. */
export interface Chart {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly series: readonly ChartSeries[];
  /** A limit drawn as a dashed red line (the plan's threshold, an SLA). */
  readonly threshold?: { label: string; value: number };
}

/** A shaded stretch of the x axis (epoch s), labelled at its top left. */
export interface ChartBand {
  readonly label: string;
  readonly from: number;
  readonly to: number;
}

/** Charts sharing one x axis, embedded in the page as JSON (`#run-data`). */
export interface ChartGroup {
  /** Epoch seconds: the shared x axis of every chart of the group. */
  readonly x: readonly number[];
  readonly charts: readonly Chart[];
  readonly bands: readonly ChartBand[];
  /** Index into `x` marked with a red vertical line (what failed), if any. */
  readonly failingIndex?: number;
}

/**
 * Consecutive points with the same key form one band, widened by half a step at both ends
 * so a lone point still shades something; a band ends where the next begins.
 */
export const bandsOf = <K>(
  keys: readonly K[],
  x: readonly number[],
  label: (key: K) => string,
): ChartBand[] => {
  const runs: Array<{ key: K; from: number; to: number }> = [];
  keys.forEach((key, i) => {
    const t = x[i] as number;
    const last = runs.at(-1);
    if (last && last.key === key) last.to = t;
    else runs.push({ key, from: t, to: t });
  });
  const step = x.length > 1 ? ((x.at(-1) as number) - (x[0] as number)) / (x.length - 1) : 30;
  return runs.map((run, i) => {
    const next = runs[i + 1];
    return {
      label: label(run.key),
      from: i === 0 ? run.from - step / 2 : run.from,
      to: next ? next.from : run.to + step / 2,
    };
  });
};
