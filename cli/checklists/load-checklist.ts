import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { EnvName } from '../../infra/environments.js';
import { PromoteError } from '../errors.js';
import { type ChecklistFile, type ChecklistItem, checklistFileSchema } from './checklist-schema.js';

/**
 * Reads `checklists/<env>.yaml`, the plan's checklists as data, and refuses a file the CLI
 * could not act on: schema errors, duplicate ids, a gate naming a phase that does not exist.
 * Every refusal is a usage error `CHECKLIST_INVALID` naming the file and the offending path.
 */

/** The environments the plan has checklists for: DEV has none. */
export type ChecklistEnv = Exclude<EnvName, 'dev'>;

export const hasChecklist = (env: EnvName): env is ChecklistEnv => env !== 'dev';

const isDir = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

/**
 * The `checklists/` directory of the checkout, found by walking up from this module: the
 * same answer from the TypeScript sources (`cli/checklists/`) and from the bundle
 * (`dist/cli/`, `dist/cli/chunks/`).
 */
export const defaultChecklistDir = (from: string = import.meta.url): string => {
  const start = dirname(fileURLToPath(from));
  let dir = start;
  while (!(isDir(join(dir, 'checklists')) && existsSync(join(dir, 'package.json')))) {
    const up = dirname(dir);
    if (up === dir) {
      throw new PromoteError(
        'usage',
        'CHECKLIST_INVALID',
        `no checklists/ directory next to a package.json above ${start}`,
        'run promote from a checkout of the order_lambda repository',
      );
    }
    dir = up;
  }
  return join(dir, 'checklists');
};

/** `phases[0].sections[2].items[1] (sit-infra-table).check`: a path a person can find. */
const describePath = (data: unknown, path: ReadonlyArray<PropertyKey>): string => {
  let out = '';
  let node: unknown = data;
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
    node =
      node !== null && typeof node === 'object'
        ? (node as Record<PropertyKey, unknown>)[key]
        : undefined;
    if (typeof key === 'number' && node !== null && typeof node === 'object') {
      const id = (node as { id?: unknown }).id;
      if (typeof id === 'string') out += ` (${id})`;
    }
  }
  return out || '(root)';
};

const duplicates = (ids: string[]): string[] =>
  [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))].sort();

/** Load and validate `<dir>/<env>.yaml`. */
export const loadChecklist = (env: EnvName, dir: string = defaultChecklistDir()): ChecklistFile => {
  if (!hasChecklist(env)) {
    throw new PromoteError(
      'usage',
      'UNKNOWN_ENV',
      'dev has no checklist: the promotion plan has checklists for sit and prod only',
      'use sit or prod',
    );
  }
  const file = join(dir, `${env}.yaml`);
  const invalid = (path: string, message: string): PromoteError =>
    new PromoteError(
      'usage',
      'CHECKLIST_INVALID',
      `${file}: ${path}: ${message}`,
      `fix checklists/${env}.yaml`,
    );

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw invalid('(file)', `cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }

  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    const line = (error as { linePos?: [{ line: number }] }).linePos?.[0]?.line;
    const message = (error as Error).message.split('\n')[0] ?? String(error);
    throw invalid(line === undefined ? '(yaml)' : `line ${line}`, message);
  }

  const result = checklistFileSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const more = result.error.issues.length - 1;
    throw invalid(
      describePath(data, issue.path),
      `${issue.message}${more > 0 ? ` (and ${more} more problem${more === 1 ? '' : 's'})` : ''}`,
    );
  }
  const checklist = result.data;

  if (checklist.env !== env) {
    throw invalid('env', `is "${checklist.env}", expected "${env}"`);
  }
  const phaseIds = checklist.phases.map((phase) => phase.id);
  const namespaces: Array<[string, string[]]> = [
    ['phase ids', phaseIds],
    ['section ids', checklist.phases.flatMap((p) => p.sections.map((s) => s.id))],
    ['item ids', checklistItems(checklist).map(({ item }) => item.id)],
    ['gate ids', checklist.gates.map((gate) => gate.id)],
  ];
  for (const [what, ids] of namespaces) {
    const dup = duplicates(ids);
    if (dup.length > 0) throw invalid(what, `not unique: ${dup.join(', ')}`);
  }
  checklist.gates.forEach((gate, g) => {
    gate.phases.forEach((phase, p) => {
      if (!phaseIds.includes(phase)) {
        throw invalid(
          `gates[${g}] (${gate.id}).phases[${p}]`,
          `no phase "${phase}" (phases: ${phaseIds.join(', ')})`,
        );
      }
    });
  });
  return checklist;
};

export interface ChecklistEntry {
  /** The phase's id, e.g. `sit-pre`. */
  phase: string;
  /** The section's id, e.g. `sit-pre-env`. */
  section: string;
  item: ChecklistItem;
}

/** Every item of the file, in the plan's order, with the phase and section it belongs to. */
export const checklistItems = (file: ChecklistFile): ChecklistEntry[] =>
  file.phases.flatMap((phase) =>
    phase.sections.flatMap((section) =>
      section.items.map((item) => ({ phase: phase.id, section: section.id, item })),
    ),
  );
