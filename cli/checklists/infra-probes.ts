import { planAlarms } from '../../infra/alarms.js';
import { readRegionAlias, regionDrift } from '../ops/region-status.js';
import { fail, type Probe, pass } from './probe.js';

/** Probes of what terraform builds: each compares what AWS holds with the spec in infra/. */

const functionArn = (e: { region: string; account: string; functionName: string }) =>
  `arn:aws:lambda:${e.region}:${e.account}:function:${e.functionName}`;

/** Hourly in AWS Backup's cron: minute fixed, every hour. */
const HOURLY = /^cron\(\d{1,2} \* \* \* \? \*\)$/;

export const INFRA_PROBES = {
  function: {
    title: (e) => `function ${e.functionName}`,
    async run({ apis }) {
      const fn = await apis.lambda.getFunction();
      return fn.state && fn.state !== 'Active'
        ? fail(`state ${fn.state}`, { state: fn.state })
        : pass('ok', { handler: fn.handler, runtime: fn.runtime });
    },
  },
  alias: {
    title: (e) => `alias ${e.alias}`,
    async run({ apis }) {
      const alias = await apis.lambda.getAlias();
      return alias.version
        ? pass('ok', { version: alias.version, weights: alias.weights })
        : fail('alias has no version');
    },
  },
  table: {
    title: (e) => `table ${e.tableName}`,
    async run({ apis, env }) {
      const table = await apis.dynamodb.describeTable();
      if (!table) return fail('table not found');
      return table.status === 'ACTIVE'
        ? pass(`ACTIVE`, { status: table.status })
        : fail(`table is ${table.status}`, { status: table.status, name: env.tableName });
    },
  },
  'table-gsis': {
    title: (e) => `GSIs of ${e.tableName}`,
    async run({ apis, env }) {
      const table = await apis.dynamodb.describeTable();
      if (!table) return fail('table not found');
      const missing = env.gsis.filter((g) => !table.gsis.includes(g));
      return missing.length
        ? fail(`missing GSIs: ${missing.join(', ')}`, { gsis: table.gsis })
        : pass(env.gsis.join(', '), { gsis: table.gsis });
    },
  },
  bucket: {
    title: (e) => `bucket ${e.bucket}`,
    async run({ apis, env }) {
      return (await apis.infra.bucketExists(env.bucket)) ? pass('ok') : fail('bucket not found');
    },
  },
  dlq: {
    title: (e) => `DLQ ${e.dlq}`,
    async run({ apis, checklist, env }) {
      const queue = await apis.infra.queue(env.dlq);
      if (!queue) return fail('queue not found');
      const targets = (await checklist.ruleTargets(env.eventRule)) ?? [];
      const unprotected = targets.filter((t) => t.deadLetterArn !== queue.arn);
      return unprotected.length || !targets.length
        ? fail(`rule ${env.eventRule} does not send failed deliveries to ${env.dlq}`, {
            arn: queue.arn,
            targets,
          })
        : pass(`exists, target of ${env.eventRule}'s dead letters`, {
            arn: queue.arn,
            retentionSeconds: queue.retentionSeconds,
          });
    },
  },
  'dlq-empty': {
    title: (e) => `DLQ ${e.dlq} empty`,
    async run({ apis, env, plan }) {
      const queue = await apis.infra.queue(env.dlq);
      if (!queue) return fail('queue not found');
      const value = { visible: queue.visible, inFlight: queue.inFlight };
      return queue.visible > plan.maxDlqDepth
        ? fail(
            `DLQ holds ${queue.visible} message(s); the plan requires it empty — inspect and redrive first`,
            value,
          )
        : pass(`${queue.visible} visible, ${queue.inFlight} in flight`, value);
    },
  },
  'event-rule': {
    title: (e) => `rule ${e.eventRule}`,
    async run({ apis, env }) {
      const rule = await apis.infra.rule(env.eventRule);
      if (!rule) return fail('rule not found');
      if (rule.state !== 'ENABLED') return fail(`rule is ${rule.state}`);
      const arn = functionArn(env);
      // The function itself or one of its qualifiers (alias `live`), never a function whose
      // name merely starts with ours (`order-handler-sit-legacy`).
      return rule.targetArns.some((t) => t === arn || t.startsWith(`${arn}:`))
        ? pass(`ENABLED → ${rule.targetArns.join(', ')}`, { targets: rule.targetArns })
        : fail(`rule does not target ${env.functionName}`, { targets: rule.targetArns });
    },
  },
  'event-bus': {
    title: (e) => `event bus ${e.eventBus}`,
    async run({ checklist, env }) {
      return (await checklist.eventBusExists(env.eventBus)) ? pass('ok') : fail('bus not found');
    },
  },
  'sns-topics': {
    title: () => 'SNS topics',
    async run({ apis, env }) {
      const missing = [];
      for (const topic of [env.notificationTopic, env.alarmTopic]) {
        if (!(await apis.infra.topicExists(topic))) missing.push(topic);
      }
      return missing.length
        ? fail(`missing: ${missing.join(', ')}`)
        : pass(`${env.notificationTopic}, ${env.alarmTopic}`);
    },
  },
  'log-groups': {
    title: (e) => `log group ${e.logGroup}`,
    async run({ apis, env }) {
      return (await apis.infra.logGroupExists(env.logGroup))
        ? pass('ok')
        : fail('log group not found');
    },
  },
  'execution-role': {
    title: (e) => `execution role ${e.executionRole.split('/').pop()}`,
    async run({ checklist, env }) {
      const arn = await checklist.roleArn(env.executionRole.split('/').pop() ?? '');
      if (!arn) return fail('role not found');
      const fn = await checklist.functionConfig(env.functionName);
      return fn?.role === env.executionRole
        ? pass(`${arn}, used by ${env.functionName}`, { arn })
        : fail(`${env.functionName} runs as ${fn?.role ?? 'nothing'}, not ${env.executionRole}`, {
            arn,
            functionRole: fn?.role,
          });
    },
  },
  vpc: {
    title: () => 'VPC configuration',
    async run({ checklist, env }) {
      const fn = await checklist.functionConfig(env.functionName);
      if (!fn) return fail('function not found');
      // The spec puts the function outside any VPC (DynamoDB, EventBridge and SQS are
      // reached through their public endpoints), so "configured" means no subnets attached.
      return fn.subnets.length
        ? fail(`attached to subnets ${fn.subnets.join(', ')}; the spec has no VPC`, fn)
        : pass('no VPC (not applicable: the spec runs the function outside a VPC)', fn);
    },
  },
  'hosted-zone': {
    title: (e) => `Route53 zone ${e.hostedZone} → ${e.apiDomain}`,
    async run({ checklist, env }) {
      const zone = await checklist.hostedZone(env.hostedZone, env.apiDomain);
      if (!zone) return fail(`no public hosted zone ${env.hostedZone}`);
      return zone.record
        ? pass(`zone ${zone.id}, ${env.apiDomain} ${zone.record}`, zone)
        : fail(`zone ${zone.id} has no record for ${env.apiDomain}`, zone);
    },
  },
  certificate: {
    title: (e) => `ACM certificate ${e.apiDomain}`,
    async run({ checklist, env, now }) {
      const cert = await checklist.certificate(env.apiDomain);
      if (!cert) return fail(`no certificate for ${env.apiDomain} in ${env.region}`);
      if (cert.status !== 'ISSUED') return fail(`certificate is ${cert.status}`, cert);
      const days = cert.notAfter
        ? Math.floor((Date.parse(cert.notAfter) - (now?.() ?? new Date()).getTime()) / 86_400_000)
        : undefined;
      return days !== undefined && days < 14
        ? fail(`ISSUED but expires in ${days} day(s)`, cert)
        : pass(`ISSUED${days !== undefined ? `, ${days} days left` : ''}`, cert);
    },
  },
  pitr: {
    title: (e) => `point-in-time recovery of ${e.tableName}`,
    async run({ apis }) {
      return (await apis.dynamodb.pitrEnabled()) ? pass('enabled') : fail('disabled');
    },
  },
  'hourly-backups': {
    title: (e) => `hourly backups (${e.backupPlan})`,
    async run({ checklist, env }) {
      const plan = await checklist.backupPlan(env.backupPlan, env.backupSelection);
      if (!plan) return fail(`no backup plan ${env.backupPlan}`);
      const hourly = plan.rules.find((r) => HOURLY.test(r.schedule) && r.vault === env.backupVault);
      if (!hourly) return fail(`no hourly rule into ${env.backupVault}`, plan);
      const tableArn = `arn:aws:dynamodb:${env.region}:${env.account}:table/${env.tableName}`;
      return plan.resources?.includes(tableArn)
        ? pass(`${hourly.schedule} → ${env.backupVault}, selects ${env.tableName}`, plan)
        : fail(`selection ${env.backupSelection} does not include ${env.tableName}`, plan);
    },
  },
  replica: {
    title: (e) => `replica of ${e.tableName} in ${e.failoverRegion ?? 'a failover region'}`,
    async run({ checklist, env, apis, now }) {
      if (!env.failoverRegion) return fail(`${env.name} has no failover region in the spec`);
      const replicas = (await checklist.replicas(env.tableName)) ?? [];
      const replica = replicas.find((r) => r.region === env.failoverRegion);
      if (replica?.status !== 'ACTIVE') {
        return fail(
          replica ? `replica is ${replica.status}` : `no replica in ${env.failoverRegion}`,
          replicas,
        );
      }
      const end = now?.() ?? new Date();
      const out = await apis.cloudwatch.getMetrics(
        [
          {
            id: 'lag',
            namespace: 'AWS/DynamoDB',
            metricName: 'ReplicationLatency',
            dimensions: { TableName: env.tableName, ReceivingRegion: env.failoverRegion },
            stat: 'Maximum',
            periodSeconds: 60,
          },
        ],
        new Date(end.getTime() - 15 * 60_000),
        end,
      );
      const lags = out.lag ?? [];
      const max = env.maxReplicationLatencyMs ?? Number.POSITIVE_INFINITY;
      if (lags.length === 0) {
        // Nothing was written in 15 min, so there is no lag to judge — say so, don't invent one.
        return pass('ACTIVE; no replication in the last 15 min to measure', { replicas });
      }
      const worst = Math.max(...lags);
      return worst <= max
        ? pass(`ACTIVE, replication latency ≤ ${Math.round(worst)} ms (max ${max} ms)`, {
            replicas,
            worstMs: worst,
          })
        : fail(`ACTIVE but replication lags ${Math.round(worst)} ms (max ${max} ms)`, {
            replicas,
            worstMs: worst,
          });
    },
  },
  'failover-region': {
    title: (e) => `failover region ${e.failoverRegion ?? '-'}`,
    async run({ checklist, env, apis }) {
      if (!env.failoverRegion) return fail(`${env.name} has no failover region in the spec`);
      const replicas = (await checklist.replicas(env.tableName)) ?? [];
      if (!replicas.some((r) => r.region === env.failoverRegion)) {
        return fail(`no table replica in ${env.failoverRegion}`, replicas);
      }
      if (!apis.failover) return fail(`no access to ${env.failoverRegion} configured`, replicas);
      const regions = await Promise.all([
        readRegionAlias(env.region, apis.lambda, env.alias),
        readRegionAlias(env.failoverRegion, apis.failover.lambda, env.alias),
      ]);
      const unreadable = regions.find((r) => r.error);
      if (unreadable) return fail(`${unreadable.region}: ${unreadable.error}`, regions);
      const drift = regionDrift(regions);
      return drift.length
        ? fail(drift.join('; '), regions)
        : pass(
            `${env.failoverRegion}: table replica, ${env.alias} → version ${regions[1]?.alias?.version} with the primary's package`,
            regions,
          );
    },
  },
  alarms: {
    title: () => "the plan's alarms",
    async run({ checklist, env }) {
      const spec = planAlarms(env);
      const seen = await checklist.alarms(env.functionName);
      const byName = new Map(seen.map((a) => [a.name, a]));
      const problems: string[] = [];
      for (const alarm of spec) {
        const found = byName.get(alarm.name);
        if (!found) problems.push(`${alarm.name} missing`);
        else if (found.threshold !== alarm.threshold)
          problems.push(`${alarm.name} threshold ${found.threshold} ≠ ${alarm.threshold}`);
        else if (!found.actions.some((a) => a.endsWith(`:${env.alarmTopic}`)))
          problems.push(`${alarm.name} does not notify ${env.alarmTopic}`);
      }
      const value = spec.map((a) => ({
        name: a.name,
        threshold: byName.get(a.name)?.threshold,
        expected: a.threshold,
      }));
      return problems.length
        ? fail(problems.join('; '), value)
        : pass(`${spec.length}/${spec.length} present with the plan's thresholds`, value);
    },
  },
  'alarms-quiet': {
    title: () => 'alarms',
    async run({ apis, allowedAlarms }) {
      const firing = await apis.infra.alarmsInAlarm();
      const allowed = new Set(allowedAlarms ?? []);
      const blocking = firing.filter((a) => !allowed.has(a.name));
      const value = { inAlarm: firing.map((a) => a.name) };
      return blocking.length
        ? fail(
            `in ALARM: ${blocking.map((a) => a.name).join(', ')} — resolve before promoting (or --allow-alarm <name> --reason …)`,
            value,
          )
        : pass(firing.length ? `only allowed alarms firing` : 'none in ALARM', value);
    },
  },
  dashboard: {
    title: (e) => `dashboard ${e.dashboard}`,
    async run({ checklist, env }) {
      return (await checklist.dashboardExists(env.dashboard))
        ? pass('ok')
        : fail('dashboard not found');
    },
  },
} satisfies Record<string, Probe>;
