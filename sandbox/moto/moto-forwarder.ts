import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { forwardHttp, pathWithQuery } from '../gateway/http-forward.js';
import type { SandboxRequest, ServiceHandler } from '../gateway/types.js';
import { MOTO_ACCOUNT_HEADER } from './clients.js';

/**
 * Forwards control-plane calls (IAM, Lambda, EventBridge, SQS, SNS, S3, Logs) to moto in the
 * caller's account, and journals every successful mutating call so that a restarted
 * sandbox can replay them: moto keeps its state only in memory.
 */

interface JournalEntry {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  /** base64 */
  readonly body: string;
}

/** Calls whose effect is transient data, not configuration: not replayed after a restart. */
const TRANSIENT =
  /^(SendMessage|SendMessageBatch|ReceiveMessage|DeleteMessage|DeleteMessageBatch|ChangeMessageVisibility\w*|PurgeQueue|PutEvents|Publish|PublishBatch|PutLogEvents)$/;
const READ_ONLY = /^(Get|List|Describe|Head|Receive|Test|Lookup|Search|Filter)/;

/** The operation name of a request in any of the protocols moto serves. */
export const operationOf = (request: SandboxRequest): string | undefined => {
  const target = request.headers['x-amz-target'];
  if (target) return target.split('.').pop();
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return new URLSearchParams(request.body.toString('utf8')).get('Action') ?? undefined;
  }
  return request.query.get('Action') ?? undefined;
};

/** True when replaying the call is needed to rebuild moto's state. */
export const isDurableMutation = (request: SandboxRequest): boolean => {
  const operation = operationOf(request);
  if (operation) return !READ_ONLY.test(operation) && !TRANSIENT.test(operation);
  // REST protocols (Lambda, S3): anything but a read changes state.
  return !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
};

export class MotoForwarder {
  constructor(
    private readonly endpoint: string,
    private readonly journalPath?: string,
  ) {}

  readonly handle: ServiceHandler = async (request) => {
    const headers = { ...request.headers, [MOTO_ACCOUNT_HEADER]: request.identity.account };
    const path = pathWithQuery(request.path, request.query);
    const response = await forwardHttp(this.endpoint, request.method, path, headers, request.body);
    if (this.journalPath && response.status < 300 && isDurableMutation(request)) {
      const entry: JournalEntry = {
        method: request.method,
        path,
        headers,
        body: request.body.toString('base64'),
      };
      appendFileSync(this.journalPath, `${JSON.stringify(entry)}\n`);
    }
    return response;
  };

  /** Re-applies the journal to a fresh moto; returns how many calls were replayed. */
  async replay(): Promise<number> {
    if (!this.journalPath || !existsSync(this.journalPath)) return 0;
    const lines = readFileSync(this.journalPath, 'utf8').split('\n').filter(Boolean);
    for (const line of lines) {
      const entry = JSON.parse(line) as JournalEntry;
      await forwardHttp(
        this.endpoint,
        entry.method,
        entry.path,
        entry.headers,
        Buffer.from(entry.body, 'base64'),
      );
    }
    return lines.length;
  }
}
