import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { ENVIRONMENTS } from '../../infra/environments.js';
import type { Identity } from '../gateway/types.js';

/**
 * Which account an access key belongs to. Real AWS knows this from IAM; the sandbox keeps
 * its own table: a few long-term keys (printed by `promote sandbox up`) and the temporary
 * keys it issued through AssumeRole, persisted so they survive a restart.
 */

/** The sandbox's "management" account, from which CI assumes each environment's deploy role. */
export const MANAGEMENT_ACCOUNT = '000000000000';

/** Long-term keys: `sandbox` (management) and `sandbox-<env>` (one per environment account). */
export const STATIC_KEYS: Readonly<Record<string, Identity>> = Object.fromEntries([
  [
    'sandbox',
    {
      accessKeyId: 'sandbox',
      account: MANAGEMENT_ACCOUNT,
      arn: `arn:aws:iam::${MANAGEMENT_ACCOUNT}:user/sandbox-admin`,
      userId: 'AIDASANDBOXADMIN0000',
    },
  ],
  ...Object.values(ENVIRONMENTS).map((e) => [
    `sandbox-${e.name}`,
    {
      accessKeyId: `sandbox-${e.name}`,
      account: e.account,
      arn: `arn:aws:iam::${e.account}:user/sandbox-${e.name}`,
      userId: `AIDASANDBOX${e.name.toUpperCase()}`.padEnd(20, '0'),
    },
  ]),
]);

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly identity: Identity;
}

const token = (bytes: number) => randomBytes(bytes).toString('base64url');
const KEY_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const keyId = (prefix: string) =>
  prefix + Array.from(randomBytes(16), (b) => KEY_ALPHABET[b % 32]).join('');

export class CredentialRegistry {
  private readonly issued = new Map<string, Identity>();

  constructor(private readonly path?: string) {
    if (!path) return;
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as Identity[];
      const now = Date.now();
      for (const identity of saved) {
        if ((identity.expiresAt ?? Number.POSITIVE_INFINITY) > now) {
          this.issued.set(identity.accessKeyId, identity);
        }
      }
    } catch {
      // No file yet (first start) or unreadable: start with static keys only.
    }
  }

  /** The identity behind an access key, or undefined when unknown or expired. */
  resolve(accessKeyId: string): Identity | undefined {
    const known = STATIC_KEYS[accessKeyId] ?? this.issued.get(accessKeyId);
    if (!known) return undefined;
    if (known.expiresAt !== undefined && known.expiresAt <= Date.now()) {
      this.issued.delete(accessKeyId);
      return undefined;
    }
    return known;
  }

  /** Issues temporary credentials for an assumed role (AssumeRole, Lambda execution roles). */
  issueForRole(roleArn: string, sessionName: string, durationSeconds = 3600): IssuedCredentials {
    const match = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(roleArn);
    if (!match) throw new Error(`not a role ARN: ${roleArn}`);
    const [, account, roleName] = match as unknown as [string, string, string];
    const expiration = new Date(Date.now() + durationSeconds * 1000);
    const accessKeyId = keyId('ASIA');
    const roleId = `AROA${account.slice(-8)}${roleName.length.toString().padStart(4, '0')}`;
    const identity: Identity = {
      accessKeyId,
      account,
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`,
      userId: `${roleId}:${sessionName}`,
      roleArn,
      expiresAt: expiration.getTime(),
    };
    this.issued.set(accessKeyId, identity);
    this.save();
    return {
      accessKeyId,
      secretAccessKey: token(30),
      sessionToken: token(96),
      expiration,
      identity,
    };
  }

  private save(): void {
    if (!this.path) return;
    writeFileSync(this.path, JSON.stringify([...this.issued.values()]));
  }
}
