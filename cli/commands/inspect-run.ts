import type { Command } from 'commander';
import { inRegion } from '../aws/regional-target.js';
import { stateApi } from '../aws/state-api.js';
import { HEALTH_PATH } from '../checklists/api-health.js';
import { PromoteError } from '../errors.js';
import { gitFacts } from '../git-facts.js';
import type { GlobalFlags } from '../global-flags.js';
import { EnvLock } from '../journal/env-lock.js';
import { guardianNote, heartbeatLine, readHeartbeat } from '../journal/guardian-records.js';
import { JournalStore } from '../journal/journal-store.js';
import { newJournal, type RunJournal } from '../journal/run-journal.js';
import { readRegionAlias, regionDrift } from '../ops/region-status.js';
import { PLANS } from '../plans/plans.js';
import { preflight } from '../steps/preflight.js';
import { envArg } from './arg-parsers.js';
import { connect } from './connect.js';
import { ioOf } from './io-of.js';
import { problemsOf, reportScanProblems } from './journal-problems.js';

/* The read-only commands' runs, imported only when one is used (see inspect.ts). */

/** One run, one line: what it did, how it ended, and anything its journal copies disagree on. */
const runLine = (r: RunJournal): string =>
  [
    `${r.runId}  ${r.command.padEnd(8)} ${r.status.padEnd(15)} ${r.versions.before ?? '?'} → ${r.versions.after ?? '?'}  ${r.actor}`,
    r.error ? `[${r.error.code}]` : '',
    r.reason ? `"${r.reason}"` : '',
    r.supersededBy ? `superseded${r.supersededBy.runId ? ` by ${r.supersededBy.runId}` : ''}` : '',
    r.interruption ? `finish with: ${r.interruption.finishWith[0]}` : '',
    r.remoteStale
      ? `state-table copy behind (seq ${r.remoteStale.seq}: ${r.remoteStale.error})`
      : '',
    guardianNote(r) ?? '',
  ]
    .filter(Boolean)
    .join('  ');

/** `promote preflight --env <env>` */
export const preflightCommand = async (flags: { env: string }, command: Command): Promise<void> => {
  const io = ioOf(command);
  const env = envArg(flags.env);
  const conn = await connect(env, command.optsWithGlobals() as GlobalFlags, io);
  const plan = PLANS[env];
  const journal = newJournal({
    env,
    command: 'promote',
    actor: 'preflight',
    sandbox: conn.target.sandbox,
    steps: [{ kind: 'preflight', title: 'preflight' }],
  });
  const record = journal.steps[0] as (typeof journal.steps)[0];
  const upstream = plan.requireHealthyUpstream;
  try {
    await preflight.run(
      {
        plan,
        target: conn.target,
        apis: conn.apis,
        io,
        journal,
        record,
        options: {
          home: conn.home,
          git: await gitFacts(),
          ...(upstream && conn.apiUrlOf(upstream)
            ? { upstreamHealthUrl: `${conn.apiUrlOf(upstream)}${HEALTH_PATH}` }
            : {}),
        },
        signal: new AbortController().signal,
        save: async () => {},
        progress: (text) => io.info('PREFLIGHT', text),
      },
      { kind: 'preflight' },
    );
  } finally {
    for (const check of record.evidence.checks ?? []) {
      io.result(
        `${check.ok ? io.color.green('✔') : io.color.red('✖')} ${check.name.padEnd(34)} ${check.detail}`,
      );
    }
  }
  io.document({ ok: true, env, checks: record.evidence.checks });
};

/** `promote status <env>` */
export const statusCommand = async (value: string, command: Command): Promise<void> => {
  const io = ioOf(command);
  const env = envArg(value);
  const conn = await connect(env, command.optsWithGlobals() as GlobalFlags, io);
  const plan = PLANS[env];
  const failover = conn.apis.failover;
  const regions = failover
    ? await Promise.all([
        readRegionAlias(plan.env.region, conn.apis.lambda, plan.env.alias),
        readRegionAlias(failover.region, failover.lambda, plan.env.alias),
      ])
    : [];
  // With the primary region down (a DR drill, an outage) a two-region env still answers: what
  // the failover region and its replica of the state table know. A single region just fails.
  const primaryDown = Boolean(failover && regions[0]?.error);
  const orNothing = <T>(read: Promise<T>): Promise<T | undefined> =>
    primaryDown ? read.catch(() => undefined) : read;
  const state =
    primaryDown && failover ? stateApi(inRegion(conn.target, failover.region)) : conn.state;
  if (primaryDown && failover) {
    io.warn(
      'REGION_UNREADABLE',
      `${plan.env.region} cannot be read (${regions[0]?.error}): lock and runs from ${failover.region}'s replica of the state table`,
    );
  }
  const [alias, versions, alarms, scan, holder] = await Promise.all([
    orNothing(conn.apis.lambda.getAlias()),
    orNothing(conn.apis.lambda.listVersions()),
    orNothing(conn.apis.infra.alarmsInAlarm()),
    new JournalStore(conn.home, state).scan(env, 5),
    new EnvLock(state, env).holder(),
  ]);
  const drift = regionDrift(regions);
  const runs = scan.runs;
  const weights = Object.entries(alias?.weights ?? {})
    .map(([v, w]) => `${v}=${(w * 100).toFixed(0)}%`)
    .join(', ');
  io.result(
    alias
      ? `${env}: alias live → version ${alias.version}${weights ? ` + ${weights}` : ''}`
      : `${env}: alias live in ${plan.env.region} ${io.color.red('unreadable')}`,
  );
  for (const r of regions) {
    io.result(
      r.error
        ? `  ${r.region.padEnd(12)} ${io.color.red('unreadable')}: ${r.error}`
        : `  ${r.region.padEnd(12)} live → version ${r.alias?.version}  CodeSha256 ${r.codeSha256}`,
    );
  }
  for (const problem of drift) io.result(`${io.color.red('✖ drift:')} ${problem}`);
  io.result('versions:');
  for (const v of (versions ?? []).slice(-10)) {
    io.result(
      `  ${v.version.padStart(4)}  ${v.description}${v.version === alias?.version ? '  ← live' : ''}`,
    );
  }
  io.result(
    !alarms
      ? `alarms: ${io.color.red('unreadable')}`
      : alarms.length
        ? `alarms in ALARM: ${alarms.map((a) => a.name).join(', ')}`
        : 'alarms: none in ALARM',
  );
  io.result(
    holder
      ? `lock: held by run ${holder.runId} — ${holder.actor}@${holder.host}${holder.pid ? ` pid ${holder.pid}` : ''} (${holder.command}, since ${holder.since})`
      : 'lock: free',
  );
  // The canary guardian's view (infra/guardian.ts): unreadable is shown, never fatal.
  const heartbeat = await readHeartbeat(state, plan.env.region).catch(
    (error: Error) => `unreadable (${error.message})`,
  );
  if (heartbeat) {
    io.result(
      typeof heartbeat === 'string' ? `canary heartbeat: ${heartbeat}` : heartbeatLine(heartbeat),
    );
  }
  io.result('last runs:');
  for (const r of runs) io.result(`  ${runLine(r)}`);
  reportScanProblems(io, scan);
  const document = {
    ok: drift.length === 0,
    env,
    alias: alias ?? null,
    ...(regions.length ? { regions, drift } : {}),
    versions: versions ?? null,
    alarmsInAlarm: alarms ?? null,
    lock: holder ?? null,
    heartbeat: heartbeat ?? null,
    runs: runs.map(({ steps: _s, ...rest }) => rest),
    journalProblems: problemsOf(scan),
  };
  if (drift.length) {
    // The document is the error's details, so `--json` still carries the whole status.
    throw new PromoteError(
      'preflight_blocked',
      'REGION_DRIFT',
      `${env}'s regions disagree: ${drift.join('; ')}`,
      `promote ${env} (ships one package to both) or rollback ${env} --to <version|tag> (moves both)`,
      document,
    );
  }
  io.document(document);
};

/** `promote history <env>` */
export const historyCommand = async (
  value: string,
  opts: { limit: string },
  command: Command,
): Promise<void> => {
  const io = ioOf(command);
  const env = envArg(value);
  const conn = await connect(env, command.optsWithGlobals() as GlobalFlags, io);
  const limit = Math.max(1, Math.min(200, Number(opts.limit) || 20));
  const scan = await new JournalStore(conn.home, conn.state).scan(env, limit);
  const runs = scan.runs;
  if (runs.length === 0) io.result(`no runs of ${env} yet`);
  for (const r of runs) io.result(runLine(r));
  reportScanProblems(io, scan);
  io.document({ ok: true, env, runs, journalProblems: problemsOf(scan) });
};
