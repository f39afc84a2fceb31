import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { protocolError, type SignedScope } from './gateway-server.js';
import type { SandboxResponse } from './types.js';

/**
 * Regional outages for DR drills: a region taken down answers every AWS call signed for it
 * as AWS's front door does when a region is impaired — HTTP 503 `ServiceUnavailable` in the
 * calling protocol's error shape, which SDKs and the aws CLI treat as retryable, so a client
 * retries, then fails. Its API fronts answer 503, its replicas neither send nor receive, and
 * every other region keeps working. Persisted under the sandbox home, so a restarted sandbox
 * is still down where it was (provisioning runs before the outage is applied again).
 */

export interface RegionOutage {
  readonly region: string;
  /** ISO time it went down. */
  readonly since: string;
}

export class OutageRegistry {
  private readonly down = new Map<string, RegionOutage>();
  private applied = false;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly path: string,
    /** Regions the sandbox models; anything else is refused. */
    readonly regions: readonly string[],
  ) {
    try {
      for (const outage of JSON.parse(readFileSync(path, 'utf8')) as RegionOutage[]) {
        this.down.set(outage.region, outage);
      }
    } catch {
      // No outage recorded.
    }
  }

  /**
   * From now on a down region answers 503. Until then (while the sandbox provisions and
   * warms itself after a restart) nothing is refused.
   */
  apply(): void {
    this.applied = true;
  }

  /** Whether calls signed for `region` fail now. */
  isDown(region: string): boolean {
    return this.applied && this.down.has(region);
  }

  /**
   * Whether `region` is recorded down, applied or not yet: replication holds a down region's
   * items from the first moment, also while a restarted sandbox provisions itself.
   */
  isRecorded(region: string): boolean {
    return this.down.has(region);
  }

  /** The recorded outages (also before {@link apply}). */
  list(): RegionOutage[] {
    return [...this.down.values()];
  }

  /** Takes `region` down or brings it back; throws on a region the sandbox does not model. */
  set(region: string, isDown: boolean): RegionOutage[] {
    if (!this.regions.includes(region)) {
      throw new Error(`unknown region ${region}; the sandbox models ${this.regions.join(', ')}`);
    }
    if (isDown && !this.down.has(region)) {
      this.down.set(region, { region, since: new Date().toISOString() });
    } else if (!isDown) {
      this.down.delete(region);
    }
    writeFileSync(`${this.path}.tmp`, JSON.stringify(this.list(), null, 2));
    renameSync(`${this.path}.tmp`, this.path);
    for (const listener of this.listeners) listener();
    return this.list();
  }

  /** Called after every change (replication resumes when a region comes back). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
}

/** What a call signed for a down region gets, in its protocol's error shape. */
export const outageResponse = (request: SignedScope): SandboxResponse => {
  // DynamoDB's documented 503 is `ServiceUnavailable`; the SDK and the aws CLI read that name
  // from the header and from `__type` alike.
  const message = `Service unavailable in ${request.region} (sandbox region outage drill)`;
  if (request.service === 's3') {
    // S3 speaks REST-XML: a bare <Error> document.
    return {
      status: 503,
      headers: { 'content-type': 'application/xml' },
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code>' +
        `<Message>${message}</Message><RequestId>sandbox-outage</RequestId></Error>`,
    };
  }
  if (request.service === 'dynamodb') {
    return {
      status: 503,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-errortype': 'ServiceUnavailable',
      },
      body: JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable',
        message,
      }),
    };
  }
  return protocolError(request.service, request.headers, 503, 'ServiceUnavailable', message);
};
