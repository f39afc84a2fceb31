import { gunzipSync } from 'node:zlib';
import { queryParams } from '../gateway/query-protocol.js';
import type { SandboxRequest } from '../gateway/types.js';
import { parseFunctionRef } from '../lambda/function-ref.js';

/**
 * What IAM would authorize for one request: the `service:Action` pairs and the resource ARN
 * each acts on, derived from the request as AWS's front doors derive them — the JSON
 * protocols' `X-Amz-Target`, awsQuery's `Action=`, and the REST APIs' method + path (Lambda,
 * S3, AWS Backup, Route 53). A request can need several checks (a DynamoDB batch names
 * several tables; a transaction needs PutItem/UpdateItem/… per item).
 *
 * `resource` is `*` where the operation takes no resource (List*, Describe* of an account)
 * or where the sandbox cannot tell which one it is (a create whose ARN AWS mints).
 */

export interface ActionCheck {
  /** `lambda:UpdateAlias`, `s3:PutObject`, … (IAM's action name, not always the API's). */
  readonly action: string;
  readonly resource: string;
}

export interface RequestActions {
  /** The API operation, for messages and logs (`Invoke`, `HeadBucket`, …). */
  readonly operation: string;
  readonly checks: readonly ActionCheck[];
}

/** IAM's service prefix for a SigV4 signing name, where the two differ. */
const IAM_PREFIX: Readonly<Record<string, string>> = {
  monitoring: 'cloudwatch',
  email: 'ses',
};

type Params = Record<string, unknown>;

interface Decoded {
  readonly operation: string | undefined;
  /** JSON body (JSON protocols) or the form's flat parameters (awsQuery). */
  readonly params: Params;
  /** awsQuery's flat form, for `Names.member.N` lists. */
  readonly form?: URLSearchParams;
}

const bodyOf = (request: SandboxRequest): Buffer => {
  const encoding = request.headers['content-encoding']?.toLowerCase() ?? '';
  if (!encoding.includes('gzip')) return request.body;
  try {
    return gunzipSync(request.body, { maxOutputLength: 16 * 1024 * 1024 });
  } catch {
    return Buffer.alloc(0);
  }
};

const jsonOf = (body: Buffer): Params => {
  if (body.length === 0) return {};
  try {
    const parsed = JSON.parse(body.toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Params) : {};
  } catch {
    return {};
  }
};

/** The operation of an RPC-style request (JSON `X-Amz-Target`, or awsQuery `Action=`). */
const decodeRpc = (request: SandboxRequest): Decoded => {
  const target = request.headers['x-amz-target'];
  if (target) {
    return { operation: target.split('.').pop(), params: jsonOf(bodyOf(request)) };
  }
  const form = queryParams(
    (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
      ? bodyOf(request)
      : Buffer.alloc(0),
    request.query,
  );
  return { operation: form.get('Action') ?? undefined, params: Object.fromEntries(form), form };
};

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/** A list parameter in either protocol: JSON array, or awsQuery `Name.member.N`. */
const list = (decoded: Decoded, name: string): string[] => {
  const value = decoded.params[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (!decoded.form) return [];
  const out: string[] = [];
  for (const [key, v] of decoded.form) if (key.startsWith(`${name}.member.`)) out.push(v);
  return out;
};

const one = (operation: string, action: string, resource: string): RequestActions => ({
  operation,
  checks: [{ action, resource }],
});

/** RPC services whose action is the operation itself, on one resource picked from the params. */
const rpc = (
  prefix: string,
  decoded: Decoded,
  resourceOf: (operation: string, d: Decoded) => string | readonly ActionCheck[],
): RequestActions | undefined => {
  const operation = decoded.operation;
  if (!operation) return undefined;
  const resource = resourceOf(operation, decoded);
  if (typeof resource === 'string') return one(operation, `${prefix}:${operation}`, resource);
  return { operation, checks: resource };
};

// ---------------------------------------------------------------- DynamoDB (JSON 1.0)

const dynamodb = (request: SandboxRequest, account: string) => {
  const table = (name: string) =>
    name.startsWith('arn:') ? name : `arn:aws:dynamodb:${request.region}:${account}:table/${name}`;
  return rpc('dynamodb', decodeRpc(request), (operation, { params }) => {
    const p = params;
    switch (operation) {
      case 'BatchGetItem':
      case 'BatchWriteItem':
        return Object.keys((p.RequestItems as Params | undefined) ?? {}).map((t) => ({
          action: `dynamodb:${operation}`,
          resource: table(t),
        }));
      case 'TransactGetItems':
      case 'TransactWriteItems': {
        const actions: Record<string, string> = {
          Get: 'GetItem',
          Put: 'PutItem',
          Update: 'UpdateItem',
          Delete: 'DeleteItem',
          ConditionCheck: 'ConditionCheckItem',
        };
        return ((p.TransactItems as Params[] | undefined) ?? []).flatMap((item) =>
          Object.entries(item).flatMap(([kind, body]) => {
            const name = str((body as Params | undefined)?.TableName);
            const action = actions[kind];
            return name && action ? [{ action: `dynamodb:${action}`, resource: table(name) }] : [];
          }),
        );
      }
      case 'DescribeBackup':
      case 'DeleteBackup':
        return str(p.BackupArn) ?? '*';
      case 'RestoreTableFromBackup':
        return str(p.TargetTableName) ? table(str(p.TargetTableName) as string) : '*';
      case 'RestoreTableToPointInTime': {
        const source = str(p.SourceTableArn) ?? str(p.SourceTableName);
        return source ? table(source) : '*';
      }
      case 'Query':
      case 'Scan': {
        const name = str(p.TableName);
        if (!name) return '*';
        const index = str(p.IndexName);
        return index ? `${table(name)}/index/${index}` : table(name);
      }
      default: {
        const name = str(p.TableName) ?? str(p.TableArn) ?? str(p.ResourceArn);
        return name ? table(name) : '*';
      }
    }
  });
};

// ---------------------------------------------------------------- SQS (JSON 1.0 or awsQuery)

/** `https://host/<account>/<name>` → the queue's ARN. */
const queueArnOfUrl = (url: string, region: string): string | undefined => {
  try {
    const [acct, name] = new URL(url, 'http://sandbox').pathname.split('/').filter(Boolean);
    return acct && name && /^\d{12}$/.test(acct)
      ? `arn:aws:sqs:${region}:${acct}:${name}`
      : undefined;
  } catch {
    return undefined;
  }
};

const sqs = (request: SandboxRequest, account: string) =>
  rpc('sqs', decodeRpc(request), (operation, { params }) => {
    const name = str(params.QueueName);
    if (operation === 'GetQueueUrl' || operation === 'CreateQueue') {
      const owner = str(params.QueueOwnerAWSAccountId) ?? account;
      return name ? `arn:aws:sqs:${request.region}:${owner}:${name}` : '*';
    }
    const url = str(params.QueueUrl) ?? request.path;
    return queueArnOfUrl(url, request.region) ?? '*';
  });

// ---------------------------------------------------------------- SNS (awsQuery)

const sns = (request: SandboxRequest, account: string) =>
  rpc('sns', decodeRpc(request), (operation, { params }) => {
    if (operation === 'CreateTopic' && str(params.Name)) {
      return `arn:aws:sns:${request.region}:${account}:${params.Name}`;
    }
    const subscription = str(params.SubscriptionArn);
    if (subscription) return subscription.split(':').slice(0, 6).join(':');
    return str(params.TopicArn) ?? str(params.TargetArn) ?? str(params.ResourceArn) ?? '*';
  });

// ---------------------------------------------------------------- EventBridge (JSON 1.1)

const events = (request: SandboxRequest, account: string) => {
  const base = `arn:aws:events:${request.region}:${account}`;
  const busName = (name: string | undefined) =>
    name?.startsWith('arn:') ? (name.split('/').pop() ?? 'default') : (name ?? 'default');
  const bus = (name: string | undefined) =>
    name?.startsWith('arn:') ? name : `${base}:event-bus/${busName(name)}`;
  const rule = (name: string, busValue: string | undefined) => {
    const b = busName(busValue);
    return b === 'default' ? `${base}:rule/${name}` : `${base}:rule/${b}/${name}`;
  };
  return rpc('events', decodeRpc(request), (operation, { params: p }) => {
    switch (operation) {
      case 'PutEvents': {
        const buses = new Set(
          ((p.Entries as Params[] | undefined) ?? []).map((e) => bus(str(e.EventBusName))),
        );
        return [...buses].map((resource) => ({ action: 'events:PutEvents', resource }));
      }
      case 'CreateEventBus':
      case 'DeleteEventBus':
      case 'DescribeEventBus':
      case 'UpdateEventBus':
        return bus(str(p.Name));
      case 'PutPermission':
      case 'RemovePermission':
        return bus(str(p.EventBusName));
      case 'ListTargetsByRule':
      case 'PutTargets':
      case 'RemoveTargets':
        return str(p.Rule) ? rule(str(p.Rule) as string, str(p.EventBusName)) : '*';
      case 'PutRule':
      case 'DeleteRule':
      case 'DescribeRule':
      case 'EnableRule':
      case 'DisableRule':
        return str(p.Name) ? rule(str(p.Name) as string, str(p.EventBusName)) : '*';
      case 'CreateArchive':
      case 'DeleteArchive':
      case 'DescribeArchive':
      case 'UpdateArchive':
        return str(p.ArchiveName) ? `${base}:archive/${p.ArchiveName}` : '*';
      default:
        return str(p.ResourceARN) ?? '*';
    }
  });
};

// ---------------------------------------------------------------- CloudWatch Logs (JSON 1.1)

const logs = (request: SandboxRequest, account: string) =>
  rpc('logs', decodeRpc(request), (_operation, { params: p }) => {
    const group = str(p.logGroupName) ?? str(p.logGroupIdentifier);
    if (!group) return str(p.resourceArn) ?? '*';
    const groupArn = group.startsWith('arn:')
      ? group.replace(/:\*$/, '')
      : `arn:aws:logs:${request.region}:${account}:log-group:${group}`;
    const stream = str(p.logStreamName);
    return stream ? `${groupArn}:log-stream:${stream}` : groupArn;
  });

// ---------------------------------------------------------------- CloudWatch (JSON 1.0 or awsQuery)

const cloudwatch = (request: SandboxRequest, account: string) => {
  const alarm = (name: string) => `arn:aws:cloudwatch:${request.region}:${account}:alarm:${name}`;
  const dashboard = (name: string) => `arn:aws:cloudwatch::${account}:dashboard/${name}`;
  return rpc('cloudwatch', decodeRpc(request), (operation, decoded) => {
    const p = decoded.params;
    const each = (names: string[], arn: (n: string) => string) =>
      names.map((n) => ({ action: `cloudwatch:${operation}`, resource: arn(n) }));
    switch (operation) {
      case 'DeleteAlarms':
      case 'EnableAlarmActions':
      case 'DisableAlarmActions':
        return each(list(decoded, 'AlarmNames'), alarm);
      case 'DeleteDashboards':
        return each(list(decoded, 'DashboardNames'), dashboard);
      case 'GetDashboard':
      case 'PutDashboard':
        return str(p.DashboardName) ? dashboard(str(p.DashboardName) as string) : '*';
      default:
        return str(p.AlarmName) ? alarm(str(p.AlarmName) as string) : '*';
    }
  });
};

// ---------------------------------------------------------------- ACM (JSON 1.1)

const acm = (request: SandboxRequest) =>
  rpc('acm', decodeRpc(request), (_operation, { params }) => str(params.CertificateArn) ?? '*');

// ---------------------------------------------------------------- IAM (awsQuery, global)

const iam = (request: SandboxRequest, account: string) =>
  rpc('iam', decodeRpc(request), (operation, { params: p }) => {
    const base = `arn:aws:iam::${account}`;
    const path = operation.startsWith('Create') ? (str(p.Path) ?? '/') : '/';
    if (str(p.RoleName)) return `${base}:role${path}${p.RoleName}`;
    if (str(p.UserName)) return `${base}:user${path}${p.UserName}`;
    if (str(p.GroupName)) return `${base}:group${path}${p.GroupName}`;
    if (str(p.InstanceProfileName))
      return `${base}:instance-profile${path}${p.InstanceProfileName}`;
    if (str(p.PolicyArn)) return str(p.PolicyArn) as string;
    if (operation === 'CreatePolicy' && str(p.PolicyName)) {
      return `${base}:policy${path}${p.PolicyName}`;
    }
    return str(p.OpenIDConnectProviderArn) ?? str(p.SAMLProviderArn) ?? '*';
  });

// ---------------------------------------------------------------- Lambda (REST JSON)

interface Route {
  readonly method: string;
  /** Matched against the path after the API version. */
  readonly path: RegExp;
  readonly operation: string;
  /** IAM action when it is not `lambda:<operation>`. */
  readonly action?: string;
  /** Whether the resource is the qualified ARN (a `Qualifier` or `name:qualifier`). */
  readonly qualified?: boolean;
}

const FN = '([^/]+)';
const LAMBDA_ROUTES: readonly Route[] = [
  { method: 'GET', path: /^\/functions\/?$/, operation: 'ListFunctions' },
  { method: 'POST', path: /^\/functions\/?$/, operation: 'CreateFunction' },
  {
    method: 'GET',
    path: new RegExp(`^/functions/${FN}/?$`),
    operation: 'GetFunction',
    qualified: true,
  },
  {
    method: 'DELETE',
    path: new RegExp(`^/functions/${FN}/?$`),
    operation: 'DeleteFunction',
    qualified: true,
  },
  {
    method: 'GET',
    path: new RegExp(`^/functions/${FN}/configuration/?$`),
    operation: 'GetFunctionConfiguration',
    qualified: true,
  },
  {
    method: 'PUT',
    path: new RegExp(`^/functions/${FN}/configuration/?$`),
    operation: 'UpdateFunctionConfiguration',
  },
  { method: 'PUT', path: new RegExp(`^/functions/${FN}/code/?$`), operation: 'UpdateFunctionCode' },
  {
    method: 'POST',
    path: new RegExp(`^/functions/${FN}/versions/?$`),
    operation: 'PublishVersion',
  },
  {
    method: 'GET',
    path: new RegExp(`^/functions/${FN}/versions/?$`),
    operation: 'ListVersionsByFunction',
  },
  { method: 'POST', path: new RegExp(`^/functions/${FN}/aliases/?$`), operation: 'CreateAlias' },
  { method: 'GET', path: new RegExp(`^/functions/${FN}/aliases/?$`), operation: 'ListAliases' },
  { method: 'GET', path: new RegExp(`^/functions/${FN}/aliases/[^/]+/?$`), operation: 'GetAlias' },
  {
    method: 'PUT',
    path: new RegExp(`^/functions/${FN}/aliases/[^/]+/?$`),
    operation: 'UpdateAlias',
  },
  {
    method: 'DELETE',
    path: new RegExp(`^/functions/${FN}/aliases/[^/]+/?$`),
    operation: 'DeleteAlias',
  },
  {
    method: 'POST',
    path: new RegExp(`^/functions/${FN}/invocations/?$`),
    operation: 'Invoke',
    action: 'lambda:InvokeFunction',
    qualified: true,
  },
  {
    method: 'POST',
    path: new RegExp(`^/functions/${FN}/invoke-async/?$`),
    operation: 'InvokeAsync',
  },
  {
    method: 'GET',
    path: new RegExp(`^/functions/${FN}/policy/?$`),
    operation: 'GetPolicy',
    qualified: true,
  },
  {
    method: 'POST',
    path: new RegExp(`^/functions/${FN}/policy/?$`),
    operation: 'AddPermission',
    qualified: true,
  },
  {
    method: 'DELETE',
    path: new RegExp(`^/functions/${FN}/policy/[^/]+/?$`),
    operation: 'RemovePermission',
    qualified: true,
  },
  {
    method: 'GET',
    path: new RegExp(`^/functions/${FN}/concurrency/?$`),
    operation: 'GetFunctionConcurrency',
  },
  {
    method: 'PUT',
    path: new RegExp(`^/functions/${FN}/concurrency/?$`),
    operation: 'PutFunctionConcurrency',
  },
  {
    method: 'DELETE',
    path: new RegExp(`^/functions/${FN}/concurrency/?$`),
    operation: 'DeleteFunctionConcurrency',
  },
  ...(['GET', 'PUT', 'POST', 'DELETE'] as const).map((method) => ({
    method,
    path: new RegExp(`^/functions/${FN}/event-invoke-config/?$`),
    operation: `${{ GET: 'Get', PUT: 'Put', POST: 'Update', DELETE: 'Delete' }[method]}FunctionEventInvokeConfig`,
    qualified: true,
  })),
  ...(['GET', 'PUT', 'DELETE'] as const).map((method) => ({
    method,
    path: new RegExp(`^/functions/${FN}/provisioned-concurrency/?$`),
    operation: `${{ GET: 'Get', PUT: 'Put', DELETE: 'Delete' }[method]}ProvisionedConcurrencyConfig`,
    qualified: true,
  })),
  ...(['GET', 'POST', 'PUT', 'DELETE'] as const).map((method) => ({
    method,
    path: new RegExp(`^/functions/${FN}/url/?$`),
    operation: `${{ GET: 'Get', POST: 'Create', PUT: 'Update', DELETE: 'Delete' }[method]}FunctionUrlConfig`,
    qualified: true,
  })),
  { method: 'GET', path: /^\/account-settings\/?$/, operation: 'GetAccountSettings' },
  { method: 'GET', path: /^\/event-source-mappings\/?$/, operation: 'ListEventSourceMappings' },
  { method: 'POST', path: /^\/event-source-mappings\/?$/, operation: 'CreateEventSourceMapping' },
  { method: 'GET', path: /^\/tags\/([^/]+)\/?$/, operation: 'ListTags' },
  { method: 'POST', path: /^\/tags\/([^/]+)\/?$/, operation: 'TagResource' },
  { method: 'DELETE', path: /^\/tags\/([^/]+)\/?$/, operation: 'UntagResource' },
];

const lambda = (request: SandboxRequest, account: string): RequestActions | undefined => {
  const match = /^\/\d{4}-\d{2}-\d{2}(\/.*)$/.exec(request.path);
  const rest = match?.[1];
  if (!rest) return undefined;
  for (const route of LAMBDA_ROUTES) {
    if (route.method !== request.method) continue;
    const found = route.path.exec(rest);
    if (!found) continue;
    const action = route.action ?? `lambda:${route.operation}`;
    const segment = found[1] ? decodeURIComponent(found[1]) : undefined;
    if (!segment) {
      if (route.operation === 'CreateFunction') {
        const name = str(jsonOf(request.body).FunctionName);
        return one(
          route.operation,
          action,
          name ? `arn:aws:lambda:${request.region}:${account}:function:${name}` : '*',
        );
      }
      return one(route.operation, action, '*');
    }
    if (segment.startsWith('arn:') && !segment.includes(':function:')) {
      return one(route.operation, action, segment); // tags of a layer or mapping
    }
    let ref: ReturnType<typeof parseFunctionRef>;
    try {
      ref = parseFunctionRef(segment, request.query.get('Qualifier') ?? undefined);
    } catch {
      return one(route.operation, action, '*'); // Lambda answers the malformed name itself
    }
    const arn = `arn:aws:lambda:${ref.region ?? request.region}:${ref.account ?? account}:function:${ref.name}`;
    return one(
      route.operation,
      action,
      route.qualified && ref.qualifier ? `${arn}:${ref.qualifier}` : arn,
    );
  }
  return undefined;
};

// ---------------------------------------------------------------- AWS Backup (REST JSON)

const backup = (request: SandboxRequest, account: string): RequestActions | undefined => {
  const base = `arn:aws:backup:${request.region}:${account}`;
  const m = request.method;
  const path = request.path.replace(/\/+$/, '');
  const seg = (value: string | undefined) => decodeURIComponent(value ?? '');
  const plan = (id: string | undefined) => `${base}:backup-plan:${seg(id)}`;
  const vault = (name: string | undefined) => `${base}:backup-vault:${seg(name)}`;
  const routes: Array<[string, RegExp, string, (g: string[]) => string]> = [
    ['GET', /^\/backup\/plans$/, 'ListBackupPlans', () => '*'],
    ['PUT', /^\/backup\/plans$/, 'CreateBackupPlan', () => '*'],
    ['GET', /^\/backup\/plans\/([^/]+)$/, 'GetBackupPlan', (g) => plan(g[1])],
    ['POST', /^\/backup\/plans\/([^/]+)$/, 'UpdateBackupPlan', (g) => plan(g[1])],
    ['DELETE', /^\/backup\/plans\/([^/]+)$/, 'DeleteBackupPlan', (g) => plan(g[1])],
    ['GET', /^\/backup\/plans\/([^/]+)\/versions$/, 'ListBackupPlanVersions', (g) => plan(g[1])],
    ['PUT', /^\/backup\/plans\/([^/]+)\/selections$/, 'CreateBackupSelection', (g) => plan(g[1])],
    ['GET', /^\/backup\/plans\/([^/]+)\/selections$/, 'ListBackupSelections', (g) => plan(g[1])],
    [
      'GET',
      /^\/backup\/plans\/([^/]+)\/selections\/[^/]+$/,
      'GetBackupSelection',
      (g) => plan(g[1]),
    ],
    [
      'DELETE',
      /^\/backup\/plans\/([^/]+)\/selections\/[^/]+$/,
      'DeleteBackupSelection',
      (g) => plan(g[1]),
    ],
    ['GET', /^\/backup-vaults$/, 'ListBackupVaults', () => '*'],
    ['PUT', /^\/backup-vaults\/([^/]+)$/, 'CreateBackupVault', (g) => vault(g[1])],
    ['GET', /^\/backup-vaults\/([^/]+)$/, 'DescribeBackupVault', (g) => vault(g[1])],
    ['DELETE', /^\/backup-vaults\/([^/]+)$/, 'DeleteBackupVault', (g) => vault(g[1])],
    [
      'GET',
      /^\/backup-vaults\/([^/]+)\/recovery-points$/,
      'ListRecoveryPointsByBackupVault',
      (g) => vault(g[1]),
    ],
    [
      'GET',
      /^\/backup-vaults\/[^/]+\/recovery-points\/([^/]+)$/,
      'DescribeRecoveryPoint',
      (g) => seg(g[1]),
    ],
    [
      'DELETE',
      /^\/backup-vaults\/[^/]+\/recovery-points\/([^/]+)$/,
      'DeleteRecoveryPoint',
      (g) => seg(g[1]),
    ],
    ['GET', /^\/backup-jobs$/, 'ListBackupJobs', () => '*'],
    [
      'PUT',
      /^\/backup-jobs$/,
      'StartBackupJob',
      () => vault(str(jsonOf(request.body).BackupVaultName)),
    ],
    ['GET', /^\/backup-jobs\/[^/]+$/, 'DescribeBackupJob', () => '*'],
    ['GET', /^\/resources\/[^/]+\/recovery-points$/, 'ListRecoveryPointsByResource', () => '*'],
    ['GET', /^\/restore-jobs$/, 'ListRestoreJobs', () => '*'],
    ['GET', /^\/tags\/([^/]+)$/, 'ListTags', (g) => seg(g[1])],
    ['POST', /^\/tags\/([^/]+)$/, 'TagResource', (g) => seg(g[1])],
    ['POST', /^\/untag\/([^/]+)$/, 'UntagResource', (g) => seg(g[1])],
  ];
  for (const [method, pattern, operation, resource] of routes) {
    const found = method === m ? pattern.exec(path) : null;
    if (found) return one(operation, `backup:${operation}`, resource([...found]));
  }
  return undefined;
};

// ---------------------------------------------------------------- Route 53 (REST XML, global)

const route53 = (request: SandboxRequest): RequestActions | undefined => {
  const path = request.path.replace(/^\/\d{4}-\d{2}-\d{2}/, '').replace(/\/+$/, '');
  const m = request.method;
  const zone = (id: string | undefined) => `arn:aws:route53:::hostedzone/${id ?? ''}`;
  const routes: Array<[string, RegExp, string, (g: string[]) => string]> = [
    ['GET', /^\/hostedzonesbyname$/, 'ListHostedZonesByName', () => '*'],
    ['GET', /^\/hostedzonecount$/, 'GetHostedZoneCount', () => '*'],
    ['GET', /^\/hostedzone$/, 'ListHostedZones', () => '*'],
    ['POST', /^\/hostedzone$/, 'CreateHostedZone', () => '*'],
    ['GET', /^\/hostedzone\/([^/]+)$/, 'GetHostedZone', (g) => zone(g[1])],
    ['POST', /^\/hostedzone\/([^/]+)$/, 'UpdateHostedZoneComment', (g) => zone(g[1])],
    ['DELETE', /^\/hostedzone\/([^/]+)$/, 'DeleteHostedZone', (g) => zone(g[1])],
    ['GET', /^\/hostedzone\/([^/]+)\/rrset$/, 'ListResourceRecordSets', (g) => zone(g[1])],
    ['POST', /^\/hostedzone\/([^/]+)\/rrset$/, 'ChangeResourceRecordSets', (g) => zone(g[1])],
    ['GET', /^\/change\/([^/]+)$/, 'GetChange', (g) => `arn:aws:route53:::change/${g[1]}`],
    ['GET', /^\/healthcheck$/, 'ListHealthChecks', () => '*'],
    ['POST', /^\/healthcheck$/, 'CreateHealthCheck', () => '*'],
    [
      'GET',
      /^\/healthcheck\/([^/]+)$/,
      'GetHealthCheck',
      (g) => `arn:aws:route53:::healthcheck/${g[1]}`,
    ],
    ['GET', /^\/tags\/hostedzone\/([^/]+)$/, 'ListTagsForResource', (g) => zone(g[1])],
    ['POST', /^\/tags\/hostedzone\/([^/]+)$/, 'ChangeTagsForResource', (g) => zone(g[1])],
  ];
  for (const [method, pattern, operation, resource] of routes) {
    const found = method === m ? pattern.exec(path) : null;
    if (found) return one(operation, `route53:${operation}`, resource([...found]));
  }
  return undefined;
};

// ---------------------------------------------------------------- S3 (REST XML)

/** The sub-resource query parameters that name a bucket or object operation. */
const S3_BUCKET_SUBRESOURCES: Readonly<Record<string, Partial<Record<string, string>>>> = {
  versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
  location: { GET: 'GetBucketLocation' },
  policy: { GET: 'GetBucketPolicy', PUT: 'PutBucketPolicy', DELETE: 'DeleteBucketPolicy' },
  tagging: { GET: 'GetBucketTagging', PUT: 'PutBucketTagging', DELETE: 'PutBucketTagging' },
  encryption: {
    GET: 'GetEncryptionConfiguration',
    PUT: 'PutEncryptionConfiguration',
    DELETE: 'PutEncryptionConfiguration',
  },
  publicAccessBlock: {
    GET: 'GetBucketPublicAccessBlock',
    PUT: 'PutBucketPublicAccessBlock',
    DELETE: 'PutBucketPublicAccessBlock',
  },
  lifecycle: {
    GET: 'GetLifecycleConfiguration',
    PUT: 'PutLifecycleConfiguration',
    DELETE: 'PutLifecycleConfiguration',
  },
  acl: { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' },
  cors: { GET: 'GetBucketCORS', PUT: 'PutBucketCORS', DELETE: 'PutBucketCORS' },
  notification: { GET: 'GetBucketNotification', PUT: 'PutBucketNotification' },
  ownershipControls: {
    GET: 'GetBucketOwnershipControls',
    PUT: 'PutBucketOwnershipControls',
    DELETE: 'PutBucketOwnershipControls',
  },
  logging: { GET: 'GetBucketLogging', PUT: 'PutBucketLogging' },
  website: { GET: 'GetBucketWebsite', PUT: 'PutBucketWebsite', DELETE: 'DeleteBucketWebsite' },
  replication: {
    GET: 'GetReplicationConfiguration',
    PUT: 'PutReplicationConfiguration',
    DELETE: 'PutReplicationConfiguration',
  },
  'object-lock': {
    GET: 'GetBucketObjectLockConfiguration',
    PUT: 'PutBucketObjectLockConfiguration',
  },
  uploads: { GET: 'ListBucketMultipartUploads' },
  versions: { GET: 'ListBucketVersions' },
};

const S3_OBJECT_SUBRESOURCES: Readonly<Record<string, Partial<Record<string, string>>>> = {
  tagging: { GET: 'GetObjectTagging', PUT: 'PutObjectTagging', DELETE: 'DeleteObjectTagging' },
  acl: { GET: 'GetObjectAcl', PUT: 'PutObjectAcl' },
  retention: { GET: 'GetObjectRetention', PUT: 'PutObjectRetention' },
  'legal-hold': { GET: 'GetObjectLegalHold', PUT: 'PutObjectLegalHold' },
  attributes: { GET: 'GetObjectAttributes' },
};

/** Bucket and key, path-style (`/bucket/key`) or virtual-hosted (`bucket.host/key`). */
const s3Location = (request: SandboxRequest): { bucket?: string; key?: string } => {
  const host = (request.headers.host ?? '').split(':')[0] ?? '';
  const virtual = /^(.+?)\.(?:s3[.-]|localhost$|127\.0\.0\.1$)/.exec(host);
  const parts = request.path.split('/').slice(1);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (virtual?.[1] && !/^s3[.-]/.test(host)) {
    const key = decode(parts.join('/'));
    return { bucket: virtual[1], ...(key ? { key } : {}) };
  }
  const [bucket, ...rest] = parts;
  const key = decode(rest.join('/'));
  return { ...(bucket ? { bucket: decode(bucket) } : {}), ...(key ? { key } : {}) };
};

const s3 = (request: SandboxRequest): RequestActions | undefined => {
  const { bucket, key } = s3Location(request);
  const m = request.method;
  const q = request.query;
  const s3one = (operation: string, action: string, resource: string) =>
    one(operation, `s3:${action}`, resource);
  if (!bucket) return m === 'GET' ? s3one('ListBuckets', 'ListAllMyBuckets', '*') : undefined;
  const bucketArn = `arn:aws:s3:::${bucket}`;
  if (!key) {
    for (const [sub, ops] of Object.entries(S3_BUCKET_SUBRESOURCES)) {
      const action = q.has(sub) ? ops[m] : undefined;
      if (action) return s3one(action, action, bucketArn);
    }
    if (m === 'POST' && q.has('delete')) {
      const keys = [...request.body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map(
        (k) => k[1] ?? '',
      );
      return {
        operation: 'DeleteObjects',
        checks: keys.map((k) => ({ action: 's3:DeleteObject', resource: `${bucketArn}/${k}` })),
      };
    }
    switch (m) {
      case 'PUT':
        return s3one('CreateBucket', 'CreateBucket', bucketArn);
      case 'DELETE':
        return s3one('DeleteBucket', 'DeleteBucket', bucketArn);
      case 'HEAD':
        return s3one('HeadBucket', 'ListBucket', bucketArn);
      case 'GET':
        return s3one('ListObjects', 'ListBucket', bucketArn);
      default:
        return undefined;
    }
  }
  const objectArn = `${bucketArn}/${key}`;
  for (const [sub, ops] of Object.entries(S3_OBJECT_SUBRESOURCES)) {
    const action = q.has(sub) ? ops[m] : undefined;
    if (action) return s3one(action, action, objectArn);
  }
  const versioned = q.has('versionId');
  switch (m) {
    case 'GET':
      if (q.has('uploadId')) return s3one('ListParts', 'ListMultipartUploadParts', objectArn);
      return s3one('GetObject', versioned ? 'GetObjectVersion' : 'GetObject', objectArn);
    case 'HEAD':
      return s3one('HeadObject', versioned ? 'GetObjectVersion' : 'GetObject', objectArn);
    case 'DELETE':
      if (q.has('uploadId'))
        return s3one('AbortMultipartUpload', 'AbortMultipartUpload', objectArn);
      return s3one('DeleteObject', versioned ? 'DeleteObjectVersion' : 'DeleteObject', objectArn);
    case 'PUT': {
      const source = request.headers['x-amz-copy-source'];
      if (!source) return s3one('PutObject', 'PutObject', objectArn);
      const from = decodeURIComponent(source.replace(/^\//, '').split('?')[0] ?? '');
      return {
        operation: 'CopyObject',
        checks: [
          { action: 's3:PutObject', resource: objectArn },
          { action: 's3:GetObject', resource: `arn:aws:s3:::${from}` },
        ],
      };
    }
    case 'POST':
      return s3one(
        q.has('uploads') ? 'CreateMultipartUpload' : 'CompleteMultipartUpload',
        'PutObject',
        objectArn,
      );
    default:
      return undefined;
  }
};

// ----------------------------------------------------------------

/**
 * The checks IAM would make for a request, or undefined when the sandbox cannot tell which
 * operation it is (an unknown REST path, a body without an action).
 *
 * @example
 * requestActions(updateAliasRequest, '815856636111')
 * // → { operation: 'UpdateAlias', checks: [{ action: 'lambda:UpdateAlias',
 * //      resource: 'arn:aws:lambda:eu-west-1:815856636111:function:order-handler-sit' }] }
 */
export const requestActions = (
  request: SandboxRequest,
  account: string = request.identity.account,
): RequestActions | undefined => {
  switch (request.service) {
    case 'dynamodb':
      return dynamodb(request, account);
    case 'sqs':
      return sqs(request, account);
    case 'sns':
      return sns(request, account);
    case 'events':
      return events(request, account);
    case 'logs':
      return logs(request, account);
    case 'monitoring':
      return cloudwatch(request, account);
    case 'acm':
      return acm(request);
    case 'iam':
      return iam(request, account);
    case 'lambda':
      return lambda(request, account);
    case 'backup':
      return backup(request, account);
    case 'route53':
      return route53(request);
    case 's3':
      return s3(request);
    default: {
      // Any other RPC service: its operation on an unknown resource.
      const decoded = decodeRpc(request);
      if (!decoded.operation) return undefined;
      const prefix = IAM_PREFIX[request.service] ?? request.service;
      return one(decoded.operation, `${prefix}:${decoded.operation}`, '*');
    }
  }
};

/** Whether the request's protocol is JSON RPC (`X-Amz-Target`), for the error shape. */
export const isJsonRpc = (request: SandboxRequest): boolean => !!request.headers['x-amz-target'];
