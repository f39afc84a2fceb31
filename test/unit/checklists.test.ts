import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { PROBE_NAMES } from '../../cli/checklists/checklist-schema.js';
import {
  checklistItems,
  defaultChecklistDir,
  loadChecklist,
} from '../../cli/checklists/load-checklist.js';
import { PromoteError } from '../../cli/errors.js';

/**
 * `checklists/sit.yaml` and `checklists/prod.yaml` against the promotion plan they transcribe:
 * every `- [ ]` item of the plan's checklist sections, verbatim and in order, and nothing else.
 */

const CHECKLIST_DIR = defaultChecklistDir();
/** The plan sits next to the checkout: `<repo>/../shared/promotion-plan.md` (same in CI). */
const PLAN = join(dirname(CHECKLIST_DIR), '..', 'shared', 'promotion-plan.md');

const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
/** "Week 1: Integration Testing (Jan 11-14)" → "Week 1: Integration Testing"; the schedule is not the name. */
const headingName = (heading: string): string =>
  heading.replace(new RegExp(` \\((?:${MONTHS}) [^)]*\\)$`), '').trim();

/** The plan's checkbox items per heading path ("Phase 1: SIT Promotion > Pre-Deployment Checklist > Infrastructure"), in order. */
const planChecklists = (markdown: string): Map<string, string[]> => {
  const sections = new Map<string, string[]>();
  const headings: string[] = [];
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.trimStart().startsWith('```')) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const heading = /^(#{2,4}) (.+)$/.exec(line);
    if (heading) {
      const level = heading[1]!.length - 2;
      headings.length = level;
      headings[level] = headingName(heading[2]!);
      continue;
    }
    const item = /^- \[ \] (.+)$/.exec(line);
    if (item) {
      const key = headings.join(' > ');
      sections.set(key, [...(sections.get(key) ?? []), item[1]!]);
    }
  }
  return sections;
};

/** Where each phase of the YAML lives in the plan. */
const PLAN_PLACES: Record<'sit' | 'prod', Record<string, string>> = {
  sit: {
    'sit-pre': 'Phase 1: SIT Promotion > Pre-Deployment Checklist',
    'sit-post': 'Phase 1: SIT Promotion > Post-Deployment Validation',
    'sit-validation': 'Phase 2: SIT Validation',
    'sit-success': 'Success Criteria > SIT Success',
  },
  prod: {
    'prod-pre': 'Phase 3: PROD Promotion > Pre-Deployment Checklist',
    'prod-post': 'Phase 3: PROD Promotion > Post-Deployment Validation',
    'prod-success': 'Success Criteria > PROD Success',
  },
};

/** The plan's sections under `place` as `{ title, items }`, e.g. the four of SIT pre-deployment. */
const planSectionsUnder = (plan: Map<string, string[]>, place: string) => {
  const sections: Array<{ title: string; items: string[] }> = [];
  for (const [key, items] of plan) {
    if (key === place) {
      // A phase that is itself one section (SIT Success, PROD Success).
      sections.push({ title: key.split(' > ').at(-1)!, items });
    } else if (key.startsWith(`${place} > `)) {
      sections.push({ title: key.slice(place.length + 3), items });
    }
  }
  return sections;
};

const ENVS = ['sit', 'prod'] as const;

const invalidCode = (run: () => unknown): { code?: string; message?: string } => {
  try {
    run();
  } catch (error) {
    if (error instanceof PromoteError) return { code: error.code, message: error.message };
    throw error;
  }
  return {};
};

describe('checklists/<env>.yaml', () => {
  it.each(ENVS)('%s loads and validates against the schema', (env) => {
    // Prepare
    const dir = CHECKLIST_DIR;

    // Act
    const checklist = loadChecklist(env, dir);

    // Assess
    expect(checklist.env).toBe(env);
    expect(checklistItems(checklist).length).toBeGreaterThan(0);
  });

  it('the default directory is the checkout’s checklists/', () => {
    // Prepare
    const expected = fileURLToPath(new URL('../../checklists', import.meta.url));

    // Act
    const dir = defaultChecklistDir();

    // Assess
    expect(dir).toBe(expected);
  });

  it.each(ENVS)(
    "%s transcribes the plan's checkbox items verbatim, section by section, in order",
    (env) => {
      // Prepare
      const plan = planChecklists(readFileSync(PLAN, 'utf8'));
      const checklist = loadChecklist(env);
      const places = PLAN_PLACES[env];

      // Act
      const fromYaml = checklist.phases.map((phase) => ({
        phase: phase.id,
        sections: phase.sections.map((section) => ({
          title: section.title,
          items: section.items.map((item) => item.text),
        })),
      }));
      const fromPlan = Object.entries(places).map(([phase, place]) => ({
        phase,
        sections: planSectionsUnder(plan, place),
      }));

      // Assess
      expect(fromPlan.every(({ sections }) => sections.length > 0)).toBe(true);
      expect(fromYaml).toEqual(fromPlan);
    },
  );

  it('together the two files cover every checklist section the plan has under those headings', () => {
    // Prepare
    const plan = planChecklists(readFileSync(PLAN, 'utf8'));
    const places = ENVS.flatMap((env) => Object.values(PLAN_PLACES[env]));

    // Act
    const planKeys = [...plan.keys()].filter((key) =>
      places.some((place) => key === place || key.startsWith(`${place} > `)),
    );
    const yamlKeys = ENVS.flatMap((env) =>
      loadChecklist(env).phases.flatMap((phase) =>
        phase.sections.map((section) => {
          const place = PLAN_PLACES[env][phase.id]!;
          return place.endsWith(` > ${section.title}`) ? place : `${place} > ${section.title}`;
        }),
      ),
    );

    // Assess
    expect(yamlKeys.sort()).toEqual(planKeys.sort());
  });

  it('an item with only `(if …)` in its text may be optional, every other item is required', () => {
    // Prepare
    const conditional = /\(if (?:applicable|used|enabled|configured|required|any)\)/;
    const circular = new Set(['sit-w5-approval-gate', 'prod-success-po-signoff']);

    // Act
    const wrong = ENVS.flatMap((env) => checklistItems(loadChecklist(env)))
      .filter(({ item }) => !circular.has(item.id))
      .filter(({ item }) => item.required === conditional.test(item.text))
      .map(({ item }) => item.id);

    // Assess
    expect(wrong).toEqual([]);
  });

  it('item ids are unique across both files and carry their env as prefix', () => {
    // Prepare
    const entries = ENVS.flatMap((env) =>
      checklistItems(loadChecklist(env)).map(({ item }) => ({ env, id: item.id })),
    );

    // Act
    const ids = entries.map(({ id }) => id);
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    const unprefixed = entries.filter(({ env, id }) => !id.startsWith(`${env}-`));

    // Assess
    expect(duplicates).toEqual([]);
    expect(unprefixed).toEqual([]);
  });

  it.each(ENVS)('%s has at least one gate, and every gate names existing phases', (env) => {
    // Prepare
    const checklist = loadChecklist(env);

    // Act
    const phaseIds = new Set(checklist.phases.map((phase) => phase.id));
    const missing = checklist.gates.flatMap((gate) =>
      gate.phases.filter((phase) => !phaseIds.has(phase)),
    );

    // Assess
    expect(checklist.gates.length).toBeGreaterThan(0);
    expect(missing).toEqual([]);
  });

  it('every `check:` names a known probe', () => {
    // Prepare
    const known = new Set<string>(PROBE_NAMES);

    // Act
    const checks = ENVS.flatMap((env) => checklistItems(loadChecklist(env))).flatMap(({ item }) =>
      item.check ? [item.check] : [],
    );

    // Assess
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.filter((check) => !known.has(check))).toEqual([]);
  });
});

describe('loadChecklist refuses a broken file', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  /** A copy of checklists/sit.yaml with the item `id` changed by `edit`. */
  const sitWith = (id: string, edit: (item: Record<string, unknown>) => void): string => {
    dir = mkdtempSync(join(tmpdir(), 'checklists-'));
    const doc = parseDocument(readFileSync(join(CHECKLIST_DIR, 'sit.yaml'), 'utf8'));
    const data = doc.toJS() as {
      phases: Array<{ sections: Array<{ items: Array<Record<string, unknown>> }> }>;
    };
    const item = data.phases
      .flatMap((phase) => phase.sections.flatMap((section) => section.items))
      .find((it) => it.id === id);
    if (!item) throw new Error(`no item ${id} in sit.yaml`);
    edit(item);
    writeFileSync(join(dir, 'sit.yaml'), JSON.stringify(data));
    copyFileSync(join(CHECKLIST_DIR, 'prod.yaml'), join(dir, 'prod.yaml'));
    return dir;
  };

  it('a `check:` that is not a probe', () => {
    // Prepare
    const broken = sitWith('sit-infra-table', (item) => {
      item.check = 'table-exists';
    });

    // Act
    const refusal = invalidCode(() => loadChecklist('sit', broken));

    // Assess
    expect(refusal.code).toBe('CHECKLIST_INVALID');
    expect(refusal.message).toContain('sit.yaml');
    expect(refusal.message).toContain('(sit-infra-table).check');
  });

  it('an item with both `check:` and `manual:`', () => {
    // Prepare
    const broken = sitWith('sit-infra-table', (item) => {
      item.manual = 'Look at the table in the console.';
    });

    // Act
    const refusal = invalidCode(() => loadChecklist('sit', broken));

    // Assess
    expect(refusal.code).toBe('CHECKLIST_INVALID');
    expect(refusal.message).toContain('(sit-infra-table)');
  });

  it('an item with neither `check:` nor `manual:`', () => {
    // Prepare
    const broken = sitWith('sit-int-idempotency', (item) => {
      delete item.manual;
    });

    // Act
    const refusal = invalidCode(() => loadChecklist('sit', broken));

    // Assess
    expect(refusal.code).toBe('CHECKLIST_INVALID');
    expect(refusal.message).toContain('(sit-int-idempotency)');
  });

  it('a duplicate item id', () => {
    // Prepare
    const broken = sitWith('sit-infra-gsis', (item) => {
      item.id = 'sit-infra-table';
    });

    // Act
    const refusal = invalidCode(() => loadChecklist('sit', broken));

    // Assess
    expect(refusal.code).toBe('CHECKLIST_INVALID');
    expect(refusal.message).toContain('not unique: sit-infra-table');
  });

  it('a gate naming a phase that does not exist', () => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), 'checklists-'));
    const text = readFileSync(join(CHECKLIST_DIR, 'sit.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'sit.yaml'),
      text.replace('phases: [sit-pre, sit-post,', 'phases: [sit-pre, sit-deploy,'),
    );

    // Act
    const refusal = invalidCode(() => loadChecklist('sit', dir));

    // Assess
    expect(refusal.code).toBe('CHECKLIST_INVALID');
    expect(refusal.message).toContain('no phase "sit-deploy"');
  });

  it('YAML that does not parse, and a missing file', () => {
    // Prepare
    dir = mkdtempSync(join(tmpdir(), 'checklists-'));
    writeFileSync(join(dir, 'sit.yaml'), 'env: sit\nphases: [\n');

    // Act
    const unparsable = invalidCode(() => loadChecklist('sit', dir));
    const missing = invalidCode(() => loadChecklist('prod', dir));

    // Assess
    expect(unparsable.code).toBe('CHECKLIST_INVALID');
    expect(missing.code).toBe('CHECKLIST_INVALID');
    expect(missing.message).toContain('prod.yaml');
  });

  it('dev, which has no checklist', () => {
    // Prepare
    const env = 'dev' as const;

    // Act
    const refusal = invalidCode(() => loadChecklist(env));

    // Assess
    expect(refusal.code).toBe('UNKNOWN_ENV');
    expect(refusal.message).toContain('dev has no checklist');
  });
});
