import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { forwardHttp, pathWithQuery } from '../gateway/http-forward.js';
import type { SandboxRequest, ServiceHandler } from '../gateway/types.js';
import { MOTO_ACCOUNT_HEADER } from './clients.js';
import {
  motoOriginPattern,
  nonExistentQueue,
  queueAccountsOf,
  rewriteMotoOrigin,
  rewriteStoredQueueUrls,
} from './public-urls.js';

/**
 * Forwards control-plane calls (IAM, Lambda, EventBridge, SQS, SNS, S3, Logs) to moto in the
 * caller's account, and journals every successful mutating call so that a restarted
 * sandbox can replay them: moto keeps its state only in memory.
 *
 * Every URL moto hands out names the gateway, never moto's own port (see public-urls.ts):
 * a queue URL from GetQueueUrl/CreateQueue/ListQueues leads back through the gateway, where
 * a queue URL of another account is refused as a queue that does not exist.
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
  private readonly motoOrigin: RegExp;

  /**
   * @param endpoint moto's own address.
   * @param journalPath where durable calls are journaled (none: not journaled).
   * @param publicEndpoint the gateway's address, put in place of moto's in every answer;
   *   without it, the origin the caller addressed (its `Host` header).
   */
  constructor(
    private readonly endpoint: string,
    private readonly journalPath?: string,
    private readonly publicEndpoint?: string,
  ) {
    this.motoOrigin = motoOriginPattern(endpoint);
  }

  readonly handle: ServiceHandler = async (request) => {
    if (request.service === 'sqs') {
      // moto finds a queue by its name in the caller's account and ignores the account in
      // the URL: another account's queue URL would reach a same-named queue of the caller's.
      const foreign = queueAccountsOf(request).some((a) => a !== request.identity.account);
      if (foreign) return nonExistentQueue(request);
    }
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
    const publicOrigin = this.publicOrigin(request);
    return publicOrigin
      ? rewriteMotoOrigin(response, this.motoOrigin, publicOrigin, request.service)
      : response;
  };

  private publicOrigin(request: SandboxRequest): string | undefined {
    if (this.publicEndpoint) return new URL(this.publicEndpoint).origin;
    const host = request.headers.host;
    return host ? `http://${host}` : undefined;
  }

  /**
   * Re-applies the journal to a fresh moto; returns how many calls were replayed. Queue URLs
   * stored by earlier calls (a function's `DLQ_URL`) are pointed at today's gateway: the
   * moto (or gateway) port they name may be gone.
   */
  async replay(): Promise<number> {
    if (!this.journalPath || !existsSync(this.journalPath)) return 0;
    const lines = readFileSync(this.journalPath, 'utf8').split('\n').filter(Boolean);
    const publicOrigin = this.publicEndpoint ? new URL(this.publicEndpoint).origin : undefined;
    for (const line of lines) {
      const entry = JSON.parse(line) as JournalEntry;
      const body = Buffer.from(entry.body, 'base64');
      await forwardHttp(
        this.endpoint,
        entry.method,
        entry.path,
        entry.headers,
        publicOrigin ? rewriteStoredQueueUrls(body, publicOrigin) : body,
      );
    }
    return lines.length;
  }
}
