#!/usr/bin/env node
// One program, three names: `promote`, `rollback` and `smoke` (see package.json "bin").
// The CLI is TypeScript run through tsx, so there is no separate build step to forget.
import { basename } from 'node:path';
import { register } from 'tsx/esm/api';

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
register();
const { main } = await import('../cli/main.ts');
const invokedAs = basename(process.argv[1] ?? 'promote').replace(/\.m?js$/, '');
process.exitCode = await main(process.argv.slice(2), invokedAs);
