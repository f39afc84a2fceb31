import { execa } from 'execa';
import { planAlarms } from '../../infra/alarms.js';
import type { RunJournal } from '../journal/run-journal.js';
import { HEALTH_PATH, readHealth } from './api-health.js';
import { fail, type Probe, type ProbeContext, pass } from './probe.js';

/** Probes of the release and of what earlier runs proved: git, DEV, smoke, SIT's gate, metrics. */

const lastPromotion = (runs: readonly RunJournal[]) =>
  runs.find((r) => r.command === 'promote' && r.status !== 'running' && r.status !== 'planned');

const smokeOf = (run: RunJournal) =>
  run.steps.find((s) => s.kind === 'smoke' && s.state === 'succeeded')?.evidence.smoke;

/** Sum of one metric over the last `minutes`, per minute. */
const perMinute = async (
  ctx: ProbeContext,
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
  minutes = 15,
): Promise<number[]> => {
  const end = ctx.now?.() ?? new Date();
  const start = new Date(end.getTime() - minutes * 60_000);
  const out = await ctx.apis.cloudwatch.getMetrics(
    [{ id: 'm', namespace, metricName, dimensions, stat: 'Sum', periodSeconds: 60 }],
    start,
    end,
  );
  return [...(out.m ?? [])];
};
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const threshold = (ctx: ProbeContext, suffix: string) =>
  planAlarms(ctx.env).find((a) => a.name === `${ctx.env.functionName}-${suffix}`)?.threshold ?? 0;

export const RELEASE_PROBES = {
  'release-tag': {
    title: () => 'release tag',
    async run({ git, plan }) {
      if (!git?.sha) return fail('not a git checkout');
      return git.tag && plan.releaseTagPattern.test(git.tag)
        ? pass(`${git.tag} at ${git.sha.slice(0, 12)}`, { tag: git.tag, sha: git.sha })
        : fail(`no tag matching ${plan.releaseTagPattern.source} at ${git.sha.slice(0, 12)}`, {
            tag: git.tag,
          });
    },
  },
  'main-branch': {
    title: () => 'code on main',
    async run({ git }) {
      if (!git?.sha) return fail('not a git checkout');
      // HEAD must be reachable from main (the remote's when there is one): a release is cut
      // from reviewed code, never from a side branch.
      for (const ref of ['origin/main', 'main']) {
        const r = await execa('git', ['merge-base', '--is-ancestor', git.sha, ref], {
          reject: false,
          timeout: 10_000,
        });
        if (r.exitCode === 0) return pass(`${git.sha.slice(0, 12)} is on ${ref}`, { ref });
        if (r.exitCode === 1) return fail(`${git.sha.slice(0, 12)} is not on ${ref}`, { ref });
      }
      return fail('no main branch in this checkout');
    },
  },
  'dev-green': {
    title: () => 'last DEV run',
    async run({ devRuns }) {
      if (!devRuns) return fail("DEV's journals cannot be read from here");
      const last = lastPromotion(await devRuns());
      if (!last) return fail('no promotion of DEV recorded');
      const value = { runId: last.runId, status: last.status, at: last.finishedAt };
      return last.status === 'succeeded'
        ? pass(`${last.runId} succeeded ${last.finishedAt ?? ''}`.trim(), value)
        : fail(`${last.runId} ${last.status}`, value);
    },
  },
  health: {
    title: () => 'health endpoint',
    run: ({ apiBaseUrl, fetch: f }) => readHealth(`${apiBaseUrl}${HEALTH_PATH}`, f),
  },
  'smoke-passed': {
    title: () => 'smoke tests of the live package',
    async run({ runs, codeSha256 }) {
      if (!runs) return fail('no journals');
      const all = await runs();
      const last = all.find(
        (r) => r.command === 'promote' && (!codeSha256 || r.artifact?.codeSha256 === codeSha256),
      );
      const smoke = last ? smokeOf(last) : undefined;
      if (!last || !smoke) return fail('no promotion of the live package ran the smoke tests');
      const total = smoke.tests.length;
      const value = { runId: last.runId, passed: smoke.passed, total };
      return smoke.ok
        ? pass(`${smoke.passed}/${total} in ${last.runId}`, value)
        : fail(`${smoke.passed}/${total} in ${last.runId}`, value);
    },
  },
  'sit-signoff': {
    title: () => 'SIT sign-off (Gate 4)',
    async run({ sitSignoff, codeSha256 }) {
      if (!codeSha256) return fail('no package to look for');
      if (!sitSignoff) return fail("SIT's sign-offs cannot be read from here");
      const gate = await sitSignoff(codeSha256);
      return gate
        ? pass(`signed ${gate.at} by ${gate.actor} (${gate.approverRole})`, gate)
        : fail(`SIT never signed off package ${codeSha256}`);
    },
  },
  'backup-recent': {
    title: (e) => `backup of ${e.tableName} in the last 24 h`,
    async run({ checklist, env, now }) {
      const since = new Date((now?.() ?? new Date()).getTime() - 24 * 3_600_000);
      const backups = await checklist.recentBackups(env.tableName, since);
      const ok = backups.filter((b) => b.status === 'AVAILABLE');
      return ok.length
        ? pass(`${ok.length} available, newest ${ok[0]?.name}`, ok)
        : fail('no available on-demand backup in the last 24 h', backups);
    },
  },
  'lambda-errors': {
    title: () => 'error rate (15 min)',
    async run(ctx) {
      const dims = { FunctionName: ctx.env.functionName };
      const [errors, calls] = await Promise.all([
        perMinute(ctx, 'AWS/Lambda', 'Errors', dims),
        perMinute(ctx, 'AWS/Lambda', 'Invocations', dims),
      ]);
      const rate = sum(calls) ? (100 * sum(errors)) / sum(calls) : 0;
      const limit = threshold(ctx, 'high-error-rate');
      const value = { errors: sum(errors), invocations: sum(calls), ratePercent: rate };
      return rate > limit
        ? fail(`${rate.toFixed(2)}% errors > ${limit}%`, value)
        : pass(`${sum(errors)} errors / ${sum(calls)} invocations (${rate.toFixed(2)}%)`, value);
    },
  },
  throttles: {
    title: () => 'throttles (15 min)',
    async run(ctx) {
      const values = await perMinute(ctx, 'AWS/Lambda', 'Throttles', {
        FunctionName: ctx.env.functionName,
      });
      const worst = Math.max(0, ...values);
      const limit = threshold(ctx, 'throttling');
      return worst > limit
        ? fail(`${worst} throttles in a minute > ${limit}`, { perMinute: values })
        : pass(`${sum(values)} throttles, at most ${worst}/min`, { perMinute: values });
    },
  },
  'rule-invocations': {
    title: (e) => `rule ${e.eventRule} deliveries (15 min)`,
    async run(ctx) {
      const dims = { RuleName: ctx.env.eventRule };
      const [invocations, failed] = await Promise.all([
        perMinute(ctx, 'AWS/Events', 'Invocations', dims),
        perMinute(ctx, 'AWS/Events', 'FailedInvocations', dims),
      ]);
      const value = { invocations: sum(invocations), failed: sum(failed) };
      return sum(failed) > 0
        ? fail(`${sum(failed)} failed deliveries`, value)
        : pass(`${sum(invocations)} deliveries, none failed`, value);
    },
  },
} satisfies Record<string, Probe>;
