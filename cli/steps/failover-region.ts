import { invokeHealth } from '../canary/invoke-health.js';
import { HEALTH_PATH, readHealth } from '../checklists/api-health.js';
import { PromoteError } from '../errors.js';
import { switchAlias } from './alias-switch.js';
import { codeSha256, loadArtifact, publishPackage, versionDescription } from './deploy.js';
import type { StepModule } from './step-context.js';

/**
 * PROD's second region (the plan's DR: af-south-1 primary, eu-west-1 failover). It runs once
 * the primary serves the package at 100%, so a failover never lands on older code: the same
 * bytes (CodeSha256 — version numbers differ between regions) are published there, the alias
 * is moved and read back, and the version answers its health route. If anything here fails,
 * the run's single rollback puts both regions back.
 */
export const failoverRegion: StepModule<'failover-region'> = {
  kind: 'failover-region',
  title: (_spec, plan) =>
    `Failover region ${plan.env.failoverRegion ?? '-'}: same package, alias ${plan.env.alias}`,
  async run(ctx) {
    const regional = ctx.apis.failover;
    const region = ctx.plan.env.failoverRegion;
    if (!regional || !region) {
      throw new PromoteError(
        'internal',
        'NO_FAILOVER_REGION',
        `${ctx.plan.env.name} has no failover region to deploy to`,
      );
    }
    const { lambda } = regional;
    const { zip, release } = await loadArtifact(ctx);
    const sha = codeSha256(zip);
    const expected = ctx.journal.artifact?.codeSha256 ?? ctx.journal.inputs?.artifact.codeSha256;
    if (expected && sha !== expected) {
      throw new PromoteError(
        'deploy_failed',
        'CANDIDATE_MISMATCH',
        `the package for ${region} has CodeSha256 ${sha}, but ${ctx.plan.env.region} runs ${expected}; ${region} was not touched`,
      );
    }
    const alias = await lambda.getAlias();
    ctx.journal.failover = { ...ctx.journal.failover, region, before: alias.version };
    const { version, published } = await publishPackage({
      lambda,
      zip,
      codeSha256: sha,
      description: versionDescription(ctx, release),
      alias: ctx.plan.env.alias,
      live: alias.version,
      region,
      progress: (text) => ctx.progress(`${region}: ${text}`),
    });
    ctx.journal.failover.candidate = version;
    ctx.record.evidence.failover = { region, before: alias.version, candidate: version, published };
    // Armed before the call, like the primary's shift: a crash after UpdateAlias still rolls back.
    await ctx.save();
    if (alias.version !== version || Object.keys(alias.weights).length > 0) {
      await switchAlias(lambda, version, { reason: 'deploy_failed' });
    }
    const live = await lambda.getFunction(ctx.plan.env.alias);
    if (live.codeSha256 !== sha) {
      throw new PromoteError(
        'deploy_failed',
        'REGION_DRIFT',
        `${region}: ${ctx.plan.env.alias} serves CodeSha256 ${live.codeSha256}, expected ${sha}`,
      );
    }
    ctx.journal.failover.after = version;
    const health = await invokeHealth(lambda, ctx.plan.env.alias);
    if (!health.ok) {
      throw new PromoteError(
        'deploy_failed',
        'REGION_UNHEALTHY',
        `${region}: version ${version} answered health with ${health.answer}`,
      );
    }
    const checks: Record<string, unknown> = { alias: version, codeSha256: sha, invokeHealth: 200 };
    if (regional.apiBaseUrl) {
      const api = await readHealth(`${regional.apiBaseUrl}${HEALTH_PATH}`, ctx.options.fetch);
      checks.apiHealth = api.detail;
      if (!api.ok) {
        throw new PromoteError(
          'deploy_failed',
          'REGION_UNHEALTHY',
          `${region}: the region's API is not healthy: ${api.detail}`,
        );
      }
    }
    ctx.record.evidence.failoverChecks = checks;
    ctx.progress(
      `${region}: alias ${ctx.plan.env.alias} ${alias.version} → ${version} (CodeSha256 ${sha})`,
    );
  },
};
