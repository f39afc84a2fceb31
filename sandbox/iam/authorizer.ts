import { isWildcardOnlyAction, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Identity, SandboxRequest, SandboxResponse } from '../gateway/types.js';
import { STATIC_KEYS } from '../sts/credential-registry.js';
import { accessDenied, type DenyReason, deniedMessage } from './access-denied.js';
import type { NamedPolicy, RolePolicyStore } from './policy-store.js';
import { type ActionCheck, requestActions } from './request-actions.js';

/**
 * IAM at the sandbox's front door, evaluated by `@cloud-copilot/iam-simulate` with the
 * policies IAM (moto) holds:
 *
 * - the long-term keys (`sandbox`, `sandbox-<env>`) are operators, like the plan's SSO admin
 *   profiles: an `Allow *:*` identity policy, so they pass everything;
 * - a key issued by `AssumeRole` (or to a function's execution role) is that role's session:
 *   each request is mapped to its IAM action(s) and resource ARN(s) and evaluated against
 *   the role's inline and attached policies and its permissions boundary; a resource of
 *   another account also needs that account's resource policy, which the sandbox does not
 *   model, so such a request is denied as AWS denies it without one;
 * - `sts:AssumeRole` is evaluated against the target role's trust policy (as the resource
 *   policy) and the caller's identity policies.
 */

const ADMIN: readonly NamedPolicy[] = [
  {
    name: 'SandboxOperatorFullAccess',
    policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
  },
];

export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: DenyReason; readonly detail?: string };

/** Whether a key is one of the long-term operator keys. */
export const isOperator = (identity: Identity): boolean =>
  STATIC_KEYS[identity.accessKeyId] !== undefined;

/** The role behind an assumed-role identity (`arn:aws:iam::<acct>:role/<name>`). */
export const roleArnOf = (identity: Identity): string | undefined => {
  if (identity.roleArn) return identity.roleArn;
  const match = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(identity.arn);
  return match ? `arn:aws:iam::${match[1]}:role/${match[2]}` : undefined;
};

/** Condition keys AWS sets on every request of a principal. */
const contextOf = (identity: Identity, region: string): Record<string, string> => {
  const now = new Date();
  const role = roleArnOf(identity);
  return {
    'aws:PrincipalArn': isOperator(identity) ? identity.arn : (role ?? identity.arn),
    'aws:PrincipalAccount': identity.account,
    'aws:PrincipalType': isOperator(identity) ? 'User' : 'AssumedRole',
    'aws:userid': identity.userId,
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:SecureTransport': 'false',
    ...(region ? { 'aws:RequestedRegion': region } : {}),
  };
};

const READ_ONLY = /^(Get|List|Describe|Simulate|Generate)/;

export interface IamAuthorizerOptions {
  readonly policies: RolePolicyStore;
  /** Lines for the sandbox log (requests the sandbox could not map, simulator errors). */
  readonly log?: (line: string) => void;
}

export class IamAuthorizer {
  /**
   * Decisions per role record (the store hands out a new record when the role's policies may
   * have changed, so a stale decision cannot outlive its policies): a function's steady calls
   * are evaluated once per role, action and resource, not on every request. Condition keys
   * that change by request (aws:CurrentTime) are not used by the spec's policies.
   */
  private readonly decisions = new WeakMap<object, Map<string, Decision>>();

  constructor(private readonly options: IamAuthorizerOptions) {}

  /**
   * Undefined when the request may proceed; otherwise the service's own "access denied"
   * answer. Operators and STS requests pass (STS decides AssumeRole itself).
   */
  async authorize(request: SandboxRequest): Promise<SandboxResponse | undefined> {
    const identity = request.identity;
    if (request.service === 'sts' || isOperator(identity)) return undefined;
    const roleArn = roleArnOf(identity);
    const mapped = requestActions(request);
    if (!roleArn || !mapped) {
      this.options.log?.(
        `iam: ${request.service} ${request.method} ${request.path}: no IAM action known; denied`,
      );
      const action = `${request.service}:${mapped?.operation ?? 'Unknown'}`;
      return accessDenied(request, deniedMessage(identity.arn, action, '*', 'unmapped'));
    }
    const role = await this.options.policies.role(roleArn);
    let known = this.decisions.get(role);
    if (!known) {
      known = new Map();
      this.decisions.set(role, known);
    }
    for (const check of mapped.checks) {
      const key = `${identity.arn}|${request.region}|${check.action}|${check.resource}`;
      let decision = known.get(key);
      if (!decision) {
        decision = await this.decide(identity, role.identityPolicies, request.region, check, {
          ...(role.permissionsBoundary ? { boundary: role.permissionsBoundary } : {}),
        });
        // Bounded: a role session touching many distinct items (S3 keys) must not grow it forever.
        if (known.size > 10_000) known.clear();
        known.set(key, decision);
      }
      if (!decision.allowed) {
        if (decision.detail)
          this.options.log?.(`iam: ${check.action} ${check.resource}: ${decision.detail}`);
        return accessDenied(
          request,
          deniedMessage(identity.arn, check.action, check.resource, decision.reason),
        );
      }
    }
    return undefined;
  }

  /** After a request was answered: a change to IAM drops the account's cached roles. */
  observe(request: SandboxRequest, response: SandboxResponse): void {
    if (request.service !== 'iam' || response.status >= 300) return;
    const operation = requestActions(request)?.operation ?? '';
    if (!READ_ONLY.test(operation)) this.options.policies.invalidate(request.identity.account);
  }

  /**
   * `sts:AssumeRole` by `caller` into `roleArn`: the role's trust policy is the resource
   * policy, the caller's identity policies (an operator's: everything) the identity side.
   */
  async assumeRole(
    caller: Identity,
    roleArn: string,
    sessionName: string,
    context: Readonly<Record<string, string>> = {},
  ): Promise<Decision> {
    const target = await this.options.policies.role(roleArn);
    if (target.trust === undefined)
      return { allowed: false, reason: 'implicit', detail: 'no such role' };
    let identityPolicies = ADMIN;
    let boundary: NamedPolicy | undefined;
    if (!isOperator(caller)) {
      const callerRole = roleArnOf(caller);
      if (!callerRole) return { allowed: false, reason: 'implicit' };
      const record = await this.options.policies.role(callerRole);
      identityPolicies = record.identityPolicies;
      boundary = record.permissionsBoundary;
    }
    return this.decide(
      caller,
      identityPolicies,
      '',
      { action: 'sts:AssumeRole', resource: roleArn },
      {
        resourcePolicy: target.trust,
        context: { 'sts:RoleSessionName': sessionName, ...context },
        ...(boundary ? { boundary } : {}),
      },
    );
  }

  private async decide(
    identity: Identity,
    identityPolicies: readonly NamedPolicy[],
    region: string,
    check: ActionCheck,
    extra: { resourcePolicy?: unknown; context?: Record<string, string>; boundary?: NamedPolicy },
  ): Promise<Decision> {
    const [service = '', action = ''] = check.action.split(':');
    let resource = check.resource;
    try {
      if (await isWildcardOnlyAction(service, action)) resource = '*';
    } catch {
      return { allowed: false, reason: 'unmapped', detail: `unknown IAM action ${check.action}` };
    }
    const resourceAccount =
      /^arn:[^:]*:[^:]*:[^:]*:(\d{12}):/.exec(resource)?.[1] ?? identity.account;
    const simulate = (res: string) => {
      const simulation: Simulation = {
        request: {
          principal: identity.arn,
          action: check.action,
          resource: { resource: res, accountId: res === '*' ? identity.account : resourceAccount },
          contextVariables: { ...contextOf(identity, region), ...extra.context },
        },
        identityPolicies: identityPolicies.map((p) => ({ name: p.name, policy: p.policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(extra.resourcePolicy !== undefined ? { resourcePolicy: extra.resourcePolicy } : {}),
        ...(extra.boundary
          ? {
              permissionBoundaryPolicies: [
                { name: extra.boundary.name, policy: extra.boundary.policy },
              ],
            }
          : {}),
      };
      return runSimulation(simulation, {});
    };
    let result = await simulate(resource);
    if (
      result.resultType === 'error' &&
      resource !== '*' &&
      /resource/i.test(JSON.stringify(result.errors))
    ) {
      // The sandbox's ARN does not fit the action's resource types: judged as on any resource.
      this.options.log?.(
        `iam: ${check.action} on ${resource}: ${result.errors.message}; evaluated on *`,
      );
      result = await simulate('*');
    }
    if (result.resultType === 'error') {
      return { allowed: false, reason: 'unmapped', detail: result.errors.message };
    }
    if (result.overallResult === 'Allowed') return { allowed: true };
    if (result.overallResult === 'ExplicitlyDenied') return { allowed: false, reason: 'explicit' };
    const crossAccount = resource !== '*' && resourceAccount !== identity.account;
    return { allowed: false, reason: crossAccount ? 'resource' : 'implicit' };
  }
}
