import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import type { EnvName } from '../../infra/environments.js';
import { loadSandboxKeys } from '../../sandbox/api/jwt.js';
import { sandboxPaths } from '../../sandbox/paths.js';
import { PromoteError } from '../errors.js';
import type { GlobalFlags } from '../global-flags.js';
import type { IoHost } from '../io/io-host.js';
import { cleanUpLoad } from '../load/load-cleanup.js';
import { checkSharedToken, guardProd } from '../load/load-guard.js';
import { DEFAULT_LOAD_MIX, formatMix, type LoadMix, MixError, parseMix } from '../load/load-mix.js';
import { createLoadModel, LOAD_CUSTOMER_PREFIX, loadCustomerIds } from '../load/load-model.js';
import { createLoadRunner } from '../load/load-runner.js';
import { buildLoadReport, loadPlanOf, progressLine, settingsOf } from '../load/load-session.js';
import { bucketMsFor } from '../load/load-timeline.js';
import { PLANS } from '../plans/plans.js';
import { httpCaller, normaliseBaseUrl } from '../smoke/smoke-http.js';
import { actor, connect } from './connect.js';
import { ioOf } from './io-of.js';
import type { LoadFlags } from './load.js';

/** Tokens for the run: one per customer (sandbox) or one admin token shared by all. */
const resolveTokens = async (input: {
  env: EnvName;
  sandbox: boolean;
  flags: LoadFlags;
  home: string;
  customers: readonly string[];
  mustLastUntil: Date;
  smokeTokens: () => Promise<{ token: string; adminToken?: string }>;
}) => {
  if (input.sandbox && !input.flags.token) {
    // As `promote sandbox traffic` does, with a lifetime covering the run and its clean-up.
    const keys = await loadSandboxKeys(sandboxPaths(input.home).keys);
    const ttlSeconds = Math.ceil((input.mustLastUntil.getTime() - Date.now()) / 1000) + 3600;
    const entries = await Promise.all(
      input.customers.map(
        async (id) =>
          [id, await keys.mintToken({ env: input.env, customerId: id, ttlSeconds })] as const,
      ),
    );
    const admin = await keys.mintToken({ env: input.env, admin: true, ttlSeconds });
    return { customers: new Map(entries), admin, mode: 'minted' as const };
  }
  const t = await input.smokeTokens();
  const shared = t.adminToken ?? t.token;
  checkSharedToken(shared, input.env, input.mustLastUntil);
  return {
    customers: new Map(input.customers.map((id) => [id, shared])),
    admin: shared,
    mode: 'shared' as const,
  };
};

/** First Ctrl-C: stop sending, clean up, report. Second: stop the clean-up and waits too. */
const interruptions = (io: IoHost) => {
  const soft = new AbortController();
  const hard = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!soft.signal.aborted) {
      io.warn(
        'INTERRUPTED_TWICE',
        `${signal}: stopping the load; cleaning up and reporting (again to skip the clean-up)…`,
      );
      soft.abort();
    } else {
      io.warn('INTERRUPTED_TWICE', `second ${signal}: skipping what is left of the clean-up`);
      hard.abort();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    soft: soft.signal,
    hard: hard.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
};

const parseMixFlag = (text: string | undefined): LoadMix => {
  if (text === undefined) return DEFAULT_LOAD_MIX;
  try {
    return parseMix(text);
  } catch (error) {
    if (error instanceof MixError) {
      throw new PromoteError('usage', 'LOAD_BAD_OPTIONS', `--mix ${text}: ${error.message}`);
    }
    throw error;
  }
};

/** `promote load <env>`: the run (imported only when the command is used). */
export const load = async (envValue: string, flags: LoadFlags, command: Command): Promise<void> => {
  const io = ioOf(command);
  const all = command.optsWithGlobals() as LoadFlags & GlobalFlags;
  const { envArg } = await import('./arg-parsers.js');
  const env = envArg(envValue);
  const mix = parseMixFlag(flags.mix);
  const plan = loadPlanOf(flags, PLANS[env]);
  const what =
    plan.kind === 'load'
      ? `${plan.phase.rate} req/s for ${plan.phase.durationMs / 1000} s`
      : `stress ${flags.start}→${flags.maxRate} req/s in steps of ${flags.step} every ${flags.stepDuration / 1000} s`;
  // Safety before anything else: PROD refused or approved before the first connection.
  const approval = await guardProd({
    env,
    allowProd: flags.allowProd === true,
    io,
    actor: actor(),
    what,
  });
  const conn = await connect(env, all, io);
  const baseUrl = normaliseBaseUrl(flags.baseUrl ?? conn.target.apiBaseUrl);
  const startedAt = new Date();
  const runTag = `${startedAt.getTime().toString(36)}${randomBytes(2).toString('hex')}`;
  const customerIds = loadCustomerIds(runTag, flags.customers);
  const plannedMs =
    plan.kind === 'load' ? plan.phase.durationMs : plan.schedule.rates.length * plan.stepDurationMs;
  const tokens = await resolveTokens({
    env,
    sandbox: conn.target.sandbox,
    flags,
    home: conn.home,
    customers: customerIds,
    // The run, its clean-up (a quarter of the run, at least 10 minutes) and the metrics wait.
    mustLastUntil: new Date(startedAt.getTime() + plannedMs * 1.25 + 600_000),
    smokeTokens: conn.smokeTokens,
  });
  const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
  const { seededRandom } = await import('../../sandbox/api/traffic-model.js');
  const model = createLoadModel({
    customers: tokens.customers,
    adminToken: tokens.admin,
    mix,
    burstSize: flags.burstSize,
    random: seededRandom(seed),
  });
  const signals = interruptions(io);
  const runner = createLoadRunner({
    baseUrl,
    model,
    mix,
    burstSize: flags.burstSize,
    maxInFlight: flags.maxInFlight,
    timeoutMs: flags.timeout,
    signal: signals.soft,
    // report.html's points: at most ~600 over the planned run (a 15-minute run: every 2 s).
    bucketMs: bucketMsFor(plannedMs),
    onProgress: (status) => {
      io.info('LOAD_PROGRESS', progressLine(status));
      io.event('LOAD_PROGRESS', { ...status });
    },
  });
  io.info(
    'LOAD_START',
    `load ${env} → ${baseUrl}: ${what}, mix ${formatMix(mix)}, ${flags.customers} test customers ${LOAD_CUSTOMER_PREFIX}${runTag}_*`,
  );
  const cleanUp = () =>
    cleanUpLoad({
      call: httpCaller({ baseUrl, token: tokens.admin, timeoutMs: flags.timeout }),
      customers: customerIds,
      created: model.created,
      signal: signals.hard,
    });
  try {
    const { runLoadPlan } = await import('../load/run-phases.js');
    const outcome = await runLoadPlan({
      runner,
      plan,
      signal: signals.soft,
      onStep: (result, judgement) =>
        io.info(
          'LOAD_STEP',
          `step ${result.phase.rate} req/s: steady ${result.steadyRate} req/s, ${result.tally.errors} errors (${result.tally.errorRatePct}%), ${result.tally.dropped} dropped — ${judgement ? (judgement.ok ? 'ok' : `FAILED: ${judgement.why.join('; ')}`) : 'interrupted'}`,
        ),
    }).catch(async (error: unknown) => {
      // A crash of the run itself must not leave its test orders behind.
      if (!flags.keepData) {
        const c = await cleanUp();
        io.warn(
          'LOAD_CLEANUP',
          `run failed; test data: ${c.removed} removed, ${c.remaining} remaining`,
        );
      }
      throw error;
    });
    runner.close();
    const endedAt = new Date();
    const cleanup = flags.keepData
      ? { skipped: `--keep-data: orders of ${LOAD_CUSTOMER_PREFIX}${runTag}_* kept` }
      : await cleanUp();
    if ('removed' in cleanup) {
      io.info(
        'LOAD_CLEANUP',
        `test data: ${cleanup.found} orders found, ${cleanup.removed} removed, ${cleanup.alreadyGone} already gone, ${cleanup.remaining} remaining`,
      );
    }
    // CloudWatch has a run only once its datapoints landed: minutes in AWS, at once locally.
    const waitMs = flags.metricsWait ?? (conn.target.sandbox ? 2_000 : 150_000);
    const readyAt = endedAt.getTime() + waitMs;
    if (readyAt > Date.now()) {
      io.info(
        'LOAD_METRICS',
        `reading CloudWatch in ${Math.ceil((readyAt - Date.now()) / 1000)} s…`,
      );
      await delay(readyAt - Date.now(), undefined, { signal: signals.hard }).catch(() => undefined);
    }
    const { readLoadMetrics } = await import('../load/load-metrics.js');
    const cloudwatch = await readLoadMetrics({
      cloudwatch: conn.apis.cloudwatch,
      env: conn.target.env,
      start: startedAt,
      end: endedAt,
    }).catch((error: Error) => ({ error: error.message }));
    const report = buildLoadReport({
      env,
      api: baseUrl,
      sandbox: conn.target.sandbox,
      startedAt,
      endedAt,
      settings: settingsOf(flags, plan, mix, runTag, tokens.mode, seed),
      ...(approval ? { approval } : {}),
      outcome,
      total: runner.total(),
      series: runner.series(),
      cloudwatch,
      cleanup,
      plan: PLANS[env],
      home: conn.home,
    });
    const { writeLoadReport } = await import('../load/load-report.js');
    writeLoadReport(report);
    const { writeLoadHtml } = await import('../reports/load-html-report.js');
    writeLoadHtml(report);
    for (const v of report.sla) {
      io.info(
        'LOAD_SLA',
        `${v.verdict === 'pass' ? '✔' : v.verdict === 'fail' ? '✖' : '–'} ${v.title}: ${v.actual ?? 'n/a'} — ${v.detail}`,
      );
    }
    const verdict = report.interrupted ? 'INTERRUPTED' : report.ok ? 'PASS' : 'FAIL';
    io.info('LOAD_DONE', `${verdict} — data ${report.files.json}`);
    // The closing line, as promote runs end: the page to open first, the summary after it.
    io.result(`report: ${report.files.html} (summary ${report.files.markdown})`);
    if (report.interrupted) {
      throw new PromoteError(
        'interrupted',
        'INTERRUPTED',
        'load run interrupted (Ctrl-C / SIGTERM); report written',
        `see ${report.files.html}`,
        { report },
      );
    }
    if (!report.ok) {
      const failed = report.sla.filter((v) => v.verdict === 'fail').map((v) => v.title);
      throw new PromoteError(
        'smoke_failed',
        'LOAD_SLA_FAILED',
        `load ${env}: ${failed.length} SLA(s) failed: ${failed.join('; ')}`,
        `see ${report.files.html}`,
        { report },
      );
    }
    io.document(report);
  } finally {
    runner.close();
    signals.dispose();
  }
};
