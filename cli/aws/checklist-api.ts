import { orUndefined } from './not-found.js';
import type { AwsTarget } from './target.js';

/**
 * The reads the plan's checklists need beyond preflight's (infra-api.ts): DNS, certificate,
 * AWS Backup, alarm definitions, dashboard, roles, the function's configuration and the
 * table's replicas. Read-only, one call per question; "not found" is an answer (undefined).
 */
export interface ChecklistApi {
  hostedZone(zone: string, record: string): Promise<{ id: string; record?: string } | undefined>;
  certificate(
    domain: string,
  ): Promise<{ arn: string; status: string; notAfter?: string } | undefined>;
  backupPlan(
    plan: string,
    selection: string,
  ): Promise<
    | {
        id: string;
        rules: { name: string; schedule: string; vault: string }[];
        resources?: string[];
      }
    | undefined
  >;
  alarms(prefix: string): Promise<AlarmDefinition[]>;
  dashboardExists(name: string): Promise<boolean>;
  roleArn(name: string): Promise<string | undefined>;
  eventBusExists(name: string): Promise<boolean>;
  /** The rule's targets with the DLQ each sends failed deliveries to. */
  ruleTargets(rule: string): Promise<{ arn: string; deadLetterArn?: string }[] | undefined>;
  functionConfig(
    name: string,
  ): Promise<{ role?: string; subnets: string[]; reservedConcurrency?: number } | undefined>;
  replicas(table: string): Promise<{ region: string; status: string }[] | undefined>;
  /** On-demand backups of a table created since `since`, newest first. */
  recentBackups(
    table: string,
    since: Date,
  ): Promise<{ arn: string; name: string; status: string; at?: string }[]>;
}

/** An alarm as CloudWatch holds it: what the checklist compares with infra/alarms.ts. */
export interface AlarmDefinition {
  readonly name: string;
  readonly threshold?: number;
  readonly comparison?: string;
  readonly evaluationPeriods?: number;
  readonly state?: string;
  readonly actions: string[];
}

/** Each service's SDK module loads on first use, as in infra-api.ts. */
export const checklistApi = (target: AwsTarget): ChecklistApi => {
  const config = target.clientConfig;
  // Route53 and IAM are global: their endpoints live in us-east-1.
  const global = { ...config, region: 'us-east-1' };
  return {
    async hostedZone(zone, record) {
      const r53 = await import('@aws-sdk/client-route-53');
      const client = new r53.Route53Client(global);
      const { HostedZones = [] } = await client.send(
        new r53.ListHostedZonesByNameCommand({ DNSName: zone }),
      );
      const found = HostedZones.find((z) => z.Name === `${zone}.` && !z.Config?.PrivateZone);
      if (!found?.Id) return undefined;
      const id = found.Id.replace('/hostedzone/', '');
      const sets = await client.send(
        new r53.ListResourceRecordSetsCommand({ HostedZoneId: id, StartRecordName: record }),
      );
      const match = (sets.ResourceRecordSets ?? []).find((s) => s.Name === `${record}.`);
      return { id, ...(match?.Type ? { record: match.Type } : {}) };
    },
    async certificate(domain) {
      const acm = await import('@aws-sdk/client-acm');
      const client = new acm.ACMClient(config);
      const list = await client.send(new acm.ListCertificatesCommand({}));
      const summaries = (list.CertificateSummaryList ?? []).filter((c) => c.DomainName === domain);
      if (!summaries.length) return undefined;
      // Several (a renewal in flight): the ISSUED one, else the newest answer.
      const described = await Promise.all(
        summaries.map((s) =>
          client.send(new acm.DescribeCertificateCommand({ CertificateArn: s.CertificateArn })),
        ),
      );
      const certs = described.map((d) => d.Certificate).filter((c) => c !== undefined);
      const best = certs.find((c) => c.Status === 'ISSUED') ?? certs[0];
      if (!best) return undefined;
      return {
        arn: best.CertificateArn ?? '',
        status: best.Status ?? 'UNKNOWN',
        ...(best.NotAfter ? { notAfter: best.NotAfter.toISOString() } : {}),
      };
    },
    async backupPlan(plan, selection) {
      const backup = await import('@aws-sdk/client-backup');
      const client = new backup.BackupClient(config);
      const { BackupPlansList = [] } = await client.send(new backup.ListBackupPlansCommand({}));
      const found = BackupPlansList.find((p) => p.BackupPlanName === plan);
      if (!found?.BackupPlanId) return undefined;
      const detail = await client.send(
        new backup.GetBackupPlanCommand({ BackupPlanId: found.BackupPlanId }),
      );
      const rules = (detail.BackupPlan?.Rules ?? []).map((r) => ({
        name: r.RuleName ?? '',
        schedule: r.ScheduleExpression ?? '',
        vault: r.TargetBackupVaultName ?? '',
      }));
      const selections = await client.send(
        new backup.ListBackupSelectionsCommand({ BackupPlanId: found.BackupPlanId }),
      );
      const chosen = (selections.BackupSelectionsList ?? []).find(
        (s) => s.SelectionName === selection,
      );
      if (!chosen?.SelectionId) return { id: found.BackupPlanId, rules };
      const detailOfSelection = await client.send(
        new backup.GetBackupSelectionCommand({
          BackupPlanId: found.BackupPlanId,
          SelectionId: chosen.SelectionId,
        }),
      );
      return {
        id: found.BackupPlanId,
        rules,
        resources: detailOfSelection.BackupSelection?.Resources ?? [],
      };
    },
    async alarms(prefix) {
      const cw = await import('@aws-sdk/client-cloudwatch');
      const client = new cw.CloudWatchClient(config);
      const alarms: AlarmDefinition[] = [];
      let NextToken: string | undefined;
      do {
        const out = await client.send(
          new cw.DescribeAlarmsCommand({ AlarmNamePrefix: prefix, NextToken }),
        );
        for (const a of out.MetricAlarms ?? []) {
          alarms.push({
            name: a.AlarmName ?? '',
            ...(a.Threshold !== undefined ? { threshold: a.Threshold } : {}),
            ...(a.ComparisonOperator ? { comparison: a.ComparisonOperator } : {}),
            ...(a.EvaluationPeriods !== undefined
              ? { evaluationPeriods: a.EvaluationPeriods }
              : {}),
            ...(a.StateValue ? { state: a.StateValue } : {}),
            actions: a.AlarmActions ?? [],
          });
        }
        NextToken = out.NextToken;
      } while (NextToken);
      return alarms;
    },
    async dashboardExists(name) {
      const cw = await import('@aws-sdk/client-cloudwatch');
      const client = new cw.CloudWatchClient(config);
      const out = await orUndefined(() =>
        client.send(new cw.GetDashboardCommand({ DashboardName: name })),
      );
      return Boolean(out?.DashboardBody);
    },
    async roleArn(name) {
      const iam = await import('@aws-sdk/client-iam');
      const client = new iam.IAMClient(global);
      const out = await orUndefined(() => client.send(new iam.GetRoleCommand({ RoleName: name })));
      return out?.Role?.Arn;
    },
    async eventBusExists(name) {
      const eb = await import('@aws-sdk/client-eventbridge');
      const client = new eb.EventBridgeClient(config);
      return (
        (await orUndefined(() => client.send(new eb.DescribeEventBusCommand({ Name: name })))) !==
        undefined
      );
    },
    async ruleTargets(rule) {
      const eb = await import('@aws-sdk/client-eventbridge');
      const client = new eb.EventBridgeClient(config);
      const out = await orUndefined(() =>
        client.send(new eb.ListTargetsByRuleCommand({ Rule: rule })),
      );
      if (!out) return undefined;
      return (out.Targets ?? []).map((t) => ({
        arn: t.Arn ?? '',
        ...(t.DeadLetterConfig?.Arn ? { deadLetterArn: t.DeadLetterConfig.Arn } : {}),
      }));
    },
    async functionConfig(name) {
      const l = await import('@aws-sdk/client-lambda');
      const client = new l.LambdaClient(config);
      const out = await orUndefined(() =>
        client.send(new l.GetFunctionCommand({ FunctionName: name })),
      );
      if (!out) return undefined;
      return {
        ...(out.Configuration?.Role ? { role: out.Configuration.Role } : {}),
        subnets: out.Configuration?.VpcConfig?.SubnetIds ?? [],
        ...(out.Concurrency?.ReservedConcurrentExecutions !== undefined
          ? { reservedConcurrency: out.Concurrency.ReservedConcurrentExecutions }
          : {}),
      };
    },
    async replicas(table) {
      const ddb = await import('@aws-sdk/client-dynamodb');
      const client = new ddb.DynamoDBClient(config);
      const out = await orUndefined(() =>
        client.send(new ddb.DescribeTableCommand({ TableName: table })),
      );
      if (!out?.Table) return undefined;
      return (out.Table.Replicas ?? []).map((r) => ({
        region: r.RegionName ?? '',
        status: r.ReplicaStatus ?? 'UNKNOWN',
      }));
    },
    async recentBackups(table, since) {
      const ddb = await import('@aws-sdk/client-dynamodb');
      const client = new ddb.DynamoDBClient(config);
      const out = await client.send(
        new ddb.ListBackupsCommand({
          TableName: table,
          TimeRangeLowerBound: since,
          BackupType: 'USER',
        }),
      );
      return (out.BackupSummaries ?? [])
        .map((b) => ({
          arn: b.BackupArn ?? '',
          name: b.BackupName ?? '',
          status: b.BackupStatus ?? 'UNKNOWN',
          ...(b.BackupCreationDateTime ? { at: b.BackupCreationDateTime.toISOString() } : {}),
        }))
        .sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
    },
  };
};
