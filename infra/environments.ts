/**
 * The three environments of promotion plan PROM-ORDER-002, as data. Every name here is
 * the one terraform creates and the sandbox provisions, so a plan runs unchanged on both.
 */
export const ENV_NAMES = ['dev', 'sit', 'prod'] as const;
export type EnvName = (typeof ENV_NAMES)[number];

export const isEnvName = (value: string): value is EnvName =>
  (ENV_NAMES as readonly string[]).includes(value);

export interface Environment {
  readonly name: EnvName;
  readonly account: string;
  readonly region: string;
  /** prod only: the plan's failover region. */
  readonly failoverRegion?: string;
  /**
   * With a failover region: the most the orders table's replication to it may lag
   * (`AWS/DynamoDB ReplicationLatency`, Maximum over 15 min) before preflight and the
   * checklist call the replica unfit — the plan's "monitor cross-region replication lag".
   */
  readonly maxReplicationLatencyMs?: number;
  readonly apiDomain: string;
  /** Route53 public hosted zone holding the API's record and its ACM validation records. */
  readonly hostedZone: string;
  /** The plan's AWS profile for this account (`AWS_PROFILE=Tebogo-sit`). */
  readonly profile: string;
  readonly functionName: string;
  readonly alias: string;
  readonly tableName: string;
  readonly idempotencyTableName: string;
  readonly gsis: readonly string[];
  readonly bucket: string;
  readonly dlq: string;
  readonly eventBus: string;
  readonly eventRule: string;
  readonly notificationTopic: string;
  readonly alarmTopic: string;
  readonly dashboard: string;
  readonly logGroup: string;
  /** AWS Backup: the vault, the hourly plan and its selection of the orders tables. */
  readonly backupVault: string;
  readonly backupPlan: string;
  readonly backupSelection: string;
  /**
   * Versioned bucket of the CLI's evidence (run reports, checklist evidence): in the env's
   * account, so it outlives the laptop or runner that wrote it.
   */
  readonly evidenceBucket: string;
  /**
   * Read-only role over this env's state table, assumed by the next environment's deploy role
   * (PROD's preflight reads SIT's Gate 4 with it).
   */
  readonly gateReaderRole: string;
  /**
   * The environment before this one, whose state table this one reads: SIT reads DEV's
   * journals ("all tests passing in DEV"), PROD reads SIT's sign-off (Gate 4).
   */
  readonly upstream?: EnvName;
  /** Role the CLI assumes to deploy (least privilege, see terraform/). */
  readonly deployRole: string;
  readonly executionRole: string;
}

const env = (
  name: EnvName,
  account: string,
  region: string,
  apiDomain: string,
  extra: Partial<Environment> = {},
): Environment => ({
  name,
  account,
  region,
  apiDomain,
  hostedZone: 'kimmyai.io',
  profile: `Tebogo-${name}`,
  functionName: `order-handler-${name}`,
  alias: 'live',
  tableName: `orders-${name}`,
  idempotencyTableName: `orders-${name}-idempotency`,
  gsis: ['OrdersByCustomer', 'OrdersByStatus', 'OrdersByDate'],
  bucket: `bbws-orders-${name}`,
  dlq: `order-dlq-${name}`,
  eventBus: `order-events-${name}`,
  eventRule: `order-events-${name}`,
  notificationTopic: `order-notifications-${name}`,
  alarmTopic: `order-alarms-${name}`,
  dashboard: `order-lambda-${name}-dashboard`,
  logGroup: `/aws/lambda/order-handler-${name}`,
  backupVault: `orders-${name}-vault`,
  backupPlan: `orders-${name}-hourly`,
  backupSelection: `orders-${name}-tables`,
  evidenceBucket: `promote-evidence-${name}-${account}`,
  gateReaderRole: `arn:aws:iam::${account}:role/promote-gate-reader-${name}`,
  deployRole: `arn:aws:iam::${account}:role/order-lambda-deploy-${name}`,
  executionRole: `arn:aws:iam::${account}:role/order-handler-${name}-execution`,
  ...extra,
});

export const ENVIRONMENTS: Readonly<Record<EnvName, Environment>> = {
  dev: env('dev', '536580886816', 'eu-west-1', 'api.dev.kimmyai.io'),
  sit: env('sit', '815856636111', 'eu-west-1', 'api.sit.kimmyai.io', { upstream: 'dev' }),
  prod: env('prod', '093646564004', 'af-south-1', 'api.kimmyai.io', {
    failoverRegion: 'eu-west-1',
    // AWS global tables usually replicate within a second or two; a minute means trouble.
    maxReplicationLatencyMs: 60_000,
    upstream: 'sit',
  }),
};
