import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planAlarms } from '../../infra/alarms.js';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { terraformViolations } from '../support/terraform-checks.js';

/**
 * terraform/ checked without a terraform binary: every file parsed by Go's HCL parser
 * (WebAssembly), the generated spec equal to what infra/ generates, the HCL wired to it,
 * and the security invariants (PITR, encryption, deletion protection, no public bucket, an
 * apply never undoing a promotion, least privilege). Then each check is shown to fail on a
 * broken copy. `terraform fmt -check`, `validate` and a plan run in CI where the binary is.
 */

const TERRAFORM = join(import.meta.dirname, '..', '..', 'terraform');

/** A scratch copy of terraform/ with one file edited. */
const brokenCopy = (file: string, edit: (text: string) => string): string => {
  const dir = join(mkdtempSync(join(tmpdir(), 'tf-')), 'terraform');
  cpSync(TERRAFORM, dir, { recursive: true });
  const path = join(dir, file);
  const before = readFileSync(path, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before); // the edit must hit, or the test proves nothing
  writeFileSync(path, after);
  return dir;
};

describe('terraform/', () => {
  it('parses, agrees with the spec and holds the security invariants', async () => {
    // Act
    const problems = await terraformViolations(TERRAFORM);

    // Assess
    expect(problems).toEqual([]);
  });

  it("carries the plan's eight alarms with its thresholds, per environment", () => {
    // Prepare
    const spec = JSON.parse(readFileSync(join(TERRAFORM, 'spec.tf.json'), 'utf8')).locals.spec;

    // Act
    const prod = spec.alarms.prod.map((a: { name: string; threshold: number }) => [
      a.name,
      a.threshold,
    ]);

    // Assess: the numbers of the plan's § Monitoring & Alerts
    expect(prod).toEqual([
      ['order-handler-prod-high-error-rate', 5],
      ['order-handler-prod-high-duration-create', 3000],
      ['order-handler-prod-high-duration-read', 1000],
      ['order-handler-prod-throttling', 10],
      ['order-handler-prod-dlq-depth', 5],
      ['order-handler-prod-eventbridge-failures', 1],
      ['order-handler-prod-order-processing-failures', 1],
      ['order-handler-prod-dynamodb-throttling', 0],
    ]);
    expect(prod).toEqual(planAlarms(ENVIRONMENTS.prod).map((a) => [a.name, a.threshold]));
    expect(spec.environments.prod.failover_region).toBe('eu-west-1');
    expect(spec.orders_table.gsis.map((g: { name: string }) => g.name)).toEqual([
      'OrdersByCustomer',
      'OrdersByStatus',
      'OrdersByDate',
    ]);
    expect(JSON.parse(spec.dashboards.sit).widgets.length).toBeGreaterThanOrEqual(8);
  });

  it.each([
    [
      'a threshold edited by hand in the generated spec',
      'spec.tf.json',
      (t: string) => t.replace('"threshold": 3000', '"threshold": 5000'),
      /spec\.tf\.json: differs from what infra\/ generates/,
    ],
    [
      'PITR dropped from the orders table',
      'modules/data/main.tf',
      (t: string) => t.replace(/point_in_time_recovery \{\n\s+enabled = true\n\s+\}/, ''),
      /table orders: PITR must be on/,
    ],
    [
      'prevent_destroy removed from the bucket',
      'modules/data/main.tf',
      (t: string) =>
        t.replace(
          /(bucket = var\.env\.bucket\n\n\s+lifecycle \{\n\s+prevent_destroy = )true/,
          '$1false',
        ),
      /bucket orders: lifecycle.prevent_destroy must be true/,
    ],
    [
      'a public bucket',
      'modules/data/main.tf',
      (t: string) => t.replace('restrict_public_buckets = true', 'restrict_public_buckets = false'),
      /bucket orders: public access must be blocked/,
    ],
    [
      'an alias terraform would move back',
      'modules/function/main.tf',
      (t: string) =>
        t.replace(
          'ignore_changes = [function_version, routing_config]',
          'ignore_changes = [routing_config]',
        ),
      /ignore_changes must list function_version/,
    ],
    [
      'GSIs typed into the HCL instead of read from the spec',
      'modules/data/main.tf',
      (t: string) => t.replace('for_each = var.orders_table.gsis', 'for_each = []'),
      /orders GSIs must come from the spec/,
    ],
    [
      'a provider that may touch any account',
      'providers.tf',
      (t: string) => t.replace('allowed_account_ids = [local.env.account]', ''),
      /must pin allowed_account_ids/,
    ],
    [
      'a guardian that would keep its old code',
      'modules/guardian/main.tf',
      (t: string) =>
        t.replace(
          'source_code_hash               = filebase64sha256(var.package_path)',
          'source_code_hash               = filebase64sha256(var.package_path)\n  lifecycle {\n    ignore_changes = [source_code_hash]\n  }',
        ),
      /terraform owns the guardian's code/,
    ],
    [
      'a guardian allowed to move any function',
      'spec.tf.json',
      (t: string) =>
        t.replace(
          'lambda:UpdateAlias\\"],\\"Resource\\":[\\"arn:aws:lambda:af-south-1:093646564004:function:order-handler-prod\\"',
          'lambda:UpdateAlias\\"],\\"Resource\\":[\\"arn:aws:lambda:af-south-1:093646564004:function:*\\"',
        ),
      /prod guardian \(af-south-1\) may move aliases of arn:aws:lambda:af-south-1:093646564004:function:\*/,
    ],
    [
      'a syntax error',
      'main.tf',
      (t: string) => t.replace('module "data" {', 'module "data" {{'),
      /main\.tf: does not parse/,
    ],
  ])('fails on %s', async (_what, file, edit, expected) => {
    // Prepare
    const dir = brokenCopy(file, edit);

    // Act
    const problems = await terraformViolations(dir);

    // Assess
    expect(problems.join('\n')).toMatch(expected);
  });

  it('fails on a data action with Resource "*" in a role policy', async () => {
    // Prepare: widen the execution role's DynamoDB statement in the generated spec
    const dir = brokenCopy('spec.tf.json', (t) =>
      t.replace(/arn:aws:dynamodb:eu-west-1:815856636111:table\/orders-sit\\"/, '*\\"'),
    );

    // Act
    const problems = await terraformViolations(dir);

    // Assess
    expect(problems.join('\n')).toMatch(/sit execution policy: dynamodb:GetItem.* on \*/);
  });
});
