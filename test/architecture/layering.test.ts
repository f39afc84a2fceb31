import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The direction of dependencies, enforced: `infra/` (environment and infrastructure facts)
 * depends on nothing of ours; `sandbox/` and `service/` never import `cli/`; `cli/` imports
 * `sandbox/` only to start it or talk to it. A new import across a line fails the build.
 */

const ROOT = join(import.meta.dirname, '..', '..');

interface Edge {
  readonly from: string;
  readonly to: string;
}

const sources = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** Relative imports of one file, as repository paths (`.js` specifiers → `.ts` files). */
const edgesOf = (file: string): Edge[] => {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => ({
    from: file,
    to: normalize(join(dirname(file), (m[1] ?? m[2]) as string)).replace(/\.js$/, '.ts'),
  }));
};

const top = (path: string) => path.split('/')[0] as string;

/** What `cli/` may import from `sandbox/`: starting it, talking to it, generating load. */
const CLI_MAY_USE_FROM_SANDBOX = new Set([
  'sandbox/control-client.ts',
  'sandbox/paths.ts',
  'sandbox/connection.ts',
  'sandbox/sandbox-error.ts',
  'sandbox/api/jwt.ts',
  'sandbox/api/traffic.ts',
  // The pure pieces of load generation, shared by `sandbox traffic` and `promote load`.
  'sandbox/api/traffic-model.ts',
  'sandbox/api/arrival-schedule.ts',
  'sandbox/api/open-loop.ts',
  'sandbox/api/send-request.ts',
]);

/** The rules, as a pure function of the import graph. */
const layerViolations = (edges: readonly Edge[]): string[] =>
  edges.flatMap(({ from, to }) => {
    const a = top(from);
    const b = top(to);
    if (a === b) return [];
    if (a === 'infra') return [`${from} → ${to}: infra/ depends on nothing of ours`];
    // Deployed on its own (the canary guardian): shared facts come from infra/ only.
    if (a === 'guardian' && b !== 'infra') {
      return [`${from} → ${to}: guardian/ imports only infra/`];
    }
    if ((a === 'sandbox' || a === 'service') && b === 'cli') {
      return [`${from} → ${to}: ${a}/ must not import cli/`];
    }
    if (a === 'service' && b === 'sandbox')
      return [`${from} → ${to}: service/ must not import sandbox/`];
    // Steps and AWS clients run unchanged against AWS: no sandbox in them, even to talk to it.
    if (/^cli\/(aws|steps|runner)\//.test(from) && b === 'sandbox') {
      return [
        `${from} → ${to}: cli/aws, cli/steps and cli/runner run against AWS, never the sandbox`,
      ];
    }
    if (a === 'cli' && b === 'sandbox' && !CLI_MAY_USE_FROM_SANDBOX.has(to)) {
      return [`${from} → ${to}: cli/ uses sandbox/ only to start it or talk to it`];
    }
    return [];
  });

describe('layering', () => {
  it('the code base keeps the direction infra ← service, sandbox ← cli', () => {
    // Prepare
    const edges = ['infra', 'service', 'guardian', 'sandbox', 'cli', 'scripts']
      .flatMap(sources)
      .flatMap(edgesOf);

    // Act
    const violations = layerViolations(edges);

    // Assess
    expect(edges.length).toBeGreaterThan(100);
    expect(violations).toEqual([]);
  });

  it('the rules catch each kind of crossing (the check can fail)', () => {
    // Act
    const violations = layerViolations([
      { from: 'sandbox/provision.ts', to: 'cli/plans/plans.ts' },
      { from: 'infra/alarms.ts', to: 'sandbox/paths.ts' },
      { from: 'service/router.ts', to: 'cli/errors.ts' },
      { from: 'cli/steps/deploy.ts', to: 'sandbox/provision.ts' },
      { from: 'cli/aws/aws-errors.ts', to: 'sandbox/sandbox-error.ts' },
      { from: 'guardian/guard.ts', to: 'cli/journal/run-journal.ts' },
      { from: 'cli/commands/connect.ts', to: 'sandbox/control-client.ts' },
      { from: 'sandbox/provision.ts', to: 'infra/environments.ts' },
    ]);

    // Assess: the last two are allowed
    expect(violations).toHaveLength(6);
  });
});
