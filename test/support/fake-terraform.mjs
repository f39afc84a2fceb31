#!/usr/bin/env node
// A stand-in `terraform` for the wrapper's tests (never a real provider): it records its
// argv, answers `version -json`, `workspace select/show`, writes a plan file on `plan -out`,
// replays a `terraform show -json` document on `show -json`, and on `apply` either succeeds
// or fails the way Terraform does for a stale saved plan.
//   FAKE_TF_DIR   where it keeps its state (log, workspace, applied plans)
//   FAKE_TF_SHOW  the show -json document to replay
//   FAKE_TF_STALE 1 → apply fails with "Saved plan is stale"
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.FAKE_TF_DIR;
const args = process.argv.slice(2);
appendFileSync(
  join(dir, 'calls.log'),
  `${JSON.stringify({ args, cwd: process.cwd(), region: process.env.AWS_REGION, endpoint: process.env.AWS_ENDPOINT_URL ?? null })}\n`,
);
const workspaceFile = join(dir, 'workspace');
const read = (f, fallback) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return fallback;
  }
};
const [cmd, sub] = args;
if (cmd === 'version') {
  process.stdout.write(JSON.stringify({ terraform_version: '1.9.8-fake' }));
} else if (cmd === 'init') {
  process.stdout.write('Terraform has been successfully initialized!\n');
} else if (cmd === 'workspace' && sub === 'select') {
  writeFileSync(workspaceFile, args.at(-1));
} else if (cmd === 'workspace' && sub === 'show') {
  process.stdout.write(`${read(workspaceFile, 'default')}\n`);
} else if (cmd === 'plan') {
  const out = args.find((a) => a.startsWith('-out=')).slice(5);
  // A plan file is opaque; this one holds the replayed document and a nonce, so two plans of
  // the same change hash differently, as real ones do.
  writeFileSync(out, `${read(process.env.FAKE_TF_SHOW, '{}')}\n#${process.hrtime.bigint()}`);
  process.stdout.write('Plan: see show -json\n');
} else if (cmd === 'show') {
  process.stdout.write(read(process.env.FAKE_TF_SHOW, '{}'));
} else if (cmd === 'apply') {
  if (process.env.FAKE_TF_STALE === '1') {
    process.stderr.write(
      'Error: Saved plan is stale\n\nThe given plan file can no longer be applied because the state was changed by another operation after the plan was created.\n',
    );
    process.exit(1);
  }
  appendFileSync(join(dir, 'applied.log'), `${args.at(-1)}\n`);
  process.stdout.write('Apply complete!\n');
} else {
  process.stderr.write(`fake terraform: unsupported ${args.join(' ')}\n`);
  process.exit(1);
}
