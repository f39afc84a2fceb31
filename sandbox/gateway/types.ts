/**
 * The contract between the sandbox gateway and the per-service emulations behind it.
 * The gateway parses the SigV4 scope, resolves the caller's account, then hands the whole
 * request to the handler registered for the service's signing name.
 */

/** Who signed a request, as resolved from its access key. */
export interface Identity {
  readonly accessKeyId: string;
  readonly account: string;
  /** `arn:aws:iam::<account>:user/...` or `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  readonly arn: string;
  readonly userId: string;
  /** For a role's session: the role (`arn:aws:iam::<account>:role[/path]/<name>`). */
  readonly roleArn?: string;
  /** Epoch ms; absent for long-term keys. */
  readonly expiresAt?: number;
}

export interface SandboxRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/2015-03-31/functions/x/invocations`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** SigV4 signing name: `dynamodb`, `lambda`, `monitoring`, `sts`, `sqs`, `events`, … */
  readonly service: string;
  readonly region: string;
  readonly identity: Identity;
}

export interface SandboxResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

export type ServiceHandler = (request: SandboxRequest) => Promise<SandboxResponse>;
