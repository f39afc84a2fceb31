import { handlerFiles, hasHandlerModule } from '../artifact/inspect-artifact.js';
import type { ChecklistApi } from '../aws/checklist-api.js';
import { readHealth } from '../checklists/api-health.js';
import type { ProbeName } from '../checklists/checklist-schema.js';
import { type ProbeContext, type ProbeResult, runProbe } from '../checklists/probe.js';
import { PROBES } from '../checklists/probe-registry.js';
import { PromoteError } from '../errors.js';
import type { Check } from '../journal/step-evidence.js';
import type { StepContext, StepModule } from './step-context.js';

export type { Check } from '../journal/step-evidence.js';

const EXPIRY_WARNING_MS = 15 * 60_000;

/** The probes preflight runs from the checklists' registry, by scope. */
const INFRASTRUCTURE_PROBES = [
  'function',
  'alias',
  'table',
  'table-gsis',
  'bucket',
  'dlq-empty',
  'event-rule',
  'sns-topics',
  'log-groups',
  'alarms-quiet',
] as const satisfies readonly ProbeName[];

const probeContext = (ctx: StepContext): ProbeContext => ({
  env: ctx.plan.env,
  plan: ctx.plan,
  apis: ctx.apis,
  checklist:
    ctx.apis.checklist ??
    new Proxy({} as ChecklistApi, {
      get: () => () => Promise.reject(new Error('no checklist API in this run')),
    }),
  apiBaseUrl: ctx.target.apiBaseUrl,
  ...(ctx.options.git ? { git: ctx.options.git } : {}),
  ...(ctx.options.fetch ? { fetch: ctx.options.fetch } : {}),
  ...(ctx.options.now ? { now: ctx.options.now } : {}),
  allowedAlarms: (ctx.options.allowAlarms ?? []).map((a) => a.name),
  ...(ctx.options.artifactCodeSha256 ? { codeSha256: ctx.options.artifactCodeSha256 } : {}),
  ...(ctx.options.sitSignoff ? { sitSignoff: ctx.options.sitSignoff } : {}),
});

const probed = async (ctx: StepContext, names: readonly ProbeName[]) =>
  Promise.all(names.map((name) => runProbe(name, PROBES, probeContext(ctx))));

const asCheck = (r: ProbeResult, blocking = true): Check => ({
  name: r.name,
  ok: r.ok,
  detail: r.detail,
  blocking,
});

/** The caller must be the environment's account — checked before anything else is read. */
const identityChecks = async (ctx: StepContext): Promise<Check[]> => {
  const { env } = ctx.plan;
  const [account, region] = await probed(ctx, ['account', 'region']);
  if (!account || !region) throw new Error('identity probes missing');
  const caller = account.value as { account: string; arn: string; expiresAt?: string } | undefined;
  if (caller) ctx.record.evidence.caller = { account: caller.account, arn: caller.arn };
  if (!account.ok) {
    // No answer at all (unreachable, expired credentials…): the SDK's own error, mapped by
    // main to its exit code, rather than a line of the checklist.
    if (!caller) throw account.error ?? new Error(account.detail);
    throw new PromoteError(
      'preflight_blocked',
      'PREFLIGHT_WRONG_ACCOUNT',
      `${account.detail}; nothing was changed`,
      ctx.target.sandbox
        ? `use the ${env.name} key: --profile sandbox-${env.name} (or no --profile)`
        : `log in to ${env.name} (aws sso login --profile ${env.profile}) and pass --profile ${env.profile}`,
    );
  }
  const checks: Check[] = [asCheck(account), asCheck(region)];
  const configured = (region.value as { configured?: string } | undefined)?.configured;
  if (configured && configured !== env.region) {
    checks.push({ name: 'configured region', ok: false, detail: region.detail, blocking: false });
  }
  // The account probe's answer carries the credentials' expiry: no second GetCallerIdentity.
  if (caller?.expiresAt) {
    const left = Date.parse(caller.expiresAt) - Date.now();
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
  // PROD: the table's replica in the failover region must be ACTIVE and keeping up. (Not the
  // regions' drift: a promotion is what ends drift, so it must not be blocked by it.)
  const results = await probed(ctx, [
    ...INFRASTRUCTURE_PROBES,
    ...(ctx.plan.env.failoverRegion ? (['replica'] as const) : []),
  ]);
  const value = (probe: ProbeName) => results.find((r) => r.probe === probe)?.value;
  const fn = value('function') as { handler?: string } | undefined;
  if (fn?.handler) ctx.record.evidence.handler = fn.handler;
  const dlq = value('dlq-empty') as { visible: number; inFlight: number } | undefined;
  if (dlq) ctx.record.evidence.dlq = dlq;
  const alarms = value('alarms-quiet') as { inAlarm: string[] } | undefined;
  if (alarms) {
    ctx.record.evidence.alarmsInAlarm = alarms.inAlarm;
    // --allow-alarm: a known alarm the release is meant to fix must not block it either.
    const allowed = new Set((ctx.options.allowAlarms ?? []).map((a) => a.name));
    for (const name of alarms.inAlarm.filter((a) => allowed.has(a))) {
      ctx.io.warn('ALARM_ALLOWED', `${name} is in ALARM, allowed by --allow-alarm`);
    }
  }
  return results.map((r) => asCheck(r));
};

/**
 * PROD: the package about to ship is the one SIT signed off (Gate 4), read from SIT's state
 * table with SIT's credentials. `--override-gate sit-signoff --reason …` is the journaled
 * break-glass for a hotfix; it is reported, never silent.
 */
const gateChecks = async (ctx: StepContext): Promise<Check[]> => {
  const gate = ctx.plan.requireGate;
  if (!gate) return [];
  const [signed] = await probed(ctx, [gate.probe]);
  if (!signed) return [];
  const override = ctx.options.overrideGates?.find((o) => o.gate === gate.id);
  if (!signed.ok && override) {
    ctx.io.warn(
      'GATE_OVERRIDDEN',
      ctx.io.color.red.bold(
        `${gate.title} OVERRIDDEN: ${signed.detail} — reason: ${override.reason}`,
      ),
    );
    ctx.record.evidence.gateOverride = {
      gate: gate.id,
      reason: override.reason,
      missing: signed.detail,
    };
    return [
      { ...asCheck(signed, false), detail: `${signed.detail} (overridden: ${override.reason})` },
    ];
  }
  if (signed.ok) ctx.record.evidence.gate = signed.value as Record<string, unknown>;
  return [asCheck(signed)];
};

/** Prod: the plan's "verify SIT is stable" — SIT's health endpoint answers healthy. */
const upstreamCheck = async (ctx: StepContext): Promise<Check[]> => {
  const upstream = ctx.plan.requireHealthyUpstream;
  if (!upstream) return [];
  const url = ctx.options.upstreamHealthUrl;
  const name = `${upstream} health`;
  if (!url) return [{ name, ok: false, detail: `no ${upstream} API URL known`, blocking: true }];
  const health = await readHealth(url, ctx.options.fetch);
  return [{ name, ok: health.ok, detail: health.detail, blocking: true }];
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
      ...(before ? await gateChecks(ctx) : []),
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
