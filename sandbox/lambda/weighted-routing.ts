/** A source of uniform numbers in [0, 1), like `Math.random`; injected so tests can seed it. */
export type Random = () => number;

/**
 * Picks the version an alias invocation runs, as Lambda's weighted aliases do: each
 * additional version gets its weight's share of invocations, the alias's primary version
 * the rest. Pure: the randomness comes in as a function, so the split can be tested
 * exactly with a seeded generator instead of thousands of real invocations.
 *
 * @example
 * pickVersion('1', { '2': 0.1 }, Math.random); // '2' about one time in ten, else '1'
 */
export const pickVersion = (
  primary: string,
  additionalWeights: Readonly<Record<string, number>> | undefined,
  random: Random,
): string => {
  const draw = random();
  let threshold = 0;
  // Sorted so that the same draw always maps to the same version, whatever key order
  // the control plane returned the weights in.
  for (const version of Object.keys(additionalWeights ?? {}).sort()) {
    const weight = additionalWeights?.[version] ?? 0;
    if (!(weight > 0)) continue;
    threshold += weight;
    if (draw < threshold) return version;
  }
  return primary;
};

/**
 * A small deterministic generator (mulberry32) for tests and demos that need a
 * reproducible traffic split.
 */
export const seededRandom = (seed: number): Random => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
};
