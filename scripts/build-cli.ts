/**
 * `npm run build:cli` (and `prepare`, so `npm ci` builds it): bundles the promote CLI and
 * the sandbox daemon into `dist/cli/` as plain ESM, so no invocation compiles TypeScript.
 * Code splitting keeps the entry to commander and the command definitions; each command's
 * run, the AWS SDK clients and the sandbox load on first use (dynamic imports → chunks).
 * Dependencies stay in node_modules (external). `build-info.json` records a hash of the
 * sources, so the test setup can tell a stale bundle from a fresh one.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { buildGuardianPackage, GUARDIAN_PACKAGE } from './build-guardian.js';
import { projectRoot } from './project-root.js';

const root = projectRoot(import.meta.url);
export const CLI_OUT_DIR = join(root, 'dist', 'cli');
// infra/ is bundled into the CLI too; guardian/ is packaged beside it (dist/guardian/).
const SOURCE_DIRS = ['cli', 'sandbox', 'service', 'scripts', 'infra', 'guardian'];

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

/** A hash of everything the bundle is made from (sources, lockfile, this script's config). */
export const cliSourceHash = (): string => {
  const hash = createHash('sha256');
  const files = [
    ...SOURCE_DIRS.flatMap((d) => filesUnder(join(root, d))),
    join(root, 'package-lock.json'),
  ].sort();
  for (const file of files) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
};

/** The hash the current bundle was built from, if there is one. */
export const builtCliHash = (): string | undefined => {
  try {
    return (
      JSON.parse(readFileSync(join(CLI_OUT_DIR, 'build-info.json'), 'utf8')) as {
        sourceHash?: string;
      }
    ).sourceHash;
  } catch {
    return undefined;
  }
};

const externals = (): string[] => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  return Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })
    .filter((name) => name !== 'commander')
    .flatMap((name) => [name, `${name}/*`]);
};

export const buildCli = async (): Promise<{ files: number; sourceHash: string }> => {
  const sourceHash = cliSourceHash();
  rmSync(CLI_OUT_DIR, { recursive: true, force: true });
  const result = await build({
    entryPoints: {
      promote: join(root, 'cli', 'main.ts'),
      'sandbox-daemon': join(root, 'sandbox', 'daemon.ts'),
    },
    outdir: CLI_OUT_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies load from node_modules, except commander: the entry needs it for every
    // invocation, and inlined it costs one parse instead of a CommonJS module graph.
    external: externals(),
    // Tells the sandbox client to start the bundled daemon rather than TypeScript via tsx.
    define: { 'globalThis.__PROMOTE_BUNDLED__': 'true' },
    banner: {
      js: "import { createRequire as __promoteRequire } from 'node:module'; const require = __promoteRequire(import.meta.url);",
    },
    chunkNames: 'chunks/[name]-[hash]',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(
    join(CLI_OUT_DIR, 'build-info.json'),
    `${JSON.stringify({ sourceHash, builtAt: new Date().toISOString() }, null, 2)}\n`,
  );
  writeFileSync(join(CLI_OUT_DIR, 'meta.json'), JSON.stringify(result.metafile));
  // The guardian's package, where terraform/main.tf reads it: every `npm ci` (prepare) has it.
  await buildGuardianPackage({ outFile: join(root, GUARDIAN_PACKAGE) });
  return { files: Object.keys(result.metafile.outputs).length, sourceHash };
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const { files } = await buildCli();
  process.stdout.write(`dist/cli: ${files} files in ${Date.now() - started} ms\n`);
}
