import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { escapeXml, queryParams, xmlError, xmlResult } from '../gateway/query-protocol.js';
import type { Identity, ServiceHandler } from '../gateway/types.js';
import { motoClient } from '../moto/clients.js';
import {
  type CredentialRegistry,
  type IssuedCredentials,
  MANAGEMENT_ACCOUNT,
} from './credential-registry.js';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** Decides `sts:AssumeRole` (sandbox/iam/authorizer.ts: trust policy + caller's policies). */
export interface AssumeRolePolicy {
  assumeRole(
    caller: Identity,
    roleArn: string,
    sessionName: string,
    context?: Readonly<Record<string, string>>,
  ): Promise<{ readonly allowed: boolean }>;
}

/**
 * STS answered by the sandbox itself, so that it (not moto) owns the mapping from access key
 * to account: GetCallerIdentity (which, as in AWS, needs no permission) and AssumeRole.
 * With `policy`, AssumeRole is decided as IAM decides it: the role's trust policy must allow
 * the caller, and a role session calling must also be allowed `sts:AssumeRole` on the role by
 * its own policies (PROD's deploy role into SIT's gate reader). Without it, the older model:
 * the same account or the management account, into a role that exists.
 */
export const createStsHandler =
  (registry: CredentialRegistry, motoEndpoint: string, policy?: AssumeRolePolicy): ServiceHandler =>
  async (request) => {
    const params = queryParams(request.body, request.query);
    const action = params.get('Action');
    const caller = request.identity;
    switch (action) {
      case 'GetCallerIdentity':
        return xmlResult(
          action,
          NS,
          `<Arn>${escapeXml(caller.arn)}</Arn><UserId>${escapeXml(caller.userId)}</UserId>` +
            `<Account>${caller.account}</Account>`,
        );
      case 'AssumeRole': {
        const roleArn = params.get('RoleArn') ?? '';
        const session = params.get('RoleSessionName') ?? '';
        const duration = Number(params.get('DurationSeconds') ?? 3600);
        const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
        if (
          !match ||
          !/^[\w+=,.@-]{2,64}$/.test(session) ||
          !(duration >= 900 && duration <= 43_200)
        ) {
          return xmlError(
            400,
            'ValidationError',
            'invalid RoleArn, RoleSessionName or DurationSeconds',
            NS,
          );
        }
        const [, account, roleName] = match as unknown as [string, string, string];
        const denied = () =>
          xmlError(
            403,
            'AccessDenied',
            `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
            NS,
          );
        if (policy) {
          const externalId = params.get('ExternalId');
          const context: Record<string, string> = externalId
            ? { 'sts:ExternalId': externalId }
            : {};
          if (!(await policy.assumeRole(caller, roleArn, session, context)).allowed)
            return denied();
          const issued = registry.issueForRole(roleArn, session, duration);
          return assumed(issued);
        }
        if (caller.account !== account && caller.account !== MANAGEMENT_ACCOUNT) return denied();
        const iam = motoClient(IAMClient, motoEndpoint, account, 'us-east-1');
        try {
          await iam.send(new GetRoleCommand({ RoleName: roleName }));
        } catch {
          return denied();
        }
        return assumed(registry.issueForRole(roleArn, session, duration));
      }
      default:
        return xmlError(
          400,
          'InvalidAction',
          `STS action ${action ?? '(none)'} is not supported by the sandbox`,
          NS,
        );
    }
  };

const assumed = (issued: IssuedCredentials) =>
  xmlResult(
    'AssumeRole',
    NS,
    `<Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId>` +
      `<SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>` +
      `<SessionToken>${issued.sessionToken}</SessionToken>` +
      `<Expiration>${issued.expiration.toISOString()}</Expiration></Credentials>` +
      `<AssumedRoleUser><AssumedRoleId>${escapeXml(issued.identity.userId)}</AssumedRoleId>` +
      `<Arn>${escapeXml(issued.identity.arn)}</Arn></AssumedRoleUser>`,
  );
