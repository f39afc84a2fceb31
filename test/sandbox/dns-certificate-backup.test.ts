import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACMClient,
  DescribeCertificateCommand,
  ListCertificatesCommand,
} from '@aws-sdk/client-acm';
import {
  BackupClient,
  DeleteBackupPlanCommand,
  GetBackupPlanCommand,
  GetBackupSelectionCommand,
  ListBackupPlansCommand,
  ListBackupSelectionsCommand,
} from '@aws-sdk/client-backup';
import {
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { SignatureV4 } from '@smithy/signature-v4';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS, type Environment } from '../../infra/environments.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { AWS_CLI } from '../support/sandbox-clients.js';

/**
 * What the plan's checklist probes read beyond the function, as the sandbox provisions it
 * in each environment's own account: the Route53 zone with the API's record, the ACM
 * certificate (ISSUED), and AWS Backup's vault, hourly plan and selection of the order
 * tables, the selections being the sandbox's own emulation (moto has none), kept across a
 * restart. Through the real SDK v3 clients, the aws CLI and raw signed HTTP.
 */

const sit = ENVIRONMENTS.sit;
const prod = ENVIRONMENTS.prod;

const keyOf = (env: Environment) => `sandbox-${env.name}`;
const config = (endpoint: string, key: string, region: string) => ({
  endpoint,
  region,
  credentials: { accessKeyId: key, secretAccessKey: 'sandbox' },
  maxAttempts: 1,
});
const tableArn = (env: Environment, table: string) =>
  `arn:aws:dynamodb:${env.region}:${env.account}:table/${table}`;

/** SHA-256 for SignatureV4, from node:crypto (the Checksum interface it expects). */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret
      ? createHmac('sha256', Buffer.from(secret as ArrayBuffer))
      : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {}
}

describe('sandbox: hosted zone, certificate and AWS Backup per environment account', () => {
  let home: string;
  let sandbox: Sandbox;

  const start = () => startSandbox({ home, port: 0, envs: ['sit', 'prod'], tickMs: 1_000 });
  const route53 = (key: string) => new Route53Client(config(sandbox.endpoint, key, 'us-east-1'));
  const acm = (env: Environment) => new ACMClient(config(sandbox.endpoint, keyOf(env), env.region));
  const backup = (env: Environment, key = keyOf(env)) =>
    new BackupClient(config(sandbox.endpoint, key, env.region));

  /** The account's public `kimmyai.io.` zone, or undefined. */
  const zoneIn = async (key: string) => {
    const out = await route53(key).send(
      new ListHostedZonesByNameCommand({ DNSName: 'kimmyai.io' }),
    );
    return (out.HostedZones ?? []).find((z) => z.Name === 'kimmyai.io.' && !z.Config?.PrivateZone);
  };

  const planIdOf = async (env: Environment) => {
    const plans = await backup(env).send(new ListBackupPlansCommand({}));
    return (plans.BackupPlansList ?? []).find((p) => p.BackupPlanName === env.backupPlan)
      ?.BackupPlanId;
  };

  const aws = async (args: string[], env: Environment = sit) => {
    const result = await execa(AWS_CLI, ['--endpoint-url', sandbox.endpoint, ...args], {
      env: {
        AWS_ACCESS_KEY_ID: keyOf(env),
        AWS_SECRET_ACCESS_KEY: 'sandbox',
        AWS_DEFAULT_REGION: env.region,
        AWS_REGION: env.region,
        AWS_PAGER: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      reject: false,
    });
    return {
      exitCode: result.exitCode,
      stderr: result.stderr,
      json: result.stdout ? JSON.parse(result.stdout) : undefined,
    };
  };

  /** A request signed for AWS Backup as `sandbox-sit`, sent with fetch: the raw answer. */
  const signedBackupCall = async (method: string, path: string, body?: unknown) => {
    const url = new URL(path, sandbox.endpoint);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const signer = new SignatureV4({
      service: 'backup',
      region: sit.region,
      credentials: { accessKeyId: keyOf(sit), secretAccessKey: 'sandbox' },
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: {
        host: url.host,
        ...(payload ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload ? { body: payload } : {}),
    });
    const response = await fetch(url, {
      method,
      headers: signed.headers,
      ...(payload ? { body: payload } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      errorType: response.headers.get('x-amzn-errortype'),
      json: text ? (JSON.parse(text) as Record<string, any>) : undefined,
    };
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'sandbox-dns-backup-'));
    sandbox = await start();
  });

  afterAll(async () => {
    await sandbox?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it.each([sit, prod])(
    'gives $name its own public zone with an A/ALIAS record for $apiDomain',
    async (env) => {
      // Act
      const zone = await zoneIn(keyOf(env));
      const sets = await route53(keyOf(env)).send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zone?.Id?.replace('/hostedzone/', ''),
          StartRecordName: env.apiDomain,
        }),
      );

      // Assert
      expect(zone?.Config?.PrivateZone).toBe(false);
      const records = (sets.ResourceRecordSets ?? []).filter((r) => r.Name === `${env.apiDomain}.`);
      expect(records.map((r) => r.Type)).toContain('A');
      for (const record of records.filter((r) => r.Type === 'A')) {
        expect(record.AliasTarget?.DNSName).toMatch(
          /\.execute-api\.[a-z0-9-]+\.amazonaws\.com\.?$/,
        );
      }
      if (env.failoverRegion) {
        // PROD: terraform's failover pair, the primary in af-south-1.
        expect(records.map((r) => [r.SetIdentifier, r.Failover]).sort()).toEqual([
          ['primary', 'PRIMARY'],
          ['secondary', 'SECONDARY'],
        ]);
      }
    },
  );

  it('keeps the accounts apart: each sees only its own zone', async () => {
    // Act
    const [sitZone, prodZone, devZone, managementZone] = await Promise.all([
      zoneIn(keyOf(sit)),
      zoneIn(keyOf(prod)),
      zoneIn('sandbox-dev'), // DEV is not provisioned in this sandbox
      zoneIn('sandbox'),
    ]);
    const prodPlansSeenBySit = await backup(prod, keyOf(sit)).send(new ListBackupPlansCommand({}));

    // Assert
    expect(sitZone?.Id).toBeDefined();
    expect(prodZone?.Id).toBeDefined();
    expect(sitZone?.Id).not.toBe(prodZone?.Id);
    expect(devZone).toBeUndefined();
    expect(managementZone).toBeUndefined();
    expect(prodPlansSeenBySit.BackupPlansList ?? []).toEqual([]);
  });

  it.each([sit, prod])(
    'issues the $apiDomain certificate in $region, DNS-validated in the zone',
    async (env) => {
      // Act
      const list = await acm(env).send(new ListCertificatesCommand({}));
      const summary = (list.CertificateSummaryList ?? []).filter(
        (c) => c.DomainName === env.apiDomain,
      );
      const { Certificate: cert } = await acm(env).send(
        new DescribeCertificateCommand({ CertificateArn: summary[0]?.CertificateArn }),
      );
      const zone = await zoneIn(keyOf(env));
      const sets = await route53(keyOf(env)).send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zone?.Id?.replace('/hostedzone/', '') }),
      );

      // Assert
      expect(summary).toHaveLength(1);
      expect(cert?.CertificateArn).toMatch(
        new RegExp(`^arn:aws:acm:${env.region}:${env.account}:`),
      );
      expect(cert?.Status).toBe('ISSUED');
      const validation = cert?.DomainValidationOptions?.[0]?.ResourceRecord;
      expect(validation?.Type).toBe('CNAME');
      expect(
        (sets.ResourceRecordSets ?? []).some(
          (r) => r.Name === validation?.Name && r.ResourceRecords?.[0]?.Value === validation?.Value,
        ),
      ).toBe(true);
    },
  );

  it.each([sit, prod])(
    'backs up $name hourly into its vault, selecting both order tables',
    async (env) => {
      // Act
      const planId = await planIdOf(env);
      const plan = await backup(env).send(new GetBackupPlanCommand({ BackupPlanId: planId }));
      const selections = await backup(env).send(
        new ListBackupSelectionsCommand({ BackupPlanId: planId }),
      );
      const chosen = (selections.BackupSelectionsList ?? []).find(
        (s) => s.SelectionName === env.backupSelection,
      );
      const selection = await backup(env).send(
        new GetBackupSelectionCommand({ BackupPlanId: planId, SelectionId: chosen?.SelectionId }),
      );

      // Assert
      expect(
        plan.BackupPlan?.Rules?.map((r) => [
          r.RuleName,
          r.ScheduleExpression,
          r.TargetBackupVaultName,
        ]),
      ).toEqual([['hourly', 'cron(0 * * * ? *)', env.backupVault]]);
      expect(chosen).toMatchObject({
        BackupPlanId: planId,
        IamRoleArn: `arn:aws:iam::${env.account}:role/${env.tableName}-backup`,
      });
      expect(chosen?.CreationDate).toBeInstanceOf(Date);
      expect(selection.BackupPlanId).toBe(planId);
      expect(selection.BackupSelection?.Resources).toEqual([
        tableArn(env, env.tableName),
        tableArn(env, env.idempotencyTableName),
      ]);
    },
  );

  it('answers the aws CLI: list-backup-selections shows the orders table selection', async () => {
    // Prepare
    const planId = await planIdOf(sit);

    // Act
    const listed = await aws([
      'backup',
      'list-backup-selections',
      '--backup-plan-id',
      String(planId),
    ]);
    const got = await aws([
      'backup',
      'get-backup-selection',
      '--backup-plan-id',
      String(planId),
      '--selection-id',
      listed.json?.BackupSelectionsList?.[0]?.SelectionId,
    ]);

    // Assert
    expect(listed.exitCode, listed.stderr).toBe(0);
    expect(listed.json.BackupSelectionsList).toHaveLength(1);
    expect(listed.json.BackupSelectionsList[0].SelectionName).toBe(sit.backupSelection);
    expect(got.exitCode, got.stderr).toBe(0);
    expect(got.json.BackupSelection.Resources).toContain(tableArn(sit, sit.tableName));
  });

  it('answers 404 ResourceNotFoundException for the selections of an unknown plan', async () => {
    // Act
    const sdk = await backup(sit)
      .send(new ListBackupSelectionsCommand({ BackupPlanId: 'no-such-plan' }))
      .catch((error: Error & { $metadata?: { httpStatusCode?: number } }) => error);
    const raw = await signedBackupCall('GET', '/backup/plans/no-such-plan/selections/');
    const cli = await aws(['backup', 'list-backup-selections', '--backup-plan-id', 'no-such-plan']);

    // Assert
    expect((sdk as Error).name).toBe('ResourceNotFoundException');
    expect((sdk as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(
      404,
    );
    expect(raw.status).toBe(404);
    expect(raw.errorType).toBe('ResourceNotFoundException');
    expect(raw.json).toMatchObject({
      __type: 'ResourceNotFoundException',
      Message: expect.any(String),
    });
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stderr).toMatch(/ResourceNotFoundException/);
  });

  it('creates, reads and deletes a selection as the REST API does, refusing bad input with 400', async () => {
    // Prepare
    const planId = String(await planIdOf(sit));
    const path = `/backup/plans/${planId}/selections/`;
    const role = `arn:aws:iam::${sit.account}:role/${sit.tableName}-backup`;

    // Act
    const noRole = await signedBackupCall('PUT', path, { BackupSelection: { SelectionName: 'x' } });
    const noResources = await signedBackupCall('PUT', path, {
      BackupSelection: { SelectionName: 'x', IamRoleArn: role },
    });
    const created = await signedBackupCall('PUT', path, {
      BackupSelection: {
        SelectionName: 'scratch',
        IamRoleArn: role,
        Resources: ['arn:aws:s3:::b'],
      },
      CreatorRequestId: 'scratch-1',
    });
    const again = await signedBackupCall('PUT', path, {
      BackupSelection: {
        SelectionName: 'scratch',
        IamRoleArn: role,
        Resources: ['arn:aws:s3:::b'],
      },
      CreatorRequestId: 'scratch-1',
    });
    const selectionId = created.json?.SelectionId as string;
    const got = await signedBackupCall('GET', `${path}${selectionId}`);
    const firstPage = await signedBackupCall('GET', `${path}?maxResults=1`);
    const secondPage = await signedBackupCall(
      'GET',
      `${path}?maxResults=1&nextToken=${encodeURIComponent(firstPage.json?.NextToken)}`,
    );
    const planDeletion = await backup(sit)
      .send(new DeleteBackupPlanCommand({ BackupPlanId: planId }))
      .catch((error: Error) => error);
    const deleted = await signedBackupCall('DELETE', `${path}${selectionId}`);
    const gone = await signedBackupCall('GET', `${path}${selectionId}`);
    const remaining = await signedBackupCall('GET', path);

    // Assert
    for (const bad of [noRole, noResources]) {
      expect(bad.status).toBe(400);
      expect(bad.errorType).toBe('InvalidParameterValueException');
      expect(bad.json?.__type).toBe('InvalidParameterValueException');
    }
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ BackupPlanId: planId, CreationDate: expect.any(Number) });
    expect(again.status).toBe(400);
    expect(again.errorType).toBe('AlreadyExistsException');
    expect(got.json).toMatchObject({
      SelectionId: selectionId,
      BackupPlanId: planId,
      CreatorRequestId: 'scratch-1',
      BackupSelection: {
        SelectionName: 'scratch',
        IamRoleArn: role,
        Resources: ['arn:aws:s3:::b'],
      },
    });
    expect(firstPage.json?.BackupSelectionsList).toHaveLength(1);
    expect(firstPage.json?.NextToken).toEqual(expect.any(String));
    expect(secondPage.json?.BackupSelectionsList?.[0]?.SelectionId).toBe(selectionId);
    expect(secondPage.json?.NextToken).toBeUndefined();
    expect((planDeletion as Error).name).toBe('InvalidRequestException');
    expect(deleted.status).toBe(200);
    expect(gone.status).toBe(404);
    expect(remaining.json?.BackupSelectionsList?.map((s: any) => s.SelectionName)).toEqual([
      sit.backupSelection,
    ]);
  });

  it('keeps the selection, zone and certificate across a restart on the same data dir', async () => {
    // Prepare
    const before = await backup(sit).send(
      new ListBackupSelectionsCommand({ BackupPlanId: await planIdOf(sit) }),
    );
    const stored = JSON.parse(readFileSync(sandbox.paths.backupSelections, 'utf8'));

    // Act
    await sandbox.stop();
    sandbox = await start();
    const planId = await planIdOf(sit);
    const after = await backup(sit).send(new ListBackupSelectionsCommand({ BackupPlanId: planId }));
    const selection = await backup(sit).send(
      new GetBackupSelectionCommand({
        BackupPlanId: planId,
        SelectionId: after.BackupSelectionsList?.[0]?.SelectionId,
      }),
    );
    const zone = await zoneIn(keyOf(sit));
    const certs = await acm(sit).send(new ListCertificatesCommand({}));
    const provisioned = sandbox.provisioned.find((p) => p.env === 'sit');

    // Assert
    expect(stored.selections.length).toBeGreaterThanOrEqual(2);
    expect(after.BackupSelectionsList?.map((s) => [s.SelectionId, s.SelectionName])).toEqual(
      before.BackupSelectionsList?.map((s) => [s.SelectionId, s.SelectionName]),
    );
    expect(selection.BackupSelection?.Resources).toContain(tableArn(sit, sit.tableName));
    expect(zone).toBeDefined();
    expect(
      (certs.CertificateSummaryList ?? []).filter((c) => c.DomainName === sit.apiDomain),
    ).toHaveLength(1);
    expect(provisioned?.existing).toEqual(
      expect.arrayContaining([
        'hosted zone kimmyai.io.',
        `certificate ${sit.apiDomain}`,
        `backup plan ${sit.backupPlan}`,
        `backup selection ${sit.backupSelection}`,
      ]),
    );
  });
});
