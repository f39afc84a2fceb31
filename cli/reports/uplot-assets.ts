import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** uPlot's browser build and its stylesheet, as text to inline into a report. */
export interface UplotAssets {
  readonly script: string;
  readonly style: string;
}

let cached: UplotAssets | undefined;

/**
 * Reads uPlot from node_modules at run time. Why not bundle it as text: the CLI bundle
 * (scripts/build-cli.ts) keeps every dependency external, and tsx/vitest run the sources
 * unbundled, so a resolve from this module's location works the same in all three — from
 * `cli/reports/` and from `dist/cli/chunks/` Node walks up to the project's node_modules,
 * where `uplot` is a runtime dependency. Read once per process.
 */
export const uplotAssets = (): UplotAssets => {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  cached = {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return cached;
};
