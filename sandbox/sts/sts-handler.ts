import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { escapeXml, queryParams, xmlError, xmlResult } from '../gateway/query-protocol.js';
import type { ServiceHandler } from '../gateway/types.js';
import { motoClient } from '../moto/clients.js';
import { type CredentialRegistry, MANAGEMENT_ACCOUNT } from './credential-registry.js';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/**
 * STS answered by the sandbox itself, so that it (not moto) owns the mapping from access key
 * to account: GetCallerIdentity and AssumeRole. AssumeRole follows the deploy roles' trust
 * model: allowed from the same account or from the management account, and only into a
 * role that exists in IAM.
 */
export const createStsHandler =
  (registry: CredentialRegistry, motoEndpoint: string): ServiceHandler =>
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
        if (caller.account !== account && caller.account !== MANAGEMENT_ACCOUNT) return denied();
        const iam = motoClient(IAMClient, motoEndpoint, account, 'us-east-1');
        try {
          await iam.send(new GetRoleCommand({ RoleName: roleName }));
        } catch {
          return denied();
        }
        const issued = registry.issueForRole(roleArn, session, duration);
        return xmlResult(
          action,
          NS,
          `<Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId>` +
            `<SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>` +
            `<SessionToken>${issued.sessionToken}</SessionToken>` +
            `<Expiration>${issued.expiration.toISOString()}</Expiration></Credentials>` +
            `<AssumedRoleUser><AssumedRoleId>${escapeXml(issued.identity.userId)}</AssumedRoleId>` +
            `<Arn>${escapeXml(issued.identity.arn)}</Arn></AssumedRoleUser>`,
        );
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
