import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsTarget } from './target.js';

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  /** When the credentials in use expire, if the provider says. */
  readonly expiresAt?: Date;
}

/** `aws sts get-caller-identity`, plus the credentials' expiry for the preflight warning. */
export interface StsApi {
  whoAmI(): Promise<CallerIdentity>;
}

export const stsApi = (target: AwsTarget, client = new STSClient(target.clientConfig)): StsApi => ({
  async whoAmI() {
    const out = await client.send(new GetCallerIdentityCommand({}));
    let expiresAt: Date | undefined;
    try {
      const credentials = await client.config.credentials();
      expiresAt = credentials.expiration;
    } catch {
      // The identity call succeeded, so credentials exist; expiry is just unknown.
    }
    return {
      account: out.Account ?? '',
      arn: out.Arn ?? '',
      ...(expiresAt ? { expiresAt } : {}),
    };
  },
});
