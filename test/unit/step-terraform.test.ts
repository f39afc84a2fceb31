import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { PromoteError } from '../../cli/errors.js';
import { terraformApply } from '../../cli/steps/terraform-apply.js';
import { sha256File, terraformPlan } from '../../cli/steps/terraform-plan.js';
import { terraformWorkspace } from '../../cli/steps/terraform-workspace.js';
import { type TerraformCli, TerraformFailed } from '../../cli/terraform/terraform-cli.js';
import { ORDERS, planDocument } from '../support/terraform-plans.js';
import { stepContext, tempHome } from './promote-fixtures.js';

/**
 * The terraform steps over a stand-in TerraformCli (the narrow interface the steps use):
 * what each step asks terraform, what it journals, and where it stops.
 */

const cli = (show: unknown, overrides: Partial<TerraformCli> = {}): TerraformCli => ({
  version: vi.fn(async () => '1.9.8'),
  init: vi.fn(async () => {}),
  selectWorkspace: vi.fn(async () => {}),
  currentWorkspace: vi.fn(async () => 'sit'),
  plan: vi.fn(async (_varFile: string, out: string) => writeFileSync(out, `plan ${Math.random()}`)),
  showJson: vi.fn(async () => show),
  apply: vi.fn(async () => {}),
  ...overrides,
});

const benign = planDocument([
  {
    address: 'module.api.aws_api_gateway_stage.v1',
    type: 'aws_api_gateway_stage',
    actions: ['update'],
  },
]);

/** The run's journaled terraform inputs (the artifact does not matter to these steps). */
const withInputs = (
  ctx: ReturnType<typeof stepContext>,
  terraform: NonNullable<NonNullable<typeof ctx.journal.inputs>['terraform']>,
) => {
  ctx.journal.inputs = {
    artifact: { path: 'x', bytes: 1, sha256: 'x', codeSha256: 'x', source: 'given', release: 'x' },
    terraform,
  };
};

const context = (tf: TerraformCli, sandbox = false) =>
  stepContext({ sandbox, options: { terraform: { cli: tf, dir: tempHome() } } });

describe('terraform-workspace', () => {
  it('inits with the env backend, selects the workspace and reads it back', async () => {
    // Prepare
    const tf = cli(benign);
    const ctx = context(tf);

    // Act
    await terraformWorkspace.run(ctx, { kind: 'terraform-workspace' });

    // Assess
    expect(tf.init).toHaveBeenCalledWith('environments/sit.s3.tfbackend');
    expect(tf.selectWorkspace).toHaveBeenCalledWith('sit');
    expect(ctx.journal.terraform).toEqual({ version: '1.9.8', workspace: 'sit' });
  });

  it('refuses a workspace that does not read back as the environment', async () => {
    // Prepare
    const ctx = context(cli(benign, { currentWorkspace: vi.fn(async () => 'default') }));

    // Act / Assess
    await expect(
      terraformWorkspace.run(ctx, { kind: 'terraform-workspace' }),
    ).rejects.toMatchObject({
      code: 'TERRAFORM_WORKSPACE_MISMATCH',
    });
  });

  it('without a binary: real AWS stops (exit 3), the sandbox skips and says so', async () => {
    // Prepare
    const none = () => cli(benign, { version: vi.fn(async () => undefined) });
    const real = context(none());
    const sandbox = context(none(), true);
    vi.stubEnv('PROMOTE_SANDBOX_TERRAFORM', '1');

    // Act
    const error = await terraformWorkspace
      .run(real, { kind: 'terraform-workspace' })
      .catch((e) => e);
    await terraformWorkspace.run(sandbox, { kind: 'terraform-workspace' });
    vi.unstubAllEnvs();

    // Assess
    expect(error).toBeInstanceOf(PromoteError);
    expect((error as PromoteError).exitCode).toBe(3);
    expect(sandbox.record.state).toBe('skipped');
    expect(sandbox.journal.terraform?.skipped).toMatch(/no terraform on PATH/);
  });
});

describe('terraform-plan and terraform-apply', () => {
  it('plans to a file, journals its hash and review, and apply runs that file once', async () => {
    // Prepare
    const tf = cli(benign);
    const ctx = context(tf);
    const consumed = new Set<string>();
    const options = {
      ...ctx.options,
      consumePlan: async (sha: string) => {
        if (consumed.has(sha)) return false;
        consumed.add(sha);
        return true;
      },
    };

    // Act
    await terraformPlan.run(ctx, { kind: 'terraform-plan' });
    await terraformApply.run({ ...ctx, options }, { kind: 'terraform-apply' });
    const again = await terraformApply
      .run({ ...ctx, options }, { kind: 'terraform-apply' })
      .catch((e) => e);

    // Assess
    const record = ctx.journal.terraform;
    expect(record?.planSha256).toBe(sha256File(record?.planFile as string));
    expect(record?.review?.counts).toEqual({ create: 0, update: 1, replace: 0, delete: 0 });
    expect(tf.apply).toHaveBeenCalledTimes(1);
    expect(tf.apply).toHaveBeenCalledWith(record?.planFile);
    expect(record?.applied?.sha256).toBe(record?.planSha256);
    expect((again as PromoteError).code).toBe('TERRAFORM_PLAN_CONSUMED');
  });

  it('refuses to apply a plan file that changed after approval', async () => {
    // Prepare
    const tf = cli(benign);
    const ctx = context(tf);
    await terraformPlan.run(ctx, { kind: 'terraform-plan' });
    writeFileSync(ctx.journal.terraform?.planFile as string, 'another plan');

    // Act
    const error = await terraformApply.run(ctx, { kind: 'terraform-apply' }).catch((e) => e);

    // Assess
    expect((error as PromoteError).code).toBe('TERRAFORM_PLAN_CHANGED');
    expect(tf.apply).not.toHaveBeenCalled();
  });

  it('stops on a stateful replace before any apply, and lets an allowed one through', async () => {
    // Prepare
    const replace = planDocument([
      {
        address: ORDERS,
        type: 'aws_dynamodb_table',
        actions: ['create', 'delete'],
        reason: 'replace_because_cannot_update',
      },
    ]);
    const refused = context(cli(replace));
    const allowed = context(cli(replace));
    withInputs(allowed, {
      allowDestroy: [{ address: ORDERS, reason: 'CHG-9: re-keyed table, data migrated' }],
    });

    // Act
    const error = await terraformPlan.run(refused, { kind: 'terraform-plan' }).catch((e) => e);
    await terraformPlan.run(allowed, { kind: 'terraform-plan' });

    // Assess
    expect((error as PromoteError).code).toBe('TERRAFORM_PLAN_DESTROYS');
    expect(allowed.journal.terraform?.review?.allowed).toEqual([
      { address: ORDERS, reason: 'CHG-9: re-keyed table, data migrated' },
    ]);
  });

  it('--plan-only ends the run as planned', async () => {
    // Prepare
    const ctx = context(cli(benign));
    withInputs(ctx, { planOnly: true });

    // Act
    await terraformPlan.run(ctx, { kind: 'terraform-plan' });

    // Assess
    expect(ctx.journal.status).toBe('planned');
  });

  it('turns "Saved plan is stale" into re-plan and re-approve', async () => {
    // Prepare
    const stale = new TerraformFailed(['apply'], 'Error: Saved plan is stale\n');
    const ctx = context(cli(benign, { apply: vi.fn(async () => Promise.reject(stale)) }));
    await terraformPlan.run(ctx, { kind: 'terraform-plan' });

    // Act
    const error = await terraformApply.run(ctx, { kind: 'terraform-apply' }).catch((e) => e);

    // Assess
    expect((error as PromoteError).code).toBe('TERRAFORM_PLAN_STALE');
    expect((error as PromoteError).hint).toMatch(/re-plan and re-approve/);
  });

  it('a --plan-file must hash to the --approve-plan value', async () => {
    // Prepare
    const file = join(tempHome(), 'sit.tfplan');
    writeFileSync(file, 'approved plan bytes');
    const ctx = context(cli(benign));
    withInputs(ctx, { planFile: file, approvedSha256: '0'.repeat(64) });

    // Act
    const error = await terraformPlan.run(ctx, { kind: 'terraform-plan' }).catch((e) => e);

    // Assess
    expect((error as PromoteError).code).toBe('TERRAFORM_PLAN_NOT_APPROVED');
  });
});
