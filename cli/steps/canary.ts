import { type AbortRequest, AbortRequestWatch } from '../canary/abort-request.js';
import { type Assessment, assess, PLAN_THRESHOLDS } from '../canary/assess.js';
import { requireJudgeable, warmUp } from '../canary/before-first-shift.js';
import { aliasSmoke, candidateSmoke } from '../canary/critical-smoke.js';
import { readWindow } from '../canary/read-window.js';
import { runHeartbeat } from '../canary/run-heartbeat.js';
import { PromoteError } from '../errors.js';
import type { CanaryAnalysis, CanaryProgress } from '../journal/run-journal.js';
import type { CanarySpec } from '../plans/canary-spec.js';
import { shiftStart, switchAlias } from './alias-switch.js';
import { sleep } from './sleep.js';
import type { StepContext, StepModule } from './step-context.js';

const MAX_JOURNALED_ANALYSES = 200;
/** Extra analyses a bake may take when its end found the test environment saturated. */
const MAX_SATURATED_EXTENSIONS = 3;
const pct = (weight: number) => Math.round(weight * 100);

/**
 * The plan's "critical functionality" check: create and process an order on the candidate
 * itself (invoked directly), and create one through the alias (either version may answer).
 * A failure is confirmed by one immediate retry before it counts (Argo's consecutive-error
 * idea): a single failure now and then is noise, a repeat is a signal — the metrics judge
 * the rest.
 */
const criticalSmoke = async (ctx: StepContext, candidate: string) => {
  if (!ctx.options.smokeTokens) return undefined;
  const tokens = await ctx.options.smokeTokens();
  const once = async () => {
    const [direct, alias] = await Promise.all([
      candidateSmoke(ctx.apis.lambda, candidate),
      aliasSmoke({
        baseUrl: ctx.target.apiBaseUrl,
        token: tokens.token,
        ...(tokens.adminToken ? { adminToken: tokens.adminToken } : {}),
        ...(ctx.options.fetch ? { fetch: ctx.options.fetch } : {}),
      }),
    ]);
    return { ok: direct.ok && alias.ok, failed: [...direct.failed, ...alias.failed] };
  };
  const first = await once();
  if (first.ok) return first;
  ctx.progress(`critical smoke failed (${first.failed.join('; ')}); retrying once to confirm`);
  const second = await once();
  return second.ok ? second : { ok: false, failed: [...first.failed, ...second.failed] };
};

const summaryLine = (weight: number, leftSeconds: number, a: Assessment, c: CanaryAnalysis) => {
  const rate = (errors: number, inv: number) =>
    inv ? `${((100 * errors) / inv).toFixed(1)}%` : '-';
  const p95 = c.canary.p95
    ? Object.entries(c.canary.p95)
        .map(([op, ms]) => `p95 ${op} ${Math.round(ms)} ms`)
        .join(', ')
    : '';
  return (
    `${pct(weight)}% · ${Math.max(0, Math.round(leftSeconds))} s left · ${a.verdict.toUpperCase()} · ` +
    `canary: ${c.canary.invocations} inv, ${rate(c.canary.errors, c.canary.invocations)} err${p95 ? `, ${p95}` : ''} | ` +
    `stable: ${c.baseline.invocations} inv, ${rate(c.baseline.errors, c.baseline.invocations)} err`
  );
};

/** One analysis: read the window, judge it, journal it, and fail fast on a trigger. */
const analyse = async (
  ctx: StepContext,
  progress: CanaryProgress,
  spec: CanarySpec,
  weight: number,
  endOfBake: boolean,
  leftSeconds: number,
  smoke: { ok: boolean; failed: string[] } | undefined,
) => {
  const now = ctx.options.now?.() ?? new Date();
  const window = await readWindow({
    cloudwatch: ctx.apis.cloudwatch,
    env: ctx.plan.env,
    canary: progress.candidate,
    baseline: progress.stable,
    windowSeconds: spec.windowSeconds,
    now,
  });
  const alarms = await ctx.apis.infra.alarmsInAlarm();
  const assessment = assess(
    {
      ...window,
      alarmsInAlarm: alarms.map((a) => a.name),
      allowedAlarms: progress.allowedAlarms.map((a) => a.name),
      ...(smoke ? { criticalSmoke: smoke } : {}),
      endOfBake,
    },
    PLAN_THRESHOLDS,
  );
  const analysis: CanaryAnalysis = {
    at: now.toISOString(),
    weight,
    verdict: assessment.verdict,
    canary: {
      invocations: window.canary.invocations,
      errors: window.canary.errors,
      p95: { ...window.canary.p95 },
    },
    // The stable version's p95 too, so a report can chart canary against stable.
    baseline: {
      invocations: window.baseline.invocations,
      errors: window.baseline.errors,
      p95: { ...window.baseline.p95 },
    },
    reasons: assessment.reasons
      .filter((r) => r.verdict !== 'pass' || assessment.verdict === 'fail')
      .map((r) => ({
        trigger: r.trigger,
        verdict: r.verdict,
        message: r.message,
        ...(r.value !== undefined ? { value: r.value } : {}),
        ...(r.threshold !== undefined ? { threshold: r.threshold } : {}),
      })),
    windowSeconds: spec.windowSeconds,
  };
  progress.analyses.push(analysis);
  if (progress.analyses.length > MAX_JOURNALED_ANALYSES) progress.analyses.shift();
  await ctx.save();
  ctx.progress(summaryLine(weight, leftSeconds, assessment, analysis));
  ctx.io.event('CANARY_ANALYSIS', { ...analysis, leftSeconds: Math.round(leftSeconds) });
  if (assessment.verdict !== 'fail') return assessment.verdict;
  const fired = assessment.reasons.filter((r) => r.verdict === 'fail');
  throw new PromoteError(
    'gate_failed_rolled_back',
    'CANARY_GATE_FAILED',
    `canary gate failed at ${pct(weight)}%: ${fired.map((r) => `[${r.trigger}] ${r.message}`).join('; ')}`,
    `version ${progress.candidate} was not promoted; see the journal's canary analyses for the evidence`,
    { triggers: fired.map((r) => r.trigger), analysis },
  );
};

/** Stops the canary when an operator asked to abort it from `promote watch`. */
const assertNotAborted = (request: AbortRequest | undefined, weight: number): void => {
  if (!request) return;
  throw new PromoteError(
    'gate_failed_rolled_back',
    'CANARY_ABORTED',
    `canary aborted by ${request.by} from ${request.via} (${request.at}) before ${pct(weight)}% was judged: ${request.reason}`,
    'the run rolls back to the stable version; nothing was found wrong by the gates',
  );
};

/**
 * `promote prod --canary`: for each of the plan's weights, point the alias at the stable
 * version with `AdditionalVersionWeights {new: w}`, then bake — every analysis interval,
 * read CloudWatch for both versions over the same window and judge with `assess()`; a
 * failed trigger throws at once (the run's rollback restores the alias). After the last
 * bake, 100%: `FunctionVersion` = new, weights cleared. Progress is journaled, so a crash
 * resumes the bake where it was, and `--pause-before` stops between weights.
 */
export const canary: StepModule<'canary'> = {
  kind: 'canary',
  title: (_spec, plan) =>
    `Canary ${plan.canary.steps.map((s) => `${pct(s.weight)}%`).join(' → ')} → 100% with CloudWatch gates`,
  async run(ctx) {
    const spec = ctx.options.canary ?? ctx.plan.canary;
    const { candidate, stable } = await shiftStart(ctx);
    const { lambda } = ctx.apis;
    if (stable === candidate) {
      ctx.journal.versions.after = candidate;
      ctx.progress(`version ${candidate} is already live; nothing to shift`);
      return;
    }
    ctx.journal.canary ??= {
      stable,
      candidate,
      stepIndex: 0,
      resumedPast: [],
      analyses: [],
      allowedAlarms: [...(ctx.options.allowAlarms ?? [])],
    };
    const progress = ctx.journal.canary;
    for (const allowed of ctx.options.allowAlarms ?? []) {
      if (!progress.allowedAlarms.some((a) => a.name === allowed.name))
        progress.allowedAlarms.push(allowed);
    }
    await ctx.save();
    // The guardian's view of this run (infra/guardian.ts): beats from the first shift on.
    const heartbeat = await runHeartbeat(ctx, spec, progress);
    // An operator's "abort and roll back" from the live view (promote watch).
    const { stateApi } = await import('../aws/state-api.js');
    const abort = new AbortRequestWatch(stateApi(ctx.target), ctx.journal.runId).start();
    const wake = AbortSignal.any([ctx.signal, heartbeat.signal, abort.signal]);
    try {
      for (; progress.stepIndex < spec.steps.length; progress.stepIndex += 1) {
        const step = spec.steps[progress.stepIndex] as (typeof spec.steps)[number];
        const weight = step.weight;
        assertNotAborted(await abort.poll(), weight);
        const resuming = progress.stepStartedAt !== undefined;
        // Continuing a paused run: the pause it stopped at has been passed (the journaled
        // pause points still hold the later ones).
        if (progress.pausedBefore === pct(weight)) {
          progress.resumedPast.push(pct(weight));
          delete progress.pausedBefore;
        }
        if (
          !resuming &&
          ctx.options.pauseBefore?.includes(pct(weight)) &&
          !progress.resumedPast.includes(pct(weight))
        ) {
          progress.pausedBefore = pct(weight);
          ctx.record.state = 'paused';
          ctx.journal.status = 'paused';
          await ctx.save();
          // Weights stay on while paused: the guardian watches the alarms, not the beat.
          if (progress.stepIndex > 0) await heartbeat.end('paused');
          ctx.progress(
            `paused before ${pct(weight)}% (alias unchanged); continue with: promote resume ${ctx.plan.env.name}`,
          );
          return;
        }
        if (!resuming) {
          if (progress.stepIndex === 0 && progress.analyses.length === 0) {
            await requireJudgeable(ctx, spec);
            await warmUp(ctx, candidate);
          }
          const due = new Date(
            (ctx.options.now?.() ?? new Date()).getTime() + step.bakeSeconds * 1000,
          );
          await heartbeat.beat({ weight, deadline: due });
          // Never shift what the guardian just took back (a resumed run racing it).
          heartbeat.assertAlive();
          await switchAlias(lambda, stable, {
            weights: { [candidate]: weight },
            reason: 'deploy_failed',
          });
          progress.stepStartedAt = (ctx.options.now?.() ?? new Date()).toISOString();
          await ctx.save();
          ctx.progress(`${pct(weight)}% of traffic on version ${candidate}`);
        }
        const smoke = await criticalSmoke(ctx, candidate);
        const started = Date.parse(progress.stepStartedAt as string);
        const bakeMs = step.bakeSeconds * 1000;
        await heartbeat.beat({ weight, deadline: new Date(started + bakeMs) });
        const clock = () => (ctx.options.now?.() ?? new Date()).getTime();
        // A failed critical smoke is judged at once; a passing one rides on the first analysis.
        let pendingSmoke = smoke;
        if (smoke && !smoke.ok) {
          await analyse(
            ctx,
            progress,
            spec,
            weight,
            false,
            (bakeMs - (clock() - started)) / 1000,
            smoke,
          );
        }
        let extensions = 0;
        for (;;) {
          const wait = Math.max(
            Math.min(spec.analysisIntervalSeconds * 1000, bakeMs - (clock() - started)),
            extensions > 0 ? spec.analysisIntervalSeconds * 1000 : 0,
          );
          if (wait > 0) await sleep(wait, wake);
          if (ctx.signal.aborted) {
            throw new PromoteError(
              'interrupted',
              'INTERRUPTED',
              `interrupted during the ${pct(weight)}% bake`,
            );
          }
          assertNotAborted(abort.request, weight);
          heartbeat.assertAlive();
          const elapsed = clock() - started;
          const endOfBake = elapsed >= bakeMs;
          const verdict = await analyse(
            ctx,
            progress,
            spec,
            weight,
            endOfBake,
            (bakeMs - elapsed) / 1000,
            pendingSmoke,
          );
          pendingSmoke = undefined;
          if (endOfBake && verdict === 'wait') {
            // Only a saturated test environment leaves a bake without a verdict: bake on, a
            // few intervals, for a window that judges the release rather than the machine.
            extensions += 1;
            if (extensions > MAX_SATURATED_EXTENSIONS) {
              throw new PromoteError(
                'gate_failed_rolled_back',
                'CANARY_GATE_FAILED',
                `the canary could not be judged at ${pct(weight)}%: the test environment itself stayed saturated for ${MAX_SATURATED_EXTENSIONS} extra analyses — nothing was found wrong with version ${progress.candidate}, but it was not promoted unjudged`,
                'lighten the machine (less traffic, fewer parallel jobs) and promote again',
                { triggers: ['host-saturated'] },
              );
            }
            ctx.io.warn(
              'CANARY_ANALYSIS',
              `${pct(weight)}% bake extended (${extensions}/${MAX_SATURATED_EXTENSIONS}): the test environment was saturated`,
            );
            await heartbeat.beat({
              weight,
              deadline: new Date(clock() + spec.analysisIntervalSeconds * 1000),
            });
            continue;
          }
          if (endOfBake) break;
        }
        delete progress.stepStartedAt;
        await ctx.save();
      }

      assertNotAborted(await abort.poll(), 1);
      await switchAlias(lambda, candidate).catch((error: Error) => {
        throw new PromoteError('deploy_failed', 'ALIAS_NOT_VERIFIED', error.message);
      });
      await heartbeat.end('done');
    } catch (error) {
      // The run's rollback comes next; should it not happen, the beat stays stale and the
      // guardian restores the stable version.
      await heartbeat.end('ending', (error as { code?: string }).code ?? 'STEP_CRASHED');
      const loss = heartbeat.loss;
      if (loss?.kind === 'guardian') {
        ctx.journal.rollback = {
          to: stable,
          reason: loss.line,
          verified: true,
          at: loss.heartbeat?.guardian?.at ?? new Date().toISOString(),
        };
      }
      throw error;
    } finally {
      abort.stop();
    }
    ctx.journal.versions.after = candidate;
    ctx.record.evidence.canary = {
      steps: spec.steps.map((s) => `${pct(s.weight)}% for ${s.bakeSeconds} s`),
      analyses: progress.analyses.length,
    };
    ctx.progress(`100%: alias ${ctx.plan.env.alias} → version ${candidate}`);
  },
};
