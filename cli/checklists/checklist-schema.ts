import { z } from 'zod';

/**
 * The plan's checklists as data (`checklists/<env>.yaml`). An item is either `check:` — a
 * probe the CLI runs (see probe-registry.ts; preflight runs the same probes) — or `manual:`,
 * which a person confirms with evidence (`promote checklist <env> confirm <id>`). What the CLI
 * can check is never a manual item.
 */

/** Every probe a checklist may name; the registry implements exactly these. */
export const PROBE_NAMES = [
  'account',
  'region',
  'failover-region',
  'function',
  'alias',
  'hosted-zone',
  'certificate',
  'table',
  'table-gsis',
  'event-rule',
  'event-bus',
  'bucket',
  'execution-role',
  'vpc',
  'log-groups',
  'dlq',
  'dlq-empty',
  'sns-topics',
  'alarms',
  'alarms-quiet',
  'dashboard',
  'pitr',
  'hourly-backups',
  'replica',
  'release-tag',
  'main-branch',
  'dev-green',
  'health',
  'smoke-passed',
  'sit-signoff',
  'backup-recent',
  'lambda-errors',
  'throttles',
  'rule-invocations',
  'restore-rehearsed',
] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const checklistItemSchema = z
  .object({
    id: z.string().regex(ID, 'ids are kebab-case'),
    /** The plan's wording, verbatim (a test compares it with the plan). */
    text: z.string().min(1),
    check: z.enum(PROBE_NAMES).optional(),
    /** For a person: what to look at and what counts as evidence. */
    manual: z.string().min(1).optional(),
    /** `false` for the plan's "(if applicable)" items: open does not block a gate. */
    required: z.boolean().default(true),
  })
  .strict()
  .refine((item) => (item.check ? !item.manual : Boolean(item.manual)), {
    message: 'an item is either `check: <probe>` or `manual: <what to confirm>`, exactly one',
  });

export const checklistSectionSchema = z
  .object({
    id: z.string().regex(ID),
    /** The plan's heading, e.g. "Environment Verification". */
    title: z.string().min(1),
    items: z.array(checklistItemSchema).min(1),
  })
  .strict();

export const checklistPhaseSchema = z
  .object({
    id: z.string().regex(ID),
    /** The plan's heading, e.g. "Pre-Deployment Checklist". */
    title: z.string().min(1),
    sections: z.array(checklistSectionSchema).min(1),
  })
  .strict();

export const gateSchema = z
  .object({
    id: z.string().regex(ID),
    /** The plan's name for it, e.g. "SIT sign-off (Gate 4)". */
    title: z.string().min(1),
    /** Phases whose required items must all pass or be confirmed. */
    phases: z.array(z.string().regex(ID)).min(1),
    /** Who signs, in the plan's words (e.g. "Tech Lead"). */
    approver: z.string().min(1),
  })
  .strict();

export const checklistFileSchema = z
  .object({
    env: z.enum(['dev', 'sit', 'prod']),
    phases: z.array(checklistPhaseSchema).min(1),
    gates: z.array(gateSchema).default([]),
  })
  .strict();

export type ChecklistItem = z.infer<typeof checklistItemSchema>;
export type ChecklistSection = z.infer<typeof checklistSectionSchema>;
export type ChecklistPhase = z.infer<typeof checklistPhaseSchema>;
export type Gate = z.infer<typeof gateSchema>;
export type ChecklistFile = z.infer<typeof checklistFileSchema>;
