import { PromoteError } from '../errors.js';
import { runSmoke, smokeFailure } from '../smoke/run-smoke.js';
import type { StepModule } from './step-context.js';

/** The plan's 11 smoke tests (or the read-only subset) against the environment's API. */
export const smoke: StepModule<'smoke'> = {
  kind: 'smoke',
  title: (spec) =>
    spec.readOnly ? 'Smoke tests (read-only subset)' : 'Smoke tests (plan: 11 calls)',
  async run(ctx, spec) {
    if (!ctx.options.smokeTokens) {
      throw new PromoteError(
        'usage',
        'SMOKE_NO_TOKEN',
        `no token for the ${ctx.plan.env.name} smoke tests`,
        `export ${ctx.plan.env.name.toUpperCase()}_TOKEN=… or pass --token`,
      );
    }
    const tokens = await ctx.options.smokeTokens();
    const report = await runSmoke({
      baseUrl: ctx.target.apiBaseUrl,
      token: tokens.token,
      ...(tokens.adminToken ? { adminToken: tokens.adminToken } : {}),
      readOnly: spec.readOnly === true,
      ...(ctx.options.fetch ? { fetch: ctx.options.fetch } : {}),
      onResult: (r) =>
        ctx.progress(
          `${r.number}. ${r.title}: ${r.ok ? 'ok' : r.skipped ? 'skipped' : `FAILED (${r.reason ?? r.status})`}`,
        ),
    });
    ctx.record.evidence.smoke = report;
    const failure = smokeFailure(report);
    if (failure) throw failure;
    ctx.progress(`${report.passed}/${report.tests.length} passed`);
  },
};
