#!/usr/bin/env node
// One program, three names: `promote`, `rollback` and `smoke` (see package.json "bin").
// The CLI is TypeScript run through tsx, so there is no separate build step to forget.
import { basename } from 'node:path';
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const invokedAs = basename(process.argv[1] ?? 'promote').replace(/\.m?js$/, '');
process.exitCode = await main(process.argv.slice(2), invokedAs);
