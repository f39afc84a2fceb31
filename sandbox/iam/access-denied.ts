import { randomUUID } from 'node:crypto';
import { escapeXml, xmlError } from '../gateway/query-protocol.js';
import type { SandboxRequest, SandboxResponse } from '../gateway/types.js';

/**
 * The "access denied" answer in the protocol and the words of the service that was called,
 * as AWS's front doors send them:
 *
 * | protocol | services | status | code |
 * |---|---|---|---|
 * | JSON RPC (`X-Amz-Target`) | dynamodb, events, logs, acm, cloudwatch, sqs | 400 | `AccessDeniedException` (SQS, CloudWatch: `x-amzn-query-error: AccessDenied`) |
 * | REST JSON | lambda, backup | 403 | `AccessDeniedException` |
 * | awsQuery | iam, sts, sqs, cloudwatch | 403 | `AccessDenied` (SNS: `AuthorizationError`) |
 * | REST XML | s3 (`<Error>`), route53 (`<ErrorResponse>`) | 403 | `AccessDenied` |
 */

export type DenyReason = 'implicit' | 'explicit' | 'resource' | 'unmapped';

/** AWS's sentence, e.g. "User: arn:aws:sts::…:assumed-role/r/s is not authorized to perform: …". */
export const deniedMessage = (
  principal: string,
  action: string,
  resource: string,
  reason: DenyReason,
): string => {
  const base = `User: ${principal} is not authorized to perform: ${action} on resource: ${resource}`;
  switch (reason) {
    case 'explicit':
      return `${base} with an explicit deny in an identity-based policy`;
    case 'resource':
      return `${base} because no resource-based policy allows the ${action} action`;
    case 'unmapped':
      return `${base} because the sandbox cannot tell which IAM action this request is`;
    default:
      return `${base} because no identity-based policy allows the ${action} action`;
  }
};

/** Services whose JSON protocol is awsQuery-compatible: clients read the code from a header. */
const QUERY_COMPATIBLE: Readonly<Record<string, string>> = {
  sqs: 'AccessDenied',
  monitoring: 'AccessDenied',
};

const NAMESPACES: Readonly<Record<string, string>> = {
  iam: 'https://iam.amazonaws.com/doc/2010-05-08/',
  sts: 'https://sts.amazonaws.com/doc/2011-06-15/',
  sns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  sqs: 'http://queue.amazonaws.com/doc/2012-11-05/',
  monitoring: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
};

const jsonDenied = (status: number, message: string, queryCode?: string): SandboxResponse => ({
  status,
  headers: {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-errortype': 'AccessDeniedException',
    'x-amzn-requestid': randomUUID(),
    ...(queryCode ? { 'x-amzn-query-error': `${queryCode};Sender` } : {}),
  },
  body: JSON.stringify({ __type: 'AccessDeniedException', message, Message: message }),
});

/** The denial of `request`, in its service's protocol. */
export const accessDenied = (request: SandboxRequest, message: string): SandboxResponse => {
  const service = request.service;
  if (request.headers['x-amz-target']) {
    return jsonDenied(400, message, QUERY_COMPATIBLE[service]);
  }
  switch (service) {
    case 'lambda':
    case 'backup':
      return {
        status: 403,
        headers: {
          'content-type': 'application/json',
          'x-amzn-errortype': 'AccessDeniedException',
          'x-amzn-requestid': randomUUID(),
        },
        body: JSON.stringify({
          Type: 'User',
          Code: 'AccessDeniedException',
          Message: message,
          message,
        }),
      };
    case 's3': {
      const requestId = randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase();
      return {
        status: 403,
        headers: {
          'content-type': 'application/xml',
          'x-amz-request-id': requestId,
        },
        // HEAD answers carry no body; the SDK then names the error by its status.
        body:
          request.method === 'HEAD'
            ? ''
            : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>` +
              `<Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId>` +
              `<HostId>sandbox</HostId></Error>`,
      };
    }
    case 'route53':
      return xmlError(
        403,
        'AccessDenied',
        message,
        'https://route53.amazonaws.com/doc/2013-04-01/',
      );
    case 'sns':
      return xmlError(403, 'AuthorizationError', message, NAMESPACES.sns as string);
    default:
      return xmlError(
        403,
        'AccessDenied',
        message,
        NAMESPACES[service] ?? `https://${service}.amazonaws.com/doc/`,
      );
  }
};
