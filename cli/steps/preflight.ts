import { handlerFiles, hasHandlerModule } from '../artifact/inspect-artifact.js';
import { PromoteError } from '../errors.js';
import type { Check } from '../journal/step-evidence.js';
import type { StepContext, StepModule } from './step-context.js';

export type { Check } from '../journal/step-evidence.js';

const EXPIRY_WARNING_MS = 15 * 60_000;

/** The caller must be the environment's account — checked before anything else is read. */
const identityChecks = async (ctx: StepContext): Promise<Check[]> => {
  const { env } = ctx.plan;
  const me = await ctx.apis.sts.whoAmI();
  ctx.record.evidence.caller = { account: me.account, arn: me.arn };
  if (me.account !== env.account) {
    throw new PromoteError(
      'preflight_blocked',
      'PREFLIGHT_WRONG_ACCOUNT',
      `credentials are for account ${me.account}, but ${env.name} is ${env.account} (${me.arn}); nothing was changed`,
      ctx.target.sandbox
        ? `use the ${env.name} key: --profile sandbox-${env.name} (or no --profile)`
        : `log in to ${env.name} (aws sso login --profile ${env.profile}) and pass --profile ${env.profile}`,
    );
  }
  const checks: Check[] = [
    { name: 'account', ok: true, detail: `${me.account} (${me.arn})`, blocking: true },
    { name: 'region', ok: true, detail: env.region, blocking: true },
  ];
  const configured = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (configured && configured !== env.region) {
    checks.push({
      name: 'configured region',
      ok: false,
      detail: `AWS_REGION=${configured} is ignored: ${env.name} runs in ${env.region} per the plan`,
      blocking: false,
    });
  }
  if (me.expiresAt) {
    const left = me.expiresAt.getTime() - Date.now();
    checks.push({
      name: 'credentials expiry',
      ok: left > EXPIRY_WARNING_MS,
      detail: `expire in ${Math.round(left / 60_000)} min${left > EXPIRY_WARNING_MS ? '' : ' — renew before a long run (aws sso login)'}`,
      blocking: false,
    });
  }
  return checks;
};

/** The plan's infrastructure checklist: everything the deployment relies on exists. */
const infrastructureChecks = async (ctx: StepContext): Promise<Check[]> => {
  const { env } = ctx.plan;
  const { lambda, dynamodb, infra } = ctx.apis;
  const exists = async (name: string, probe: () => Promise<string | undefined>): Promise<Check> => {
    try {
      const problem = await probe();
      return { name, ok: !problem, detail: problem ?? 'ok', blocking: true };
    } catch (error) {
      return {
        name,
        ok: false,
        detail: `${(error as Error).name}: ${(error as Error).message}`,
        blocking: true,
      };
    }
  };
  const functionArn = `arn:aws:lambda:${env.region}:${env.account}:function:${env.functionName}`;
  return Promise.all([
    exists(`function ${env.functionName}`, async () => {
      const fn = await lambda.getFunction();
      ctx.record.evidence.handler = fn.handler;
      return fn.state && fn.state !== 'Active' ? `state ${fn.state}` : undefined;
    }),
    exists(`alias ${env.alias}`, async () => {
      const alias = await lambda.getAlias();
      return alias.version ? undefined : 'alias has no version';
    }),
    exists(`table ${env.tableName} + GSIs`, async () => {
      const table = await dynamodb.describeTable();
      if (!table) return 'table not found';
      const missing = env.gsis.filter((g) => !table.gsis.includes(g));
      if (table.status !== 'ACTIVE') return `table is ${table.status}`;
      return missing.length ? `missing GSIs: ${missing.join(', ')}` : undefined;
    }),
    exists(`bucket ${env.bucket}`, async () =>
      (await infra.bucketExists(env.bucket)) ? undefined : 'bucket not found',
    ),
    exists(`DLQ ${env.dlq}`, async () => {
      const queue = await infra.queue(env.dlq);
      if (!queue) return 'queue not found';
      ctx.record.evidence.dlq = { visible: queue.visible, inFlight: queue.inFlight };
      return queue.visible > ctx.plan.maxDlqDepth
        ? `DLQ holds ${queue.visible} message(s); the plan requires it empty — inspect and redrive first`
        : undefined;
    }),
    exists(`rule ${env.eventRule}`, async () => {
      const rule = await infra.rule(env.eventRule);
      if (!rule) return 'rule not found';
      if (rule.state !== 'ENABLED') return `rule is ${rule.state}`;
      // The function itself or one of its qualifiers (alias `live`), never a function whose
      // name merely starts with ours (`order-handler-sit-legacy`).
      return rule.targetArns.some((arn) => arn === functionArn || arn.startsWith(`${functionArn}:`))
        ? undefined
        : `rule does not target ${env.functionName}`;
    }),
    exists(`SNS topics`, async () => {
      const missing = [];
      for (const topic of [env.notificationTopic, env.alarmTopic]) {
        if (!(await infra.topicExists(topic))) missing.push(topic);
      }
      return missing.length ? `missing: ${missing.join(', ')}` : undefined;
    }),
    exists(`log group ${env.logGroup}`, async () =>
      (await infra.logGroupExists(env.logGroup)) ? undefined : 'log group not found',
    ),
    exists('alarms', async () => {
      const firing = await infra.alarmsInAlarm();
      ctx.record.evidence.alarmsInAlarm = firing.map((a) => a.name);
      // --allow-alarm: a known alarm the release is meant to fix must not block it either.
      const allowed = new Set((ctx.options.allowAlarms ?? []).map((a) => a.name));
      const blocking = firing.filter((a) => !allowed.has(a.name));
      for (const a of firing.filter((f) => allowed.has(f.name))) {
        ctx.io.warn('ALARM_ALLOWED', `${a.name} is in ALARM, allowed by --allow-alarm`);
      }
      return blocking.length
        ? `in ALARM: ${blocking.map((a) => a.name).join(', ')} — resolve before promoting (or --allow-alarm <name> --reason …)`
        : undefined;
    }),
  ]);
};

/** Prod: the plan's "verify SIT is stable" — SIT's health endpoint answers healthy. */
const upstreamCheck = async (ctx: StepContext): Promise<Check[]> => {
  const upstream = ctx.plan.requireHealthyUpstream;
  if (!upstream) return [];
  const url = ctx.options.upstreamHealthUrl;
  const name = `${upstream} health`;
  if (!url) return [{ name, ok: false, detail: `no ${upstream} API URL known`, blocking: true }];
  try {
    const res = await (ctx.options.fetch ?? fetch)(url, { signal: AbortSignal.timeout(10_000) });
    const body = (await res.json().catch(() => ({}))) as { status?: string; version?: string };
    const ok = res.status === 200 && body.status === 'healthy';
    return [
      {
        name,
        ok,
        detail: `${url} → ${res.status} ${body.status ?? ''} ${body.version ?? ''}`.trim(),
        blocking: true,
      },
    ];
  } catch (error) {
    return [{ name, ok: false, detail: `${url} → ${(error as Error).message}`, blocking: true }];
  }
};

/** A release comes from a clean tree with the plan's tag (e.g. `v1.0.0-sit`). */
const gitChecks = (ctx: StepContext): Check[] => {
  const git = ctx.options.git;
  if (!git?.sha) return [];
  const blocking = ctx.plan.strictGit && !ctx.target.sandbox;
  return [
    {
      name: 'working tree',
      ok: !git.dirty,
      detail: git.dirty
        ? `uncommitted changes at ${git.sha.slice(0, 12)}`
        : `clean at ${git.sha.slice(0, 12)}`,
      blocking,
    },
    {
      name: 'release tag',
      ok: Boolean(git.tag && ctx.plan.releaseTagPattern.test(git.tag)),
      detail: git.tag ?? `no tag matching ${ctx.plan.releaseTagPattern.source} at HEAD`,
      blocking,
    },
  ];
};

/**
 * Before terraform: the function's handler, when the function exists already (on a fresh
 * account terraform creates it, and the infrastructure checklist reads it after apply).
 */
const handlerOf = async (ctx: StepContext): Promise<Check[]> => {
  try {
    ctx.record.evidence.handler = (await ctx.apis.lambda.getFunction()).handler;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  return [];
};

export const preflight: StepModule<'preflight'> = {
  kind: 'preflight',
  readOnly: true,
  title: (spec, plan) =>
    spec.scope === 'infrastructure'
      ? `Infrastructure checklist of ${plan.env.name} (after terraform apply)`
      : `Preflight: ${plan.env.name} account ${plan.env.account}, ${plan.env.region}`,
  async run(ctx, spec) {
    const infrastructure = spec.scope !== 'identity';
    const before = spec.scope !== 'infrastructure';
    const checks = [
      ...(await identityChecks(ctx)),
      ...(infrastructure ? await infrastructureChecks(ctx) : await handlerOf(ctx)),
      ...(before ? await upstreamCheck(ctx) : []),
      ...(before ? gitChecks(ctx) : []),
    ];
    ctx.record.evidence.checks = checks;
    // The package must hold the module the function's configuration names — known only now
    // that the account is confirmed, and checked before any approval or backup.
    const handler = ctx.record.evidence.handler;
    const entries = ctx.options.artifactEntries;
    if (handler && entries && !hasHandlerModule(entries, handler)) {
      throw new PromoteError(
        'usage',
        'ARTIFACT_HANDLER_MISSING',
        `the artifact has no ${handlerFiles(handler).join(' / ')}, but ${ctx.plan.env.functionName} runs handler ${handler}; nothing was changed`,
        'deploy a package built for this function (npm run build → index.mjs, handler index.handler)',
      );
    }
    for (const check of checks.filter((c) => !c.ok && !c.blocking)) {
      ctx.io.warn('PREFLIGHT_WARNING', `${check.name}: ${check.detail}`);
    }
    const blocked = checks.filter((c) => !c.ok && c.blocking);
    if (blocked.length) {
      throw new PromoteError(
        'preflight_blocked',
        'PREFLIGHT_BLOCKED',
        `preflight blocked ${ctx.plan.env.name}: ${blocked.map((c) => `${c.name} (${c.detail})`).join('; ')}`,
        'nothing was changed; fix the items above and run again',
        { failed: blocked },
      );
    }
    ctx.progress(`${checks.filter((c) => c.ok).length}/${checks.length} checks passed`);
  },
};
