import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import type { Environment } from '../infra/environments.js';
import {
  GUARDIAN,
  guardianEnvironment,
  guardianNames,
  guardianRolePolicy,
  isGuarded,
} from '../infra/guardian.js';
import { LAMBDA_TRUST } from '../infra/iam-policies.js';
import { buildGuardianPackage } from '../scripts/build-guardian.js';
import type { ClientConfig, Step, Tally } from './provision-dns-backup.js';

/**
 * terraform/modules/guardian in the sandbox: the canary guardian of a guarded environment
 * (PROD), in its primary region — its role (the spec's least-privilege policy, enforced by
 * the sandbox's IAM), the function (guardian/, bundled now when it does not exist yet; a
 * `promote sandbox reset` picks up changed guardian code) and the EventBridge schedule that
 * invokes it, which the sandbox's scheduler runs (sandbox/schedule/).
 */
export const provisionGuardian = async (
  env: Environment,
  config: ClientConfig,
  step: Step,
  tally: Tally,
): Promise<void> => {
  if (!isGuarded(env.name)) return;
  const names = guardianNames(env);
  const roleArn = `arn:aws:iam::${env.account}:role/${names.roleName}`;
  const functionArn = `arn:aws:lambda:${config.region}:${env.account}:function:${names.functionName}`;
  const ruleArn = `arn:aws:events:${config.region}:${env.account}:rule/${names.ruleName}`;

  const iam = new IAMClient({ ...config, region: 'us-east-1' });
  await step(`role ${names.roleName}`, () =>
    iam.send(
      new CreateRoleCommand({ RoleName: names.roleName, AssumeRolePolicyDocument: LAMBDA_TRUST }),
    ),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: names.roleName,
      PolicyName: 'promote-guardian',
      PolicyDocument: JSON.stringify(guardianRolePolicy(env, config.region)),
    }),
  );

  const lambda = new LambdaClient(config);
  const exists = await lambda
    .send(new GetFunctionCommand({ FunctionName: names.functionName }))
    .then(
      () => true,
      () => false,
    );
  if (exists) tally.existing.push(`function ${names.functionName}`);
  else {
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: names.functionName,
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: roleArn,
        Code: { ZipFile: (await buildGuardianPackage()).data },
        Timeout: GUARDIAN.timeoutSeconds,
        MemorySize: GUARDIAN.memoryMb,
        Description: 'canary guardian: restores the stable version when a canary is left alone',
        Environment: { Variables: guardianEnvironment(env) },
      }),
    );
    tally.created.push(`function ${names.functionName}`);
  }
  await step(`permission ${names.ruleName} → ${names.functionName}`, () =>
    lambda.send(
      new AddPermissionCommand({
        FunctionName: names.functionName,
        StatementId: 'schedule',
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        SourceArn: ruleArn,
      }),
    ),
  );

  const events = new EventBridgeClient(config);
  await events.send(
    new PutRuleCommand({
      Name: names.ruleName,
      ScheduleExpression: GUARDIAN.schedule,
      State: 'ENABLED',
      Description: `invokes ${names.functionName} (canary guardian)`,
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: names.ruleName,
      Targets: [{ Id: 'guardian', Arn: functionArn }],
    }),
  );
  tally.created.push(`schedule ${names.ruleName} (${GUARDIAN.schedule})`);
};
