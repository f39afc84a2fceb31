#!/usr/bin/env node
// One program, three names: `promote`, `rollback` and `smoke` (see package.json "bin").
// It runs the bundle `npm ci` builds (scripts/build-cli.ts via "prepare"): plain JavaScript
// whose commands load on first use, so `promote --help` costs about a bare `node`.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The SDK warns on every run that releases after January 2027 need Node 22; this package
// pins its SDK in package-lock.json, so on Node 20 the warning is noise in every report.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// `promote … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'promote.mjs');
if (!existsSync(bundle)) {
  process.stderr.write(
    '✖ the promote CLI is not built (dist/cli/promote.mjs is missing) [CLI_NOT_BUILT]\n  → run: npm ci (or npm run build:cli)\n',
  );
  process.exit(1);
}
const { main } = await import(pathToFileURL(bundle).href);
const invokedAs = basename(process.argv[1] ?? 'promote').replace(/\.m?js$/, '');
process.exitCode = await main(process.argv.slice(2), invokedAs);
