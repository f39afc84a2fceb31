/**
 * Helpers for the awsQuery wire protocol (form-encoded requests, XML responses) used by
 * STS, and by the aws CLI for CloudWatch and SQS.
 */
import { randomUUID } from 'node:crypto';
import type { SandboxResponse } from './types.js';

export const escapeXml = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

/** Parses a form body (or, for GET, the query string) into parameters. */
export const queryParams = (body: Buffer, query: URLSearchParams): URLSearchParams => {
  const form = new URLSearchParams(body.toString('utf8'));
  for (const [key, value] of query) if (!form.has(key)) form.set(key, value);
  return form;
};

/** `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata/></ActionResponse>` */
export const xmlResult = (action: string, namespace: string, inner: string): SandboxResponse => ({
  status: 200,
  headers: { 'content-type': 'text/xml' },
  body:
    `<${action}Response xmlns="${namespace}"><${action}Result>${inner}</${action}Result>` +
    `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
});

export const xmlError = (
  status: number,
  code: string,
  message: string,
  namespace: string,
  type: 'Sender' | 'Receiver' = 'Sender',
): SandboxResponse => ({
  status,
  headers: { 'content-type': 'text/xml' },
  body:
    `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escapeXml(code)}</Code>` +
    `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
});
