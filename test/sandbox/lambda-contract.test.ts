import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  paginateListVersionsByFunction,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS } from '../../infra/environments.js';
import { type Sandbox, startSandbox } from '../../sandbox/sandbox.js';
import { AWS_CLI } from '../support/sandbox-clients.js';
import { makeZip } from './lambda-harness.js';

/**
 * The sandbox's Lambda control plane refuses what AWS refuses — status, error code and
 * message as AWS recorded them (test/fixtures/aws/lambda/, see its README) — through the
 * real aws CLI v2 and SDK v3 against one sandbox: alias routing validation, deleting a
 * version an alias references, PublishVersion's CodeSha256 guard, RevisionId, updates that
 * are asynchronous (Pending / InProgress, 409 while they run) and list paging.
 */

const sit = ENVIRONMENTS.sit;
/** Long enough for an aws CLI process (≈1 s to start) to land inside an update. */
const UPDATE_MS = 2_500;

interface Recorded {
  readonly operation: string;
  readonly source: string;
  readonly status: number;
  readonly recorded: {
    readonly Error: { readonly Code: string; readonly Message: string };
    readonly Type?: string;
    readonly message?: string;
    readonly Message?: string;
  };
}
const fixtureDir = join(import.meta.dirname, '../fixtures/aws/lambda');
const RECORDED = JSON.parse(
  readFileSync(join(fixtureDir, 'control-plane-errors.json'), 'utf8'),
) as Record<string, Recorded>;
const LIFECYCLE = JSON.parse(
  readFileSync(join(fixtureDir, 'function-lifecycle.json'), 'utf8'),
) as Record<string, { fields: Record<string, string | null> }>;

/** What one refusal looked like to a client. */
interface Refusal {
  readonly status: number | undefined;
  readonly code: string;
  readonly message: string;
  /** The SDK's `Type` field (modelled errors), when the body had one. */
  readonly type?: string;
}

describe('Lambda control plane refuses what AWS refuses (aws CLI v2 + SDK v3)', () => {
  let home: string;
  let sandbox: Sandbox;
  let lambda: LambdaClient;
  let cliConfig: string;
  /** The CLI with its client-side parameter validation off, as AWS's answers were recorded. */
  let cliUnvalidated: string;
  const fn = `contract-${randomBytes(3).toString('hex')}`;
  let sha = '';
  const previousUpdateMs = process.env.SANDBOX_LAMBDA_UPDATE_MS;

  /** The recorded message with the recording's placeholders replaced by this run's values. */
  const expected = (key: string, vars: Record<string, string> = {}) => {
    const entry = RECORDED[key];
    if (!entry) throw new Error(`no fixture ${key}`);
    let message = entry.recorded.Error.Message;
    const replacements: Record<string, string> = {
      '<partition>': 'aws',
      '<region>': sit.region,
      '111111111111': sit.account,
      '<function-name:1>': fn,
      '<code-sha256:1>': sha,
      ...vars,
    };
    for (const [from, to] of Object.entries(replacements)) message = message.split(from).join(to);
    return {
      status: entry.status,
      code: entry.recorded.Error.Code,
      message,
      type: entry.recorded.Type,
    };
  };

  const sdkRefusal = async (call: Promise<unknown>): Promise<Refusal> => {
    const error = await call.then(
      () => {
        throw new Error('the call succeeded; AWS refuses it');
      },
      (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number }; Type?: string },
    );
    return {
      status: error.$metadata?.httpStatusCode,
      code: error.name,
      message: error.message,
      ...(error.Type ? { type: error.Type } : {}),
    };
  };

  const aws = async (args: string[], configFile = cliConfig) => {
    const result = await execa(
      AWS_CLI,
      ['--endpoint-url', sandbox.endpoint, '--output', 'json', ...args],
      {
        env: {
          AWS_ACCESS_KEY_ID: 'sandbox-sit',
          AWS_SECRET_ACCESS_KEY: 'sandbox',
          AWS_REGION: sit.region,
          AWS_DEFAULT_REGION: sit.region,
          AWS_PAGER: '',
          AWS_MAX_ATTEMPTS: '1',
          AWS_CONFIG_FILE: configFile,
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        },
        reject: false,
      },
    );
    return {
      exitCode: result.exitCode,
      stderr: result.stderr,
      json: result.exitCode === 0 && result.stdout ? JSON.parse(result.stdout) : undefined,
    };
  };

  /** An aws CLI call that must fail: the HTTP status (from --debug), code and message. */
  const cliRefusal = async (args: string[], configFile = cliConfig): Promise<Refusal> => {
    const result = await aws(['--debug', ...args], configFile);
    expect(result.exitCode, result.stderr.slice(-500)).not.toBe(0);
    const status = [...result.stderr.matchAll(/HTTP\/1\.1" (\d{3})/g)].at(-1)?.[1];
    // The CLI's own last line: "An error occurred (Code) when calling the Op operation
    // (reached max retries: 0): message".
    const last = [
      ...result.stderr.matchAll(
        /^An error occurred \((\w+)\) when calling the \w+ operation(?: \([^)]*\))?: (.*)$/gm,
      ),
    ].at(-1);
    return {
      status: status ? Number(status) : undefined,
      code: last?.[1] ?? '',
      message: (last?.[2] ?? '').trim(),
    };
  };

  /** Both clients' refusals match the recorded AWS answer. */
  const expectRecorded = (refusal: Refusal, want: ReturnType<typeof expected>, sdk: boolean) => {
    expect({ status: refusal.status, code: refusal.code, message: refusal.message }).toEqual({
      status: want.status,
      code: want.code,
      message: want.message,
    });
    if (sdk) expect(refusal.type).toBe(want.type);
  };

  const update = async (description: string) => {
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: fn, Description: description }),
    );
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: fn });
  };

  beforeAll(async () => {
    process.env.SANDBOX_LAMBDA_UPDATE_MS = String(UPDATE_MS);
    home = await mkdtemp(join(tmpdir(), 'lambda-contract-'));
    cliConfig = join(home, 'aws-config');
    await writeFile(cliConfig, '[default]\n');
    cliUnvalidated = join(home, 'aws-config-unvalidated');
    await writeFile(cliUnvalidated, '[default]\nparameter_validation = false\n');
    sandbox = await startSandbox({ home, port: 0, envs: ['sit'], tickMs: 1_000 });
    lambda = new LambdaClient({
      endpoint: sandbox.endpoint,
      region: sit.region,
      credentials: { accessKeyId: 'sandbox-sit', secretAccessKey: 'sandbox' },
      maxAttempts: 1,
    });
    // Versions 1, 2, 3; alias live → 1 with 10% on 2; alias stable → 3.
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: fn,
        Runtime: 'nodejs20.x',
        Role: sit.executionRole,
        Handler: 'index.handler',
        Code: {
          ZipFile: await makeZip({ 'index.mjs': 'export const handler = async () => 1;' }),
        },
      }),
    );
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: fn });
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await update('two');
    await lambda.send(new PublishVersionCommand({ FunctionName: fn }));
    await update('three');
    sha = (await lambda.send(new PublishVersionCommand({ FunctionName: fn }))).CodeSha256 ?? '';
    await lambda.send(
      new CreateAliasCommand({
        FunctionName: fn,
        Name: 'live',
        FunctionVersion: '1',
        RoutingConfig: { AdditionalVersionWeights: { '2': 0.1 } },
      }),
    );
    await lambda.send(
      new CreateAliasCommand({ FunctionName: fn, Name: 'stable', FunctionVersion: '3' }),
    );
  });

  afterAll(async () => {
    lambda?.destroy();
    await sandbox?.stop();
    if (home) await rm(home, { recursive: true, force: true });
    if (previousUpdateMs === undefined) delete process.env.SANDBOX_LAMBDA_UPDATE_MS;
    else process.env.SANDBOX_LAMBDA_UPDATE_MS = previousUpdateMs;
  });

  describe('alias RoutingConfig (CreateAlias and UpdateAlias)', () => {
    /** fixture, FunctionVersion, weights (as JSON), placeholders */
    const cases: Array<[string, string, Record<string, number>]> = [
      ['alias-routing-weight-on-latest', '1', { $LATEST: 0.5 }],
      ['alias-latest-with-weights', '$LATEST', { '1': 0.5 }],
      ['alias-routing-weight-on-own-version', '1', { '1': 0.5 }],
      ['alias-routing-weight-above-one', '1', { '2': 2 }],
      ['alias-routing-weight-below-zero', '1', { '2': -1 }],
      ['alias-routing-too-many', '1', { '1': 0.8, '2': 0.2 }],
      ['alias-routing-weight-on-missing-version', '1', { '10': 0.5 }],
      ['alias-target-version-missing', '10', { '2': 0.5 }],
    ];

    it.each(cases)('%s: SDK v3 CreateAlias and UpdateAlias', async (key, version, weights) => {
      // Act
      const created = await sdkRefusal(
        lambda.send(
          new CreateAliasCommand({
            FunctionName: fn,
            Name: 'custom',
            FunctionVersion: version,
            RoutingConfig: { AdditionalVersionWeights: weights },
          }),
        ),
      );
      const updated = await sdkRefusal(
        lambda.send(
          new UpdateAliasCommand({
            FunctionName: fn,
            Name: 'live',
            FunctionVersion: version,
            RoutingConfig: { AdditionalVersionWeights: weights },
          }),
        ),
      );

      // Assess
      expectRecorded(created, expected(key), true);
      expectRecorded(updated, expected(key), true);
      const live = await lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'live' }));
      expect(live.FunctionVersion).toBe('1');
      expect(live.RoutingConfig?.AdditionalVersionWeights).toEqual({ '2': 0.1 });
      await expect(
        lambda.send(new GetAliasCommand({ FunctionName: fn, Name: 'custom' })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });

    it.each(cases)('%s: aws lambda create-alias / update-alias', async (key, version, weights) => {
      // Act
      const routing = JSON.stringify({ AdditionalVersionWeights: weights });
      const common = ['--function-name', fn, '--function-version', version];
      // The recordings were made with client-side validation off (botocore's
      // parameter_validation=False), which would otherwise stop a negative weight locally.
      const created = await cliRefusal(
        ['lambda', 'create-alias', ...common, '--name', 'custom', '--routing-config', routing],
        cliUnvalidated,
      );
      const updated = await cliRefusal(
        ['lambda', 'update-alias', ...common, '--name', 'live', '--routing-config', routing],
        cliUnvalidated,
      );

      // Assess
      expectRecorded(created, expected(key), false);
      expectRecorded(updated, expected(key), false);
    });

    it('aws CLI with its default validation stops a negative weight before sending it', async () => {
      // Act
      const result = await aws([
        'lambda',
        'update-alias',
        '--function-name',
        fn,
        '--name',
        'live',
        '--routing-config',
        '{"AdditionalVersionWeights":{"2":-1}}',
      ]);

      // Assess
      expect(result.exitCode).toBe(252);
      expect(result.stderr).toContain('valid min value: 0');
    });

    it('UpdateAlias of an alias that does not exist: 404 as recorded', async () => {
      // Act
      const sdk = await sdkRefusal(
        lambda.send(
          new UpdateAliasCommand({ FunctionName: fn, Name: 'non-existent', FunctionVersion: '1' }),
        ),
      );
      const cli = await cliRefusal([
        'lambda',
        'update-alias',
        '--function-name',
        fn,
        '--name',
        'non-existent',
        '--function-version',
        '1',
      ]);

      // Assess
      expectRecorded(sdk, expected('alias-update-missing-alias'), true);
      expectRecorded(cli, expected('alias-update-missing-alias'), false);
    });

    it('accepts what AWS accepts: a weight in [0, 1] on another published version', async () => {
      // Act
      const shifted = await lambda.send(
        new UpdateAliasCommand({
          FunctionName: fn,
          Name: 'live',
          FunctionVersion: '1',
          RoutingConfig: { AdditionalVersionWeights: { '3': 1 } },
        }),
      );
      const restored = await aws([
        'lambda',
        'update-alias',
        '--function-name',
        fn,
        '--name',
        'live',
        '--function-version',
        '1',
        '--routing-config',
        'AdditionalVersionWeights={2=0.1}',
      ]);

      // Assess
      expect(shifted.RoutingConfig?.AdditionalVersionWeights).toEqual({ '3': 1 });
      expect(restored.exitCode).toBe(0);
      expect(restored.json.RoutingConfig.AdditionalVersionWeights).toEqual({ '2': 0.1 });
    });
  });

  describe('DeleteFunction with a Qualifier', () => {
    it.each([
      ['1', 'live'],
      ['2', 'live'],
      ['3', 'stable'],
    ])(
      'refuses version %s while alias %s references it (409), through SDK and CLI',
      async (version, alias) => {
        // Act
        const sdk = await sdkRefusal(
          lambda.send(new DeleteFunctionCommand({ FunctionName: fn, Qualifier: version })),
        );
        const cli = await cliRefusal([
          'lambda',
          'delete-function',
          '--function-name',
          fn,
          '--qualifier',
          version,
        ]);

        // Assess
        const want = expected('delete-version-referenced-by-alias', { '[live]': `[${alias}]` });
        expectRecorded(sdk, { ...want, type: 'User' }, true);
        expectRecorded(cli, want, false);
        const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
        expect(versions.Versions?.map((v) => v.Version)).toContain(version);
        const target = await lambda.send(
          new GetFunctionCommand({ FunctionName: fn, Qualifier: alias }),
        );
        expect(target.Configuration?.Version).toBe(alias === 'live' ? '1' : '3');
      },
    );

    it('refuses $LATEST as recorded', async () => {
      // Act
      const sdk = await sdkRefusal(
        lambda.send(new DeleteFunctionCommand({ FunctionName: fn, Qualifier: '$LATEST' })),
      );
      const cli = await cliRefusal([
        'lambda',
        'delete-function',
        '--function-name',
        fn,
        '--qualifier',
        '$LATEST',
      ]);

      // Assess
      expectRecorded(sdk, expected('delete-latest-qualifier'), true);
      expectRecorded(cli, expected('delete-latest-qualifier'), false);
    });
  });

  describe('PublishVersion guards and RevisionId', () => {
    it('refuses a CodeSha256 that is not the current code (400, recorded wording)', async () => {
      // Act
      const sdk = await sdkRefusal(
        lambda.send(
          new PublishVersionCommand({ FunctionName: fn, CodeSha256: 'somenonexistentsha256' }),
        ),
      );
      const cli = await cliRefusal([
        'lambda',
        'publish-version',
        '--function-name',
        fn,
        '--code-sha256',
        'somenonexistentsha256',
      ]);

      // Assess
      expectRecorded(sdk, expected('publish-wrong-code-sha256'), true);
      expectRecorded(cli, expected('publish-wrong-code-sha256'), false);
    });

    it('refuses a stale RevisionId with 412 on UpdateFunctionCode, UpdateFunctionConfiguration, PublishVersion and UpdateAlias', async () => {
      // Prepare
      const stale = '00000000-0000-4000-8000-000000000000';
      const zip = await makeZip({ 'index.mjs': 'export const handler = async () => 1;' });

      // Act
      const sdk = {
        code: await sdkRefusal(
          lambda.send(
            new UpdateFunctionCodeCommand({ FunctionName: fn, ZipFile: zip, RevisionId: stale }),
          ),
        ),
        configuration: await sdkRefusal(
          lambda.send(
            new UpdateFunctionConfigurationCommand({
              FunctionName: fn,
              Description: 'never',
              RevisionId: stale,
            }),
          ),
        ),
        publish: await sdkRefusal(
          lambda.send(new PublishVersionCommand({ FunctionName: fn, RevisionId: stale })),
        ),
        alias: await sdkRefusal(
          lambda.send(
            new UpdateAliasCommand({
              FunctionName: fn,
              Name: 'stable',
              Description: 'never',
              RevisionId: stale,
            }),
          ),
        ),
      };
      const zipPath = join(home, 'code.zip');
      await writeFile(zipPath, zip);
      const base = ['--function-name', fn, '--revision-id', stale];
      const cli = {
        code: await cliRefusal([
          'lambda',
          'update-function-code',
          ...base,
          '--zip-file',
          `fileb://${zipPath}`,
        ]),
        configuration: await cliRefusal([
          'lambda',
          'update-function-configuration',
          ...base,
          '--description',
          'never',
        ]),
        publish: await cliRefusal(['lambda', 'publish-version', ...base]),
        alias: await cliRefusal([
          'lambda',
          'update-alias',
          ...base,
          '--name',
          'stable',
          '--description',
          'never',
        ]),
      };

      // Assess
      for (const [clientName, answers] of Object.entries({ sdk, cli })) {
        const isSdk = clientName === 'sdk';
        expectRecorded(answers.code, expected('update-code-stale-revision'), isSdk);
        expectRecorded(
          answers.configuration,
          expected('update-configuration-stale-revision'),
          isSdk,
        );
        expectRecorded(answers.publish, expected('publish-stale-revision'), isSdk);
        expectRecorded(answers.alias, expected('update-alias-stale-revision'), isSdk);
      }
      const config = await lambda.send(new GetFunctionCommand({ FunctionName: fn }));
      expect(config.Configuration?.Description).toBe('three');
    });

    it('gives functions, versions and aliases a RevisionId that changes with every change and is accepted while current', async () => {
      // Prepare
      const before = await lambda.send(new GetFunctionCommand({ FunctionName: fn }));
      const aliasBefore = await lambda.send(
        new GetAliasCommand({ FunctionName: fn, Name: 'stable' }),
      );
      const version = await lambda.send(
        new GetFunctionCommand({ FunctionName: fn, Qualifier: '3' }),
      );

      // Act
      const updated = await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: fn,
          Description: 'three',
          RevisionId: before.Configuration?.RevisionId,
        }),
      );
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: fn });
      const settled = await lambda.send(new GetFunctionCommand({ FunctionName: fn }));
      const aliasAfter = await lambda.send(
        new UpdateAliasCommand({
          FunctionName: fn,
          Name: 'stable',
          Description: 'described',
          RevisionId: aliasBefore.RevisionId,
        }),
      );
      const versionAgain = await lambda.send(
        new GetFunctionCommand({ FunctionName: fn, Qualifier: '3' }),
      );

      // Assess
      const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      const revisions = [
        before.Configuration?.RevisionId,
        updated.RevisionId,
        settled.Configuration?.RevisionId,
      ];
      for (const revision of [...revisions, aliasBefore.RevisionId, aliasAfter.RevisionId]) {
        expect(revision).toMatch(uuid);
      }
      expect(new Set(revisions).size).toBe(3);
      expect(aliasAfter.RevisionId).not.toBe(aliasBefore.RevisionId);
      expect(version.Configuration?.RevisionId).toMatch(uuid);
      expect(versionAgain.Configuration?.RevisionId).toBe(version.Configuration?.RevisionId);
    });
  });

  describe('asynchronous updates', () => {
    it('CreateFunction answers Pending, then the function becomes Active (as recorded)', async () => {
      // Prepare
      const name = `${fn}-new`;

      // Act
      const created = await lambda.send(
        new CreateFunctionCommand({
          FunctionName: name,
          Runtime: 'nodejs20.x',
          Role: sit.executionRole,
          Handler: 'index.handler',
          Code: {
            ZipFile: await makeZip({ 'index.mjs': 'export const handler = async () => 2;' }),
          },
        }),
      );
      const during = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: name });
      const after = await lambda.send(new GetFunctionCommand({ FunctionName: name }));

      // Assess
      const fields = (c: object | undefined) =>
        Object.fromEntries(
          Object.keys(LIFECYCLE['create-function']?.fields ?? {})
            .filter((k) => k !== 'RevisionId')
            .map((k) => [k, (c as Record<string, unknown> | undefined)?.[k] ?? null]),
        );
      const recorded = (key: string) => {
        const { RevisionId: _r, ...rest } = LIFECYCLE[key]?.fields ?? {};
        return rest;
      };
      expect(fields(created)).toEqual(recorded('create-function'));
      expect(fields(during.Configuration)).toEqual(recorded('create-function'));
      expect(fields(after.Configuration)).toEqual(recorded('after-create'));
      expect(after.Configuration?.RevisionId).not.toBe(created.RevisionId);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    });

    it('an update reads InProgress (State Active) and refuses a second update or a publish with 409 until it is Successful', async () => {
      // Act
      const started = await lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: fn, Description: 'async' }),
      );
      const during = await lambda.send(new GetFunctionCommand({ FunctionName: fn }));
      const sdk = {
        configuration: await sdkRefusal(
          lambda.send(
            new UpdateFunctionConfigurationCommand({ FunctionName: fn, Description: 'again' }),
          ),
        ),
        code: await sdkRefusal(
          lambda.send(
            new UpdateFunctionCodeCommand({
              FunctionName: fn,
              ZipFile: await makeZip({ 'index.mjs': 'export const handler = async () => 3;' }),
            }),
          ),
        ),
        publish: await sdkRefusal(lambda.send(new PublishVersionCommand({ FunctionName: fn }))),
      };
      const cliPublish = await cliRefusal(['lambda', 'publish-version', '--function-name', fn]);
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: fn });
      const after = await lambda.send(new GetFunctionCommand({ FunctionName: fn }));
      const cliStarted = await aws([
        'lambda',
        'update-function-configuration',
        '--function-name',
        fn,
        '--description',
        'three',
      ]);
      const cliSecond = await cliRefusal([
        'lambda',
        'update-function-configuration',
        '--function-name',
        fn,
        '--description',
        'again',
      ]);
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: fn });

      // Assess
      const state = (c: object | undefined) =>
        Object.fromEntries(
          ['State', 'LastUpdateStatus', 'LastUpdateStatusReason', 'LastUpdateStatusReasonCode'].map(
            (k) => [k, (c as Record<string, unknown> | undefined)?.[k] ?? null],
          ),
        );
      const recorded = (key: string) => state(LIFECYCLE[key]?.fields);
      expect(state(started)).toEqual(recorded('update-function-configuration'));
      expect(state(during.Configuration)).toEqual(recorded('update-function-configuration'));
      expect(state(after.Configuration)).toEqual(recorded('after-update'));
      expect(after.Configuration?.Description).toBe('async');
      expectRecorded(sdk.configuration, expected('update-configuration-during-update'), true);
      expectRecorded(sdk.code, expected('update-code-during-update'), true);
      expectRecorded(sdk.publish, { ...expected('publish-during-update'), type: 'User' }, true);
      expectRecorded(cliPublish, expected('publish-during-update'), false);
      expect(cliStarted.exitCode).toBe(0);
      expect(cliStarted.json.LastUpdateStatus).toBe('InProgress');
      expectRecorded(cliSecond, expected('update-configuration-during-update'), false);
    });
  });

  describe('list paging', () => {
    it('ListVersionsByFunction honours MaxItems and Marker (NextMarker while more follow)', async () => {
      // Act
      const first = await lambda.send(
        new ListVersionsByFunctionCommand({ FunctionName: fn, MaxItems: 2 }),
      );
      const second = await lambda.send(
        new ListVersionsByFunctionCommand({
          FunctionName: fn,
          MaxItems: 2,
          Marker: first.NextMarker,
        }),
      );
      const paged: string[] = [];
      for await (const page of paginateListVersionsByFunction(
        { client: lambda, pageSize: 1 },
        { FunctionName: fn },
      )) {
        expect(page.Versions?.length).toBeLessThanOrEqual(1);
        paged.push(...(page.Versions ?? []).map((v) => v.Version ?? ''));
      }
      const cli = await aws([
        'lambda',
        'list-versions-by-function',
        '--function-name',
        fn,
        '--page-size',
        '1',
      ]);
      const cliFirst = await aws([
        'lambda',
        'list-versions-by-function',
        '--function-name',
        fn,
        '--max-items',
        '3',
      ]);

      // Assess
      expect(first.Versions?.map((v) => v.Version)).toEqual(['$LATEST', '1']);
      expect(first.NextMarker).toBeTruthy();
      expect(second.Versions?.map((v) => v.Version)).toEqual(['2', '3']);
      expect(second.NextMarker).toBeUndefined();
      expect(paged).toEqual(['$LATEST', '1', '2', '3']);
      expect(cli.json.Versions.map((v: { Version: string }) => v.Version)).toEqual(paged);
      expect(cliFirst.json.Versions).toHaveLength(3);
      expect(cliFirst.json.NextToken).toBeTruthy();
    });

    it('ListAliases honours MaxItems and Marker, and FunctionVersion', async () => {
      // Act
      const first = await lambda.send(new ListAliasesCommand({ FunctionName: fn, MaxItems: 1 }));
      const second = await lambda.send(
        new ListAliasesCommand({ FunctionName: fn, MaxItems: 1, Marker: first.NextMarker }),
      );
      const onThree = await lambda.send(
        new ListAliasesCommand({ FunctionName: fn, FunctionVersion: '3' }),
      );
      const cli = await aws(['lambda', 'list-aliases', '--function-name', fn, '--page-size', '1']);

      // Assess
      expect(first.Aliases?.map((a) => a.Name)).toEqual(['live']);
      expect(first.NextMarker).toBeTruthy();
      expect(second.Aliases?.map((a) => a.Name)).toEqual(['stable']);
      expect(second.NextMarker).toBeUndefined();
      expect(onThree.Aliases?.map((a) => a.Name)).toEqual(['stable']);
      expect(cli.json.Aliases.map((a: { Name: string }) => a.Name)).toEqual(['live', 'stable']);
    });
  });
});
