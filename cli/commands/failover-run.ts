import type { Command } from 'commander';
import { ENVIRONMENTS, type EnvName } from '../../infra/environments.js';
import { dnsApi } from '../aws/dns-api.js';
import { dynamoDbApi } from '../aws/dynamodb-api.js';
import type { LambdaApi } from '../aws/lambda-api.js';
import { inRegion } from '../aws/regional-target.js';
import { stateApi } from '../aws/state-api.js';
import { invokeHealth } from '../canary/invoke-health.js';
import { HEALTH_PATH, readHealth } from '../checklists/api-health.js';
import { PromoteError } from '../errors.js';
import { EnvLock } from '../journal/env-lock.js';
import { activeRegion, failoverChanges } from '../ops/failover-plan.js';
import { newOpsId, OpsJournal, type OpsRecord } from '../ops/ops-journal.js';
import { readRegionAlias } from '../ops/region-status.js';
import { actor, connect } from './connect.js';
import { ioOf } from './io-of.js';

export interface FailoverFlags {
  to?: string;
  reason?: string;
  allowDrift?: boolean;
  sandbox?: boolean;
  profile?: string;
  /** Bound on waiting for Route53 to report the change INSYNC (ms). */
  waitMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `promote failover <env> --to <region>` and `promote failback <env>`: the plan's DR made
 * executable. The region taking over must serve the same package as the other (when that one
 * can still be read), answer its health route and have its table ACTIVE; then the API's
 * Route53 failover pair is swapped in one change batch, waited INSYNC and read back. The lock
 * and the record are written to the env's state table **in the region taking over** (a
 * global table): the command must work while the other region is down.
 */
export const failover = async (
  envName: EnvName,
  kind: 'failover' | 'failback',
  flags: FailoverFlags,
  command: Command,
): Promise<void> => {
  const io = ioOf(command);
  const env = ENVIRONMENTS[envName];
  if (!env.failoverRegion) {
    throw new PromoteError(
      'usage',
      'NO_FAILOVER_REGION',
      `${envName} has one region: nothing to fail over to`,
    );
  }
  const to = kind === 'failback' ? env.region : (flags.to ?? env.failoverRegion);
  if (to !== env.region && to !== env.failoverRegion) {
    throw new PromoteError(
      'usage',
      'FAILOVER_UNKNOWN_REGION',
      `${envName} runs in ${env.region} and ${env.failoverRegion}, not ${to}`,
    );
  }
  if (!flags.reason?.trim()) {
    throw new PromoteError(
      'usage',
      'REASON_REQUIRED',
      `${kind} moves all of ${envName}'s traffic: say why with --reason "…"`,
    );
  }
  const from = to === env.region ? env.failoverRegion : env.region;
  const conn = await connect(envName, flags, io);
  const regional = conn.apis.failover;
  if (!regional)
    throw new PromoteError('internal', 'NO_FAILOVER_REGION', `${envName}: no failover APIs`);
  const lambdaIn = (region: string): LambdaApi =>
    region === env.region ? conn.apis.lambda : regional.lambda;
  const toTarget = inRegion(conn.target, to);

  // 1. The region taking over: same package, healthy, its table ACTIVE.
  const [toAlias, fromAlias] = await Promise.all([
    readRegionAlias(to, lambdaIn(to), env.alias),
    readRegionAlias(from, lambdaIn(from), env.alias),
  ]);
  if (toAlias.error) {
    throw new PromoteError(
      'preflight_blocked',
      'FAILOVER_TARGET_UNHEALTHY',
      `${to}: cannot read the function: ${toAlias.error}; DNS unchanged`,
    );
  }
  if (fromAlias.codeSha256 && fromAlias.codeSha256 !== toAlias.codeSha256 && !flags.allowDrift) {
    throw new PromoteError(
      'preflight_blocked',
      'REGION_DRIFT',
      `${to} serves CodeSha256 ${toAlias.codeSha256} but ${from} serves ${fromAlias.codeSha256}: failing over would change the code users run; DNS unchanged`,
      `promote ${envName} first (one package to both regions), or --allow-drift if ${from} is what is broken`,
    );
  }
  const health = await invokeHealth(lambdaIn(to), env.alias);
  if (!health.ok) {
    throw new PromoteError(
      'preflight_blocked',
      'FAILOVER_TARGET_UNHEALTHY',
      `${to}: ${env.alias} answered health with ${health.answer}; DNS unchanged`,
    );
  }
  const table = await dynamoDbApi(toTarget).describeTable();
  if (table?.status !== 'ACTIVE') {
    throw new PromoteError(
      'preflight_blocked',
      'FAILOVER_TARGET_UNHEALTHY',
      `${to}: table ${env.tableName} is ${table?.status ?? 'missing'} (its replica must be ACTIVE); DNS unchanged`,
    );
  }
  io.info(
    'FAILOVER_CHECKED',
    `${to}: version ${toAlias.alias?.version} (CodeSha256 ${toAlias.codeSha256}) healthy, table ACTIVE${fromAlias.error ? `; ${from} unreadable (${fromAlias.error})` : ''}`,
  );

  // 2. What DNS says now, and what it must say.
  const dns = dnsApi(conn.target);
  const pair = await dns.failoverPair(env.hostedZone, env.apiDomain);
  if (!pair) {
    throw new PromoteError(
      'preflight_blocked',
      'FAILOVER_RECORDS',
      `no public hosted zone ${env.hostedZone}`,
    );
  }
  const changes = failoverChanges(pair.records, to);
  if (changes.length === 0) {
    io.info('FAILOVER_NOTHING', `${env.apiDomain} already answers from ${to}; nothing changed`);
    io.document({ ok: true, env: envName, kind, region: to, changed: false });
    return;
  }
  const yes = await io.confirm(
    'FAILOVER_APPROVAL',
    `${kind}: move ${env.apiDomain} from ${activeRegion(pair.records) ?? from} to ${to}? (${flags.reason})`,
  );
  if (!yes)
    throw new PromoteError(
      'approval_declined',
      'APPROVAL_DECLINED',
      `${kind} declined; DNS unchanged`,
    );

  // 3. Lock and record in the region taking over (the other may be down).
  const state = stateApi(toTarget);
  const lock = new EnvLock(state, envName);
  const journal = new OpsJournal(conn.home, state, (error) =>
    io.warn('JOURNAL_REMOTE', `could not write the record in ${to}: ${error.message}`),
  );
  const record: OpsRecord = {
    schema: 1,
    id: newOpsId(),
    kind: 'dns-failover',
    env: envName,
    actor: actor(),
    sandbox: conn.target.sandbox,
    dryRun: false,
    startedAt: new Date().toISOString(),
    status: 'running',
    details: {
      kind,
      from,
      to,
      reason: flags.reason,
      version: toAlias.alias?.version,
      codeSha256: toAlias.codeSha256,
    },
  };
  await lock.acquire({ runId: record.id, actor: record.actor, command: `${kind} ${envName}` });
  try {
    await journal.save(record);
    const changeId = await dns.upsert(
      pair.zoneId,
      env.apiDomain,
      changes,
      `promote ${kind} ${record.id}: ${flags.reason}`,
    );
    const deadline = Date.now() + (flags.waitMs ?? 300_000);
    let status = await dns.changeStatus(changeId);
    while (status !== 'INSYNC' && Date.now() < deadline) {
      io.info('FAILOVER_WAIT', `Route53 change ${changeId}: ${status}`);
      await sleep(5_000);
      status = await dns.changeStatus(changeId);
    }
    const after = await dns.failoverPair(env.hostedZone, env.apiDomain);
    const now = after ? activeRegion(after.records) : undefined;
    if (status !== 'INSYNC' || now !== to) {
      throw new PromoteError(
        'deploy_failed',
        'FAILOVER_NOT_VERIFIED',
        `Route53 change ${changeId} is ${status}; ${env.apiDomain} reads back as answering from ${now ?? 'unknown'}, expected ${to}`,
      );
    }
    const api =
      regional.apiBaseUrl && to === env.failoverRegion
        ? await readHealth(`${regional.apiBaseUrl}${HEALTH_PATH}`)
        : undefined;
    record.details = {
      ...record.details,
      changeId,
      dns: 'INSYNC',
      ...(api ? { apiHealth: api.detail } : {}),
    };
    record.status = 'succeeded';
    record.finishedAt = new Date().toISOString();
    io.info(
      'FAILOVER_DONE',
      `${env.apiDomain} now answers from ${to} (Route53 ${changeId} INSYNC); record ${record.id}`,
    );
    await journal.save(record);
    io.document({ ok: true, env: envName, kind, region: to, changed: true, record });
  } catch (error) {
    await journal.fail(record, error).catch(() => undefined);
    throw error;
  } finally {
    await lock.release(record.id).catch(() => undefined);
  }
};
