import { PromoteError } from '../errors.js';
import type { Check } from './preflight.js';
import type { StepModule } from './step-context.js';

/** Variables the service cannot run without (service/config.ts). */
const REQUIRED_VARIABLES = ['TABLE_NAME', 'IDEMPOTENCY_TABLE_NAME', 'EVENT_BUS_NAME'] as const;

/**
 * The plan's Step 6, run by the tool instead of read by eye: the function behind the alias
 * is the new version, active, on the right runtime, pointed at this environment's table and
 * bus; the rule targets the function; the DLQ exists and is empty.
 */
export const verify: StepModule<'verify'> = {
  kind: 'verify',
  title: () => 'Verify deployment (plan Step 6)',
  async run(ctx) {
    const { env } = ctx.plan;
    const { lambda, infra } = ctx.apis;
    const checks: Check[] = [];
    const check = (name: string, ok: boolean, detail: string) =>
      checks.push({ name, ok, detail, blocking: true });

    const alias = await lambda.getAlias();
    const expected = ctx.journal.versions.after ?? ctx.journal.versions.candidate;
    check(
      'alias',
      !expected || alias.version === expected,
      `live → ${alias.version}${expected ? ` (expected ${expected})` : ''}`,
    );
    const fn = await lambda.getFunction(env.alias);
    check('state', (fn.state ?? 'Active') === 'Active', fn.state ?? 'unknown');
    check(
      'last update',
      (fn.lastUpdateStatus ?? 'Successful') === 'Successful',
      fn.lastUpdateStatus ?? 'unknown',
    );
    check('runtime', fn.runtime === 'nodejs20.x', fn.runtime ?? 'unknown');
    for (const name of REQUIRED_VARIABLES) {
      check(`env ${name}`, Boolean(fn.environment[name]), fn.environment[name] ? 'set' : 'missing');
    }
    check(
      'env TABLE_NAME is this env',
      fn.environment.TABLE_NAME === env.tableName,
      fn.environment.TABLE_NAME ?? 'missing',
    );
    const rule = await infra.rule(env.eventRule);
    check(
      `rule ${env.eventRule}`,
      Boolean(
        rule &&
          rule.state === 'ENABLED' &&
          rule.targetArns.some(
            (a) =>
              a.endsWith(`:function:${env.functionName}`) ||
              a.includes(`:function:${env.functionName}:`),
          ),
      ),
      rule ? `${rule.state} → ${rule.targetArns.join(', ')}` : 'not found',
    );
    const dlq = await infra.queue(env.dlq);
    check(
      `DLQ ${env.dlq}`,
      Boolean(dlq && dlq.visible <= ctx.plan.maxDlqDepth),
      dlq
        ? `${dlq.visible} visible, retention ${Math.round(dlq.retentionSeconds / 86_400)} d`
        : 'not found',
    );
    ctx.record.evidence.checks = checks;
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) {
      throw new PromoteError(
        'deploy_failed',
        'VERIFY_FAILED',
        `verification failed: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
      );
    }
    ctx.progress(`${checks.length} checks passed`);
  },
};
