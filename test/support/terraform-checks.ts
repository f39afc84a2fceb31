import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { terraformSpec } from '../../scripts/terraform-spec.js';

/**
 * Checks terraform/ without a terraform binary: every `.tf` parsed by Go's HCL parser
 * (compiled to WebAssembly), then held against the infrastructure spec and the security
 * invariants. Returns what is wrong — empty when all holds — so a test can also run it on a
 * deliberately broken copy and see it fail.
 */

type Block = Record<string, unknown>;

/** How hcl2json renders an HCL expression: `${expr}`. */
const ref = (expr: string): string => `$${'{'}${expr}}`;

// Loaded without its type declarations: they pull in the DOM library (`/// <reference
// lib="dom" />`), whose fetch types would then clash with Node's across the whole project.
const { parse } = createRequire(import.meta.url)('@cdktn/hcl2json') as {
  parse(file: string, text: string): Promise<Block>;
};
type Parsed = { file: string; doc: Block };

const tfFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tfFiles(path);
    return e.name.endsWith('.tf') ? [path] : [];
  });

/** Every resource of a type across the parsed files: [file, name, body]. */
const resources = (parsed: readonly Parsed[], type: string): Array<[string, string, Block]> =>
  parsed.flatMap(({ file, doc }) =>
    Object.entries(
      ((doc.resource as Block | undefined)?.[type] as Record<string, Block[]>) ?? {},
    ).map(([name, bodies]): [string, string, Block] => [file, name, bodies[0] as Block]),
  );

const first = (value: unknown): Block | undefined =>
  Array.isArray(value) ? (value[0] as Block | undefined) : undefined;

const preventsDestroy = (body: Block) => first(body.lifecycle)?.prevent_destroy === true;

const ignored = (body: Block): string => String(first(body.lifecycle)?.ignore_changes ?? '');

/** Data actions: reading or writing orders, events, queues, objects (DynamoDB's List and
 * Describe calls read metadata only). */
const DATA_ACTION = /^(dynamodb:(?!List|Describe)|sqs|s3|events:PutEvents|kms)/;

export const terraformViolations = async (dir: string): Promise<string[]> => {
  const problems: string[] = [];
  const say = (file: string, what: string) =>
    problems.push(`${relative(dir, file) || file}: ${what}`);

  // One source: the generated spec is exactly what infra/ generates today.
  const specPath = join(dir, 'spec.tf.json');
  const specText = readFileSync(specPath, 'utf8');
  if (specText !== terraformSpec()) {
    say(specPath, 'differs from what infra/ generates — run npm run terraform:spec');
  }
  const spec = (JSON.parse(specText) as { locals: { spec: Block } }).locals.spec as {
    environments: Record<string, Block>;
    alarms: Record<string, Block[]>;
    execution_policies: Record<string, string>;
    failover_execution_policies: Record<string, string | null>;
    deploy_policies: Record<string, string>;
    guardians?: Record<string, { schedule: string; policies: Record<string, string> }>;
  };

  const parsed: Parsed[] = [];
  for (const file of tfFiles(dir)) {
    try {
      parsed.push({ file, doc: (await parse(file, readFileSync(file, 'utf8'))) as Block });
    } catch (error) {
      say(file, `does not parse: ${String((error as Error).message ?? error)}`);
    }
  }

  // --- the spec's facts are what the HCL reads ---------------------------------------------
  const root = parsed.filter((p) => relative(dir, p.file).split('/').length === 1);
  const locals = root.flatMap((p) => (p.doc.locals as Block[] | undefined) ?? []);
  if (!locals.some((l) => l.env === ref('local.spec.environments[terraform.workspace]'))) {
    say(dir, 'locals.env must be local.spec.environments[terraform.workspace]');
  }
  const providers = root.flatMap((p) =>
    Object.values((p.doc.provider as Record<string, Block[]>) ?? {}).flat(),
  );
  for (const provider of providers) {
    if (
      JSON.stringify(provider.allowed_account_ids) !== JSON.stringify([ref('local.env.account')])
    ) {
      say(
        dir,
        `provider ${String(provider.alias ?? 'aws')} must pin allowed_account_ids to the env's account`,
      );
    }
  }
  const modules = root.flatMap((p) =>
    Object.entries((p.doc.module as Record<string, Block[]>) ?? {}),
  );
  const module = (name: string) => modules.find(([n]) => n === name)?.[1][0];
  if (module('monitoring')?.alarms !== ref('local.alarms'))
    say(dir, 'module.monitoring must get local.alarms');
  if (module('monitoring')?.dashboard_body !== ref('local.dashboard')) {
    say(dir, 'module.monitoring must get local.dashboard');
  }
  if (module('data')?.orders_table !== ref('local.spec.orders_table')) {
    say(dir, "module.data must get the spec's orders table (GSIs)");
  }

  const tables = resources(parsed, 'aws_dynamodb_table');
  const orders = tables.find(([, name]) => name === 'orders');
  if (!orders) say(dir, 'no aws_dynamodb_table.orders');
  else {
    const [file, , body] = orders;
    if (body.name !== ref('var.env.table_name'))
      say(file, 'orders table must be named var.env.table_name');
    const gsi = (body.dynamic as Block | undefined)?.global_secondary_index as Block[] | undefined;
    if (gsi?.[0]?.for_each !== ref('var.orders_table.gsis'))
      say(file, 'orders GSIs must come from the spec');
    const replica = (body.dynamic as Block | undefined)?.replica as Block[] | undefined;
    if (!String(replica?.[0]?.for_each ?? '').includes('var.env.failover_region')) {
      say(file, 'orders table must have a replica in the failover region (PROD)');
    }
  }

  // --- security invariants ------------------------------------------------------------------
  for (const [file, name, body] of tables) {
    if (first(body.point_in_time_recovery)?.enabled !== true)
      say(file, `table ${name}: PITR must be on`);
    if (first(body.server_side_encryption)?.enabled !== true)
      say(file, `table ${name}: encryption must be on`);
    if (body.deletion_protection_enabled !== true)
      say(file, `table ${name}: deletion protection must be on`);
    if (!preventsDestroy(body)) say(file, `table ${name}: lifecycle.prevent_destroy must be true`);
  }
  const buckets = resources(parsed, 'aws_s3_bucket');
  const blocks = resources(parsed, 'aws_s3_bucket_public_access_block');
  const sse = resources(parsed, 'aws_s3_bucket_server_side_encryption_configuration');
  const versioning = resources(parsed, 'aws_s3_bucket_versioning');
  for (const [file, name, body] of buckets) {
    const bucketRef = ref(`aws_s3_bucket.${name}.id`);
    if (!preventsDestroy(body)) say(file, `bucket ${name}: lifecycle.prevent_destroy must be true`);
    const block = blocks.find(([f, , b]) => f === file && b.bucket === bucketRef)?.[2];
    const all = [
      'block_public_acls',
      'block_public_policy',
      'ignore_public_acls',
      'restrict_public_buckets',
    ];
    if (!block || !all.every((k) => block[k] === true))
      say(file, `bucket ${name}: public access must be blocked`);
    if (!sse.some(([f, , b]) => f === file && b.bucket === bucketRef))
      say(file, `bucket ${name}: must be encrypted`);
    if (!versioning.some(([f, , b]) => f === file && b.bucket === bucketRef))
      say(file, `bucket ${name}: must be versioned`);
  }
  for (const [file, name, body] of resources(parsed, 'aws_sqs_queue')) {
    if (body.sqs_managed_sse_enabled !== true && !body.kms_master_key_id)
      say(file, `queue ${name}: must be encrypted`);
    if (!body.message_retention_seconds) say(file, `queue ${name}: must set its retention`);
    if (!preventsDestroy(body)) say(file, `queue ${name}: lifecycle.prevent_destroy must be true`);
  }
  for (const type of ['aws_backup_vault', 'aws_kms_key']) {
    for (const [file, name, body] of resources(parsed, type)) {
      if (!preventsDestroy(body))
        say(file, `${type}.${name}: lifecycle.prevent_destroy must be true`);
    }
  }
  for (const [file, name, body] of resources(parsed, 'aws_cloudwatch_log_group')) {
    if (!body.retention_in_days) say(file, `log group ${name}: must set retention`);
  }
  for (const [file, name, body] of resources(parsed, 'aws_lambda_function')) {
    if (first(body.tracing_config)?.mode !== 'Active')
      say(file, `function ${name}: X-Ray must be Active`);
    if (body.reserved_concurrent_executions === undefined)
      say(file, `function ${name}: reserved concurrency must be set`);
    // The canary guardian is the one function whose code terraform deploys (and redeploys).
    if (relative(dir, file).startsWith('modules/guardian/')) {
      if (body.source_code_hash !== ref('filebase64sha256(var.package_path)') || ignored(body))
        say(file, `function ${name}: terraform owns the guardian's code — deploy every change`);
      continue;
    }
    for (const attr of ['filename', 'source_code_hash']) {
      if (!ignored(body).includes(attr))
        say(file, `function ${name}: the CLI owns the code — ignore_changes must list ${attr}`);
    }
  }
  for (const [file, name, body] of resources(parsed, 'aws_lambda_alias')) {
    for (const attr of ['function_version', 'routing_config']) {
      if (!ignored(body).includes(attr))
        say(
          file,
          `alias ${name}: an apply must not undo a promotion — ignore_changes must list ${attr}`,
        );
    }
  }
  for (const [env, policies] of Object.entries({
    ...Object.fromEntries(
      Object.entries(spec.execution_policies).map(([e, p]) => [`${e} execution`, p]),
    ),
    ...Object.fromEntries(
      Object.entries(spec.failover_execution_policies).flatMap(([e, p]) =>
        p ? [[`${e} failover execution`, p]] : [],
      ),
    ),
    ...Object.fromEntries(Object.entries(spec.deploy_policies).map(([e, p]) => [`${e} deploy`, p])),
    ...Object.fromEntries(
      Object.entries(spec.guardians ?? {}).flatMap(([e, g]) =>
        Object.entries(g.policies).map(([region, p]) => [`${e} guardian (${region})`, p]),
      ),
    ),
  })) {
    const doc = JSON.parse(policies) as {
      Statement: Array<{ Action: string[]; Resource: string | string[] }>;
    };
    for (const st of doc.Statement) {
      const data = st.Action.filter((a) => DATA_ACTION.test(a));
      const wide = [st.Resource]
        .flat()
        .filter((r) => r === '*' || (/:\*$/.test(r) && !r.includes('log-group')));
      if (data.length && wide.length)
        say(specPath, `${env} policy: ${data.join(', ')} on ${wide.join(', ')}`);
    }
  }
  problems.push(...guardianViolations(dir, specPath, spec.guardians ?? {}, module('guardian')));
  const trust = parsed.flatMap(({ file, doc }) =>
    Object.entries(
      ((doc.data as Block | undefined)?.aws_iam_policy_document as Record<string, Block[]>) ?? {},
    )
      .filter(([name]) => name === 'trust' && file.includes('deploy-role'))
      .map(([, b]) => [file, JSON.stringify(b)] as const),
  );
  if (
    !trust.some(([, text]) =>
      text.includes(`repo:${ref('var.github_repository')}:environment:${ref('var.env.name')}`),
    )
  ) {
    say(
      dir,
      "the deploy role must trust only this repository's jobs in the GitHub environment of its name",
    );
  }
  for (const [env, facts] of Object.entries(spec.environments)) {
    if (env === 'prod' && facts.failover_region !== 'eu-west-1')
      say(specPath, 'prod fails over to eu-west-1');
    if ((spec.alarms[env] ?? []).length !== 8) say(specPath, `${env}: the plan has 8 alarms`);
  }
  return problems;
};

/** What the canary guardian may do, and nothing more (infra/guardian.ts). */
const GUARDIAN_ACTIONS = new Set([
  'lambda:GetAlias',
  'lambda:UpdateAlias',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'cloudwatch:DescribeAlarms',
  'logs:CreateLogStream',
  'logs:PutLogEvents',
]);

/** The guardian: wired to the spec, only PROD's, and held to its short list of actions. */
const guardianViolations = (
  dir: string,
  specPath: string,
  guardians: Record<string, { schedule: string; policies: Record<string, string> }>,
  wiring: Block | undefined,
): string[] => {
  const problems: string[] = [];
  if (!guardians.prod)
    problems.push(`${relative(dir, specPath)}: prod must have a canary guardian`);
  if (wiring && wiring.guardian !== ref('lookup(local.spec.guardians, terraform.workspace, null)'))
    problems.push(`${dir}: module.guardian must get the spec's guardian of the workspace`);
  if (!wiring) problems.push(`${dir}: no module.guardian (the canary guardian of PROD)`);
  for (const [env, guardian] of Object.entries(guardians)) {
    for (const [region, text] of Object.entries(guardian.policies)) {
      const doc = JSON.parse(text) as {
        Statement: Array<{ Action: string[]; Resource: string | string[] }>;
      };
      for (const st of doc.Statement) {
        const extra = st.Action.filter((a) => !GUARDIAN_ACTIONS.has(a));
        if (extra.length)
          problems.push(
            `${relative(dir, specPath)}: ${env} guardian (${region}) may also ${extra.join(', ')}`,
          );
        if (st.Action.some((a) => a.startsWith('lambda:'))) {
          const wide = [st.Resource]
            .flat()
            .filter((r) => !/:function:order-handler-[a-z]+(:live)?$/.test(r));
          if (wide.length)
            problems.push(
              `${relative(dir, specPath)}: ${env} guardian (${region}) may move aliases of ${wide.join(', ')}`,
            );
        }
      }
    }
  }
  return problems;
};
