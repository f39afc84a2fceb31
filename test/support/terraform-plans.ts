/**
 * `terraform show -json <planfile>` documents for the stand-in terraform and the guard's
 * tests, built in the public JSON output format (developer.hashicorp.com/terraform/internals/
 * json-format, format_version 1.2 as Terraform 1.7 writes it). Their shape mirrors real
 * outputs published in public repositories — e.g. ovsds/tf-plan-format
 * tests/data/plans/{create,update,delete,delete-create,no-op,sensitive}/terraform.tfplan.json
 * (Terraform 1.7.5): `resource_changes[].change.{actions,before,after,after_unknown,
 * before_sensitive,after_sensitive,replace_paths}`, `action_reason`, `resource_drift`,
 * `prior_state`. The resources are this project's (module.data.aws_dynamodb_table.orders …);
 * no file from those repositories is copied here.
 */

export interface Change {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
  readonly reason?: string;
  readonly mode?: 'managed' | 'data';
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown> | null;
  readonly afterSensitive?: Record<string, unknown>;
}

const nameOf = (address: string) => address.split('.').pop() as string;

export const planDocument = (
  changes: readonly Change[],
  options: { formatVersion?: string; drift?: readonly Change[] } = {},
) => {
  const resource = (c: Change) => ({
    address: c.address,
    mode: c.mode ?? 'managed',
    type: c.type,
    name: nameOf(c.address),
    provider_name: 'registry.terraform.io/hashicorp/aws',
    change: {
      actions: [...c.actions],
      before: c.before ?? (c.actions.includes('create') && c.actions.length === 1 ? null : {}),
      after: c.after ?? (c.actions.includes('delete') && c.actions.length === 1 ? null : {}),
      after_unknown: {},
      before_sensitive: {},
      after_sensitive: c.afterSensitive ?? {},
      ...(c.actions.length === 2 ? { replace_paths: [['name']] } : {}),
    },
    ...(c.reason ? { action_reason: c.reason } : {}),
  });
  return {
    format_version: options.formatVersion ?? '1.2',
    terraform_version: '1.7.5',
    planned_values: { root_module: {} },
    ...(options.drift ? { resource_drift: options.drift.map(resource) } : {}),
    resource_changes: changes.map(resource),
    prior_state: { format_version: '1.0', terraform_version: '1.7.5', values: { root_module: {} } },
    configuration: { root_module: {} },
    timestamp: '2026-12-01T10:00:00Z',
    errored: false,
  };
};

export const ORDERS = 'module.data.aws_dynamodb_table.orders';
export const BUCKET = 'module.data.aws_s3_bucket.orders';
