import { PromoteError } from '../errors.js';

/**
 * Reads `terraform show -json <plan>` (the public JSON output format, format_version 1.x)
 * and decides what the plan's "review the plan" step decided by eye: a summary by action and
 * resource type, Terraform's reason for every replace and delete, the plan's CRITICAL review
 * items, and a refusal for every planned delete of a stateful resource the operator did not
 * name with `--allow-destroy <address> --reason …`. Pure: the steps run terraform, this judges.
 *
 * Values are never copied out of the plan: a saved plan can hold secrets in plain text, and
 * the summary carries only addresses, types, actions and reasons.
 */

/** The change kinds a reviewer thinks in. */
export type ChangeKind = 'create' | 'update' | 'replace' | 'delete';

export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly kind: ChangeKind;
  /** Terraform's `change.actions`, verbatim (order tells delete-before-create apart). */
  readonly actions: readonly string[];
  /** Terraform's `action_reason` (e.g. `replace_because_tainted`), when it gave one. */
  readonly reason?: string;
  /** Holds data that a delete would lose. */
  readonly stateful: boolean;
}

export interface PlanReview {
  readonly terraformVersion?: string;
  readonly formatVersion: string;
  readonly changes: readonly PlannedChange[];
  readonly counts: Readonly<Record<ChangeKind, number>>;
  /** `type` → counts, for the summary table. */
  readonly byType: Readonly<Record<string, Readonly<Partial<Record<ChangeKind, number>>>>>;
  /** The plan's CRITICAL review items: changes to EventBridge, the DLQ, replication. */
  readonly critical: ReadonlyArray<{ readonly address: string; readonly why: string }>;
  /** Deletes of stateful resources that nobody allowed: the run must stop. */
  readonly refused: readonly PlannedChange[];
  /** Deletes of stateful resources allowed by `--allow-destroy`, with the reason given. */
  readonly allowed: ReadonlyArray<PlannedChange & { readonly allowedBecause: string }>;
}

/** Resource types whose delete loses data (tables, replicas, buckets, queues, logs, backups, keys). */
export const STATEFUL_TYPES = new Set([
  'aws_dynamodb_table',
  'aws_dynamodb_table_replica',
  'aws_s3_bucket',
  'aws_sqs_queue',
  'aws_cloudwatch_log_group',
  'aws_backup_vault',
  'aws_kms_key',
]);

const CRITICAL_TYPES: Record<string, string> = {
  aws_cloudwatch_event_rule: 'EventBridge rule',
  aws_cloudwatch_event_target: 'EventBridge target',
  aws_cloudwatch_event_bus: 'EventBridge bus',
  aws_sqs_queue: 'DLQ settings',
  aws_sqs_queue_policy: 'DLQ settings',
  aws_sqs_queue_redrive_policy: 'DLQ settings',
  aws_dynamodb_table_replica: 'replication',
};

interface ResourceChange {
  readonly address?: string;
  readonly mode?: string;
  readonly type?: string;
  readonly action_reason?: string;
  readonly change?: {
    readonly actions?: readonly string[];
    readonly before?: Record<string, unknown> | null;
    readonly after?: Record<string, unknown> | null;
  };
}

const kindOf = (actions: readonly string[]): ChangeKind | undefined => {
  const has = (a: string) => actions.includes(a);
  if (has('delete') && has('create')) return 'replace';
  if (has('delete')) return 'delete';
  if (has('create')) return 'create';
  if (has('update')) return 'update';
  return undefined; // no-op, read
};

/** A replica set that differs before and after: the table's replication changes. */
const replicationChanged = (rc: ResourceChange): boolean =>
  rc.type === 'aws_dynamodb_table' &&
  JSON.stringify(rc.change?.before?.replica ?? null) !==
    JSON.stringify(rc.change?.after?.replica ?? null);

export const reviewPlan = (
  doc: unknown,
  allowDestroy: ReadonlyArray<{ readonly address: string; readonly reason: string }> = [],
): PlanReview => {
  const plan = doc as {
    format_version?: string;
    terraform_version?: string;
    resource_changes?: readonly ResourceChange[];
  };
  const formatVersion = String(plan?.format_version ?? '');
  if (formatVersion.split('.')[0] !== '1') {
    throw new PromoteError(
      'usage',
      'TERRAFORM_PLAN_FORMAT',
      `terraform show -json gave format_version "${formatVersion || 'none'}"; promote reads major version 1`,
      'use a terraform release whose JSON output is format 1.x (1.0 and later)',
    );
  }
  const changes: PlannedChange[] = [];
  const critical: Array<{ address: string; why: string }> = [];
  // resource_drift (changes made outside terraform) and data-source reads are not planned
  // changes: only resource_changes of managed resources count.
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data' || !rc.address || !rc.type) continue;
    const actions = rc.change?.actions ?? [];
    const kind = kindOf(actions);
    if (!kind) continue;
    changes.push({
      address: rc.address,
      type: rc.type,
      kind,
      actions: [...actions],
      ...(rc.action_reason ? { reason: rc.action_reason } : {}),
      stateful: STATEFUL_TYPES.has(rc.type),
    });
    const why = CRITICAL_TYPES[rc.type] ?? (replicationChanged(rc) ? 'replication' : undefined);
    if (why) critical.push({ address: rc.address, why });
  }
  const counts = { create: 0, update: 0, replace: 0, delete: 0 };
  const byType: Record<string, Partial<Record<ChangeKind, number>>> = {};
  for (const c of changes) {
    counts[c.kind] += 1;
    const row = byType[c.type] ?? {};
    row[c.kind] = (row[c.kind] ?? 0) + 1;
    byType[c.type] = row;
  }
  const allowedBy = new Map(allowDestroy.map((a) => [a.address, a.reason]));
  const destructive = changes.filter((c) => c.stateful && c.actions.includes('delete'));
  return {
    ...(plan.terraform_version ? { terraformVersion: plan.terraform_version } : {}),
    formatVersion,
    changes,
    counts,
    byType,
    critical,
    refused: destructive.filter((c) => !allowedBy.has(c.address)),
    allowed: destructive
      .filter((c) => allowedBy.has(c.address))
      .map((c) => ({ ...c, allowedBecause: allowedBy.get(c.address) as string })),
  };
};

/** The review as lines a person reads before approving (and a CI step summary). */
export const describeReview = (review: PlanReview): string[] => {
  const { counts } = review;
  const lines = [
    `plan: ${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete`,
  ];
  for (const [type, row] of Object.entries(review.byType).sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(
      `  ${type}: ${Object.entries(row)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')}`,
    );
  }
  for (const c of review.changes.filter((x) => x.kind === 'replace' || x.kind === 'delete')) {
    lines.push(`  ${c.kind.toUpperCase()} ${c.address}${c.reason ? ` (${c.reason})` : ''}`);
  }
  for (const c of review.critical) lines.push(`  CRITICAL review: ${c.why} — ${c.address}`);
  for (const c of review.allowed) {
    lines.push(`  destroy allowed: ${c.address} — ${c.allowedBecause}`);
  }
  for (const c of review.refused) lines.push(`  REFUSED: ${c.kind} of ${c.address} (stateful)`);
  return lines;
};

/** The run's stop when the plan would destroy data nobody agreed to lose. */
export const refusal = (review: PlanReview): PromoteError | undefined => {
  if (review.refused.length === 0) return undefined;
  const list = review.refused.map(
    (c) => `${c.kind} ${c.address}${c.reason ? ` (${c.reason})` : ''}`,
  );
  return new PromoteError(
    'preflight_blocked',
    'TERRAFORM_PLAN_DESTROYS',
    `the terraform plan would delete stateful resources: ${list.join('; ')}; nothing was applied`,
    `if that is intended, name each one: ${review.refused.map((c) => `--allow-destroy ${c.address}`).join(' ')} --reason "…" (journaled)`,
    { refused: review.refused.map((c) => c.address) },
  );
};
