import { type Command, Option } from 'commander';
import { collect } from './arg-parsers.js';

export interface ChecklistFlags {
  phase?: string[];
  evidence?: string;
  comment?: string;
  confirmations?: string;
}

export interface SignoffFlags {
  gate: string;
}

/**
 * `promote checklist <env> [confirm <id>]` and `promote signoff <env> --gate <id>`: the
 * definitions only; the runs load when used.
 */
export const registerChecklistCommands = (program: Command): void => {
  program
    .command('checklist')
    .description(
      "run the plan's checklist of an environment: probes for what the CLI can check, recorded confirmations for the rest",
    )
    .argument('<env>', 'sit | prod')
    .argument('[action]', '`confirm` to record a manual item')
    .argument('[id]', 'with confirm: the item id (as printed by `promote checklist <env>`)')
    .addOption(
      new Option('--phase <id>', 'only this phase, e.g. sit-pre (repeatable)').argParser(collect),
    )
    .option('--evidence <url-or-file>', 'confirm: a link, or a file (recorded with its SHA-256)')
    .option('--comment <text>', 'confirm: what was checked and found')
    .option(
      '--confirmations <file.yaml>',
      'confirm several items at once (CI): a list of { id, evidence, comment }',
    )
    .addHelpText(
      'after',
      `
Every item of the plan's checklist is either checked by a probe (the same probes preflight
runs) or confirmed by a person, with evidence; both are recorded in the environment's state
table with the caller's ARN and git identity, and written as Markdown + JSON evidence under
.promote/checklists/<env>/. Exit 0 when every required probe passed (open manual items are
listed), 3 when a required probe failed.

Examples:
  $ promote checklist sit --sandbox                          every item, with evidence
  $ promote checklist sit --phase sit-pre                    one phase
  $ promote checklist sit confirm sit-int-suite --evidence https://ci/run/42 --comment "pytest 212 passed"
  $ promote checklist sit --confirmations confirmations.yaml --ci
  $ promote signoff sit --gate sit-signoff                   then sign Gate 4`,
    )
    .action(
      async (
        env: string,
        action: string | undefined,
        id: string | undefined,
        flags: ChecklistFlags,
        command: Command,
      ) => {
        const { checklist } = await import('./checklist-run.js');
        await checklist(env, action, id, flags, command);
      },
    );

  program
    .command('signoff')
    .description(
      "sign a gate of the plan (e.g. SIT's Gate 4) for the package live in the environment; refused while a required item is open",
    )
    .argument('<env>', 'sit | prod')
    .addOption(new Option('--gate <id>', 'the gate, e.g. sit-signoff').makeOptionMandatory())
    .addHelpText(
      'after',
      `
The sign-off binds to the package (CodeSha256) live in the environment: PROD's preflight
refuses to ship any other bytes (exit 3) unless --override-gate sit-signoff --reason "…".

Examples:
  $ promote signoff sit --gate sit-signoff --sandbox
  $ promote signoff sit --gate sit-signoff --ci --yes --json`,
    )
    .action(async (env: string, flags: SignoffFlags, command: Command) => {
      const { signoff } = await import('./checklist-run.js');
      await signoff(env, flags, command);
    });
};
