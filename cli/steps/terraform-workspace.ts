import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PromoteError } from '../errors.js';
import { runDir } from './backup.js';
import type { StepContext, StepModule } from './step-context.js';

/** The operator's `--skip-terraform --reason …`, as journaled with the run's inputs. */
export const SKIP_TERRAFORM = 'terraform';

/**
 * The backend the sandbox stands in for: the same S3 backend, at the sandbox endpoint, as a
 * LocalStack user would point it (written per run: the sandbox's port varies).
 */
const sandboxBackend = (ctx: StepContext): string => {
  const endpoint = ctx.target.clientConfig.endpoint ?? '';
  mkdirSync(runDir(ctx), { recursive: true });
  const file = join(runDir(ctx), 'sandbox.s3.tfbackend');
  writeFileSync(
    file,
    [
      `bucket = "bbws-terraform-state-${ctx.plan.env.account}"`,
      'key = "order-lambda/terraform.tfstate"',
      `region = "${ctx.plan.env.region}"`,
      'dynamodb_table = "bbws-terraform-locks"',
      'use_path_style = true',
      'skip_credentials_validation = true',
      'skip_requesting_account_id = true',
      `endpoints = { s3 = "${endpoint}", dynamodb = "${endpoint}", sts = "${endpoint}" }`,
      '',
    ].join('\n'),
  );
  return file;
};

/** The steps do not run: said in the output, the journal and the report. */
const skip = (ctx: StepContext, why: string) => {
  ctx.journal.terraform = { skipped: why };
  ctx.record.state = 'skipped';
  ctx.io.warn('TERRAFORM_SKIPPED', `terraform steps skipped: ${why}`);
};

/**
 * The plan's "Terraform Workspace Switch": `init` with the environment's backend, select
 * (or create) its workspace, and read it back — the runbook's `workspace list` by eye.
 * Where no terraform binary exists, the sandbox skips the steps (it provisions the same spec
 * itself) and real AWS stops before any change unless `--skip-terraform --reason …`.
 */
export const terraformWorkspace: StepModule<'terraform-workspace'> = {
  kind: 'terraform-workspace',
  title: (_spec, plan) => `Terraform: init and select workspace ${plan.env.name}`,
  async run(ctx) {
    const insisted = ctx.journal.inputs?.skips?.find((s) => s.what === SKIP_TERRAFORM);
    if (insisted) return skip(ctx, `--skip-terraform: ${insisted.reason}`);
    const tf = ctx.options.terraform;
    if (ctx.target.sandbox && process.env.PROMOTE_SANDBOX_TERRAFORM !== '1') {
      // Terraform against the sandbox needs its providers (offline: a local mirror) and a
      // state bucket there; by default the sandbox provisions the same spec itself.
      return skip(
        ctx,
        'the sandbox provisions the same spec (infra/) itself; PROMOTE_SANDBOX_TERRAFORM=1 runs terraform against it',
      );
    }
    const version = tf ? await tf.cli.version() : undefined;
    if (!tf || !version) {
      if (ctx.target.sandbox) {
        return skip(
          ctx,
          'no terraform on PATH; the sandbox provisions the same spec (infra/) itself',
        );
      }
      throw new PromoteError(
        'preflight_blocked',
        'TERRAFORM_MISSING',
        `no terraform binary (PATH or PROMOTE_TERRAFORM): ${ctx.plan.env.name}'s infrastructure cannot be planned; nothing was changed`,
        'install terraform ≥ 1.6, or go on without it: --skip-terraform --reason "…" (journaled)',
      );
    }
    const name = ctx.plan.env.name;
    try {
      await tf.cli.init(
        ctx.target.sandbox ? sandboxBackend(ctx) : `environments/${name}.s3.tfbackend`,
      );
      await tf.cli.selectWorkspace(name);
    } catch (error) {
      throw new PromoteError(
        'preflight_blocked',
        'TERRAFORM_INIT_FAILED',
        `${(error as Error).message}; nothing was changed`,
        `does the state bucket exist (terraform/bootstrap) and can this identity read it? See terraform/environments/${name}.s3.tfbackend`,
        undefined,
        { cause: error },
      );
    }
    const current = await tf.cli.currentWorkspace();
    if (current !== name) {
      throw new PromoteError(
        'preflight_blocked',
        'TERRAFORM_WORKSPACE_MISMATCH',
        `terraform reports workspace "${current}" after selecting "${name}"; nothing was changed`,
      );
    }
    ctx.journal.terraform = { version, workspace: current };
    ctx.progress(`terraform ${version}, workspace ${current}`);
  },
};
