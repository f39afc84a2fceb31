import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { apiBaseUrlOf, assumedRoleTarget } from '../../cli/aws/target.js';
import { awsTargetOf } from '../../cli/commands/other-env.js';
import { ENVIRONMENTS } from '../../infra/environments.js';

const sit = ENVIRONMENTS.sit;
const sts = mockClient(STSClient);

describe('reading another environment (PROD reads SIT)', () => {
  afterEach(() => sts.reset());

  it.each([
    [
      'an explicit PROMOTE_SIT_PROFILE',
      { PROMOTE_SIT_PROFILE: 'sit-readonly' },
      'profile sit-readonly',
    ],
    [
      'CI credentials (OIDC): the gate reader role',
      { AWS_WEB_IDENTITY_TOKEN_FILE: '/tmp/t' },
      sit.gateReaderRole,
    ],
    [
      'CI credentials (keys): the gate reader role',
      { AWS_ACCESS_KEY_ID: 'AKIA…' },
      sit.gateReaderRole,
    ],
    ["a laptop: the plan's SSO profile", {}, `profile ${sit.profile}`],
  ])('uses %s', (_, processEnv, expected) => {
    // Act
    const target = awsTargetOf(sit, processEnv);

    // Assess
    expect(target.describe).toContain(expected);
    expect(target.clientConfig.region).toBe(sit.region);
  });

  it.each([
    [{}, 'https://api.sit.kimmyai.io'],
    [{ PROMOTE_API_URL_SIT: 'http://127.0.0.1:4568/' }, 'http://127.0.0.1:4568'],
    [{ PROMOTE_API_URL_SIT: '  ' }, 'https://api.sit.kimmyai.io'],
    [{ PROMOTE_API_URL_PROD: 'http://x' }, 'https://api.sit.kimmyai.io'],
  ])('the API of sit with %j is %s', (processEnv, expected) => {
    expect(apiBaseUrlOf(sit, processEnv)).toBe(expected);
  });

  it('assumes the role once and reuses its credentials until they near expiry', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'ASIAREADER',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 15 * 60_000),
      },
    });
    const target = assumedRoleTarget(sit, sit.gateReaderRole);
    const provider = target.clientConfig.credentials as () => Promise<{ accessKeyId: string }>;

    // Act
    const first = await provider();
    const second = await provider();

    // Assess
    expect(first.accessKeyId).toBe('ASIAREADER');
    expect(second).toBe(first);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({
      RoleArn: sit.gateReaderRole,
      DurationSeconds: 900,
    });
  });

  it('fails clearly when STS returns no credentials', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolves({});
    const provider = assumedRoleTarget(sit, sit.gateReaderRole).clientConfig
      .credentials as () => Promise<unknown>;

    // Act
    const error = await provider().catch((e: Error) => e);

    // Assess
    expect((error as Error).message).toContain(sit.gateReaderRole);
  });
});
