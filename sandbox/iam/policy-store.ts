import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  type GetRoleCommandOutput,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  type ListAttachedRolePoliciesCommandOutput,
  ListRolePoliciesCommand,
  type ListRolePoliciesCommandOutput,
} from '@aws-sdk/client-iam';
import { motoClient } from '../moto/clients.js';

/**
 * A role as IAM holds it: its trust policy, its identity policies (inline and attached
 * managed ones, the default version of each) and its permissions boundary. Read from moto
 * (which holds IAM for the sandbox) through the IAM API, cached per role, and dropped when
 * the account's IAM changes through the gateway ({@link RolePolicyStore.invalidate}) or after
 * `ttlMs`, whichever comes first (the bound for changes made straight to moto).
 */

export interface NamedPolicy {
  readonly name: string;
  readonly policy: unknown;
}

export interface RoleRecord {
  readonly arn: string;
  readonly account: string;
  readonly name: string;
  /** Undefined when the role does not exist (deleted, or never created). */
  readonly trust?: unknown;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly permissionsBoundary?: NamedPolicy;
}

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/;

/** IAM's API returns policy documents URL-encoded (moto sometimes not). */
export const parsePolicyDocument = (raw: string | undefined): unknown => {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return JSON.parse(decodeURIComponent(raw));
  }
};

export class RolePolicyStore {
  private readonly cache = new Map<string, { at: number; record: Promise<RoleRecord> }>();

  constructor(
    private readonly motoEndpoint: string,
    private readonly ttlMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The role behind an ARN (`arn:aws:iam::<acct>:role[/path]/<name>`). */
  role(roleArn: string): Promise<RoleRecord> {
    const cached = this.cache.get(roleArn);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.record;
    const record = this.read(roleArn);
    this.cache.set(roleArn, { at: this.now(), record });
    // A failed read (moto restarting) is not remembered.
    record.catch(() => this.cache.delete(roleArn));
    return record;
  }

  /** Forgets every role of an account (its IAM changed), or all of them. */
  invalidate(account?: string): void {
    if (account === undefined) {
      this.cache.clear();
      return;
    }
    for (const arn of this.cache.keys()) {
      if (arn.split(':')[4] === account) this.cache.delete(arn);
    }
  }

  private iam(account: string): IAMClient {
    return motoClient(IAMClient, this.motoEndpoint, account, 'us-east-1');
  }

  private async read(roleArn: string): Promise<RoleRecord> {
    const match = ROLE_ARN.exec(roleArn);
    if (!match) throw new Error(`not a role ARN: ${roleArn}`);
    const [, account, name] = match as unknown as [string, string, string];
    const iam = this.iam(account);
    let role: GetRoleCommandOutput;
    try {
      role = await iam.send(new GetRoleCommand({ RoleName: name }));
    } catch (error) {
      if (
        (error as Error).name === 'NoSuchEntity' ||
        (error as Error).name === 'NoSuchEntityException'
      ) {
        return { arn: roleArn, account, name, identityPolicies: [] };
      }
      throw error;
    }
    const inlineNames: string[] = [];
    let marker: string | undefined;
    do {
      const page: ListRolePoliciesCommandOutput = await iam.send(
        new ListRolePoliciesCommand({ RoleName: name, Marker: marker }),
      );
      inlineNames.push(...(page.PolicyNames ?? []));
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const inline = await Promise.all(
      inlineNames.map(async (policyName) => {
        const out = await iam.send(
          new GetRolePolicyCommand({ RoleName: name, PolicyName: policyName }),
        );
        return { name: policyName, policy: parsePolicyDocument(out.PolicyDocument) };
      }),
    );
    const attachedArns: Array<{ name: string; arn: string }> = [];
    marker = undefined;
    do {
      const page: ListAttachedRolePoliciesCommandOutput = await iam.send(
        new ListAttachedRolePoliciesCommand({ RoleName: name, Marker: marker }),
      );
      for (const p of page.AttachedPolicies ?? []) {
        if (p.PolicyArn) attachedArns.push({ name: p.PolicyName ?? p.PolicyArn, arn: p.PolicyArn });
      }
      marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);
    const managed = (arn: string) => async () => {
      const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      const version = await iam.send(
        new GetPolicyVersionCommand({
          PolicyArn: arn,
          VersionId: policy.Policy?.DefaultVersionId ?? 'v1',
        }),
      );
      return parsePolicyDocument(version.PolicyVersion?.Document);
    };
    const attached = await Promise.all(
      attachedArns.map(async (p) => ({ name: p.name, policy: await managed(p.arn)() })),
    );
    const boundaryArn = role.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
    return {
      arn: roleArn,
      account,
      name,
      trust: parsePolicyDocument(role.Role?.AssumeRolePolicyDocument),
      identityPolicies: [...inline, ...attached],
      ...(boundaryArn
        ? { permissionsBoundary: { name: boundaryArn, policy: await managed(boundaryArn)() } }
        : {}),
    };
  }
}
