import { createHash } from 'node:crypto';
import {
  ACMClient,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import {
  BackupClient,
  CreateBackupPlanCommand,
  CreateBackupSelectionCommand,
  CreateBackupVaultCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
} from '@aws-sdk/client-backup';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { Environment } from '../infra/environments.js';

/**
 * The DNS name, certificate and backups terraform gives each environment
 * (terraform/modules/api, terraform/modules/data), created through the gateway in the
 * environment's own account: the Route53 zone with the API's record and the certificate's
 * validation record, the ACM certificate (ISSUED: moto runs with MOTO_ACM_VALIDATION_WAIT=0),
 * and the AWS Backup vault, hourly plan and selection of the two order tables.
 *
 * Every step looks for what it would create first, so it runs on every `sandbox up`. After a
 * restart moto's state is rebuilt from its journal, with new ids (zone, plan, certificate
 * ARN): everything here is found by name, never by a remembered id.
 */

export interface ClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

export type Step = (name: string, action: () => Promise<unknown>) => Promise<void>;

export interface Tally {
  readonly created: string[];
  readonly existing: string[];
}

/** terraform/modules/data: the rule the plan's "automated hourly backups" checklist reads. */
export const BACKUP_RULE = { name: 'hourly', schedule: 'cron(0 * * * ? *)' } as const;

/** terraform/modules/data: `${table_name}-backup`, assumed by backup.amazonaws.com. */
export const backupRoleName = (env: Environment) => `${env.tableName}-backup`;

const BACKUP_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'backup.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
});
/**
 * terraform attaches the AWS managed AWSBackupServiceRolePolicyForBackup; moto does not load
 * AWS managed policies (unless MOTO_IAM_LOAD_MANAGED_POLICIES, which slows every account's
 * first IAM call), so the sandbox role gets that policy's DynamoDB part inline instead.
 */
const backupRolePolicy = (env: Environment) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DynamoDbBackups',
        Effect: 'Allow',
        Action: [
          'dynamodb:DescribeTable',
          'dynamodb:CreateBackup',
          'dynamodb:DescribeBackup',
          'dynamodb:DeleteBackup',
          'dynamodb:ListTagsOfResource',
        ],
        Resource: backupResources(env).flatMap((arn) => [arn, `${arn}/backup/*`]),
      },
    ],
  });

/** The table ARNs terraform's selection names (the orders table and its idempotency table). */
export const backupResources = (env: Environment): string[] =>
  [env.tableName, env.idempotencyTableName].map(
    (table) => `arn:aws:dynamodb:${env.region}:${env.account}:table/${table}`,
  );

/**
 * API Gateway's hosted zone for regional custom domains, per region: the alias target zone
 * of terraform's `aws_route53_record.api` (aws_api_gateway_domain_name.regional_zone_id).
 */
const API_GATEWAY_REGIONAL_ZONE: Readonly<Record<string, string>> = {
  'eu-west-1': 'ZLY8HYME6SFDD',
  'af-south-1': 'Z2DHW2332DAMTN',
  'us-east-1': 'Z1UJRXOUMOOFQ8',
};

/** A stable stand-in for the custom domain's regional name (`d-xxxxxxxxxx.execute-api...`). */
const regionalDomainName = (env: Environment, region: string) =>
  `d-${createHash('sha256').update(`${env.apiDomain}/${region}`).digest('hex').slice(0, 10)}` +
  `.execute-api.${region}.amazonaws.com`;

const aliasTo = (env: Environment, region: string) => ({
  DNSName: regionalDomainName(env, region),
  HostedZoneId: API_GATEWAY_REGIONAL_ZONE[region] ?? 'ZLY8HYME6SFDD',
  EvaluateTargetHealth: true,
});

/**
 * The API's A/ALIAS record(s): a simple one, or in PROD (terraform's routing "primary" and,
 * through the failover module, "secondary") a failover pair, primary region first.
 */
export const apiRecords = (env: Environment): ResourceRecordSet[] => {
  const name = `${env.apiDomain}.`;
  if (!env.failoverRegion)
    return [{ Name: name, Type: 'A', AliasTarget: aliasTo(env, env.region) }];
  return [
    {
      Name: name,
      Type: 'A',
      SetIdentifier: 'primary',
      Failover: 'PRIMARY',
      AliasTarget: aliasTo(env, env.region),
    },
    {
      Name: name,
      Type: 'A',
      SetIdentifier: 'secondary',
      Failover: 'SECONDARY',
      AliasTarget: aliasTo(env, env.failoverRegion),
    },
  ];
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Zone, certificate (DNS-validated in the zone) and the API's record. */
export const provisionDnsAndCertificate = async (
  env: Environment,
  config: ClientConfig,
  tally: Tally,
): Promise<void> => {
  // Route53 is global: its endpoint signs in us-east-1, and each account has its own zones.
  const r53 = new Route53Client({ ...config, region: 'us-east-1' });
  const zoneName = `${env.hostedZone}.`;
  const findZone = async () => {
    const out = await r53.send(new ListHostedZonesByNameCommand({ DNSName: env.hostedZone }));
    return (out.HostedZones ?? []).find((z) => z.Name === zoneName && !z.Config?.PrivateZone);
  };
  let zone = await findZone();
  if (zone) {
    tally.existing.push(`hosted zone ${zoneName}`);
  } else {
    zone = (
      await r53.send(
        new CreateHostedZoneCommand({
          Name: zoneName,
          CallerReference: `promote-sandbox-${env.name}-${Date.now()}`,
          HostedZoneConfig: { PrivateZone: false, Comment: 'API domains of order-lambda' },
        }),
      )
    ).HostedZone;
    tally.created.push(`hosted zone ${zoneName}`);
  }
  const zoneId = (zone?.Id ?? '').replace('/hostedzone/', '');
  if (!zoneId) throw new Error(`no id for hosted zone ${zoneName}`);

  const acm = new ACMClient(config);
  const certificates = [];
  let NextToken: string | undefined;
  do {
    const page = await acm.send(new ListCertificatesCommand({ NextToken }));
    certificates.push(...(page.CertificateSummaryList ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  let certificateArn = certificates.find((c) => c.DomainName === env.apiDomain)?.CertificateArn;
  if (certificateArn) {
    tally.existing.push(`certificate ${env.apiDomain}`);
  } else {
    certificateArn = (
      await acm.send(
        new RequestCertificateCommand({
          DomainName: env.apiDomain,
          ValidationMethod: 'DNS',
          IdempotencyToken: `sandbox${env.name}`,
        }),
      )
    ).CertificateArn;
    tally.created.push(`certificate ${env.apiDomain}`);
  }
  const describe = async () =>
    (await acm.send(new DescribeCertificateCommand({ CertificateArn: certificateArn })))
      .Certificate;
  const certificate = await describe();
  const validation = (certificate?.DomainValidationOptions ?? []).flatMap((o) =>
    o.ResourceRecord?.Name && o.ResourceRecord.Value && o.ResourceRecord.Type
      ? [
          {
            Name: o.ResourceRecord.Name,
            Type: o.ResourceRecord.Type,
            TTL: 300,
            ResourceRecords: [{ Value: o.ResourceRecord.Value }],
          } satisfies ResourceRecordSet,
        ]
      : [],
  );

  // The records, unless a previous start wrote them all already.
  const wanted = [...validation, ...apiRecords(env)];
  const present = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  const key = (r: ResourceRecordSet) => `${r.Name}|${r.Type}|${r.SetIdentifier ?? ''}`;
  const have = new Set((present.ResourceRecordSets ?? []).map(key));
  const missing = wanted.filter((r) => !have.has(key(r)));
  if (missing.length) {
    await r53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Comment: 'promote sandbox: API record and ACM validation',
          Changes: missing.map((ResourceRecordSet) => ({ Action: 'UPSERT', ResourceRecordSet })),
        },
      }),
    );
    tally.created.push(`records ${missing.map((r) => `${r.Name} ${r.Type}`).join(', ')}`);
  } else {
    tally.existing.push(`records of ${env.apiDomain}`);
  }

  // With its validation record in place the certificate is issued (moto: at once).
  let status = certificate?.Status;
  for (let attempt = 0; status !== 'ISSUED' && attempt < 20; attempt += 1) {
    await sleep(250);
    status = (await describe())?.Status;
  }
  if (status !== 'ISSUED') {
    throw new Error(
      `certificate ${env.apiDomain} is ${status ?? 'missing'}, not ISSUED (moto must run with MOTO_ACM_VALIDATION_WAIT=0)`,
    );
  }
};

/** Vault, hourly plan and the selection of the order tables, with the role it runs as. */
export const provisionBackups = async (
  env: Environment,
  config: ClientConfig,
  step: Step,
  tally: Tally,
): Promise<void> => {
  const iam = new IAMClient({ ...config, region: 'us-east-1' });
  const roleName = backupRoleName(env);
  await step(`role ${roleName}`, () =>
    iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: BACKUP_TRUST })),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'aws-backup',
      PolicyDocument: backupRolePolicy(env),
    }),
  );

  const backup = new BackupClient(config);
  await step(`backup vault ${env.backupVault}`, () =>
    backup.send(new CreateBackupVaultCommand({ BackupVaultName: env.backupVault })),
  );

  const plans = await backup.send(new ListBackupPlansCommand({}));
  let planId = (plans.BackupPlansList ?? []).find(
    (p) => p.BackupPlanName === env.backupPlan,
  )?.BackupPlanId;
  if (planId) {
    tally.existing.push(`backup plan ${env.backupPlan}`);
  } else {
    planId = (
      await backup.send(
        new CreateBackupPlanCommand({
          BackupPlan: {
            BackupPlanName: env.backupPlan,
            Rules: [
              {
                RuleName: BACKUP_RULE.name,
                TargetBackupVaultName: env.backupVault,
                ScheduleExpression: BACKUP_RULE.schedule,
              },
            ],
          },
        }),
      )
    ).BackupPlanId;
    tally.created.push(`backup plan ${env.backupPlan}`);
  }
  if (!planId) throw new Error(`no id for backup plan ${env.backupPlan}`);

  const selections = await backup.send(new ListBackupSelectionsCommand({ BackupPlanId: planId }));
  if (
    (selections.BackupSelectionsList ?? []).some((s) => s.SelectionName === env.backupSelection)
  ) {
    tally.existing.push(`backup selection ${env.backupSelection}`);
    return;
  }
  await backup.send(
    new CreateBackupSelectionCommand({
      BackupPlanId: planId,
      BackupSelection: {
        SelectionName: env.backupSelection,
        IamRoleArn: `arn:aws:iam::${env.account}:role/${roleName}`,
        Resources: backupResources(env),
      },
    }),
  );
  tally.created.push(`backup selection ${env.backupSelection}`);
};
