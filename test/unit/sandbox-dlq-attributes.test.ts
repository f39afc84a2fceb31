import { describe, expect, it } from 'vitest';
import {
  classifyFailure,
  deadLetterAttributes,
  retryVerdict,
  ruleArnOf,
} from '../../sandbox/events/dlq-attributes.js';

describe("the sandbox's EventBridge dead letters", () => {
  it('names a rule as EventBridge does, with its bus unless it is the default one', () => {
    // Act
    const onDefault = ruleArnOf({
      region: 'eu-west-1',
      account: '1',
      busName: 'default',
      ruleName: 'r',
    });
    const onCustom = ruleArnOf({ region: 'eu-west-1', account: '1', busName: 'b', ruleName: 'r' });

    // Assess
    expect(onDefault).toBe('arn:aws:events:eu-west-1:1:rule/r');
    expect(onCustom).toBe('arn:aws:events:eu-west-1:1:rule/b/r');
  });

  it.each([
    ['{"errorType":"Error","errorMessage":"boom"}', 'FUNCTION_ERROR', 'Error: boom', true],
    ['Function not found: arn:aws:lambda:…', 'NO_RESOURCE', undefined, false],
    [
      'User is not authorized to perform: lambda:InvokeFunction',
      'NO_PERMISSIONS',
      undefined,
      false,
    ],
    ['Rate Exceeded.', 'THROTTLING', undefined, true],
    ['socket hang up', 'SDK_CLIENT_ERROR', undefined, true],
  ])('classifies %s as %s', (error, code, message, retryable) => {
    // Act
    const failure = classifyFailure(error);

    // Assess
    expect(failure.code).toBe(code);
    expect(failure.retryable).toBe(retryable);
    if (message) expect(failure.message).toBe(message);
  });

  it("takes the invoker's own code when it gives one", () => {
    // Assess
    expect(classifyFailure('gone', 'NO_RESOURCE')).toEqual({
      code: 'NO_RESOURCE',
      message: 'gone',
      retryable: false,
    });
  });

  it("writes EventBridge's six attributes, EXHAUSTED_RETRY_CONDITION only when a retry ran out", () => {
    // Prepare
    const failure = classifyFailure('{"errorType":"Error","errorMessage":"boom"}');

    // Act
    const exhausted = deadLetterAttributes({
      ruleArn: 'arn:r',
      targetArn: 'arn:t',
      failure,
      retryAttempts: 2,
      exhausted: 'MaximumRetryAttempts',
    });
    const direct = deadLetterAttributes({
      ruleArn: 'arn:r',
      targetArn: 'arn:t',
      failure: classifyFailure('Function not found'),
      retryAttempts: 0,
    });

    // Assess
    expect(Object.keys(exhausted).sort()).toEqual([
      'ERROR_CODE',
      'ERROR_MESSAGE',
      'EXHAUSTED_RETRY_CONDITION',
      'RETRY_ATTEMPTS',
      'RULE_ARN',
      'TARGET_ARN',
    ]);
    expect(exhausted.RETRY_ATTEMPTS).toEqual({ DataType: 'String', StringValue: '2' });
    expect(exhausted.EXHAUSTED_RETRY_CONDITION?.StringValue).toBe('MaximumRetryAttempts');
    expect(direct.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
    expect(direct.ERROR_CODE?.StringValue).toBe('NO_RESOURCE');
  });

  it.each([
    ['a first failure', 1, 10, 'retry'],
    ['the last allowed attempt', 3, 10, 'retry'],
    ['attempts past MaximumRetryAttempts', 4, 10, 'MaximumRetryAttempts'],
    ['an event older than MaximumEventAgeInSeconds', 1, 3_600, 'MaximumEventAgeInSeconds'],
  ])('retries or parks on %s', (_label, attempts, ageSeconds, expected) => {
    // Act
    const verdict = retryVerdict({
      failure: classifyFailure('socket hang up'),
      attempts,
      maximumRetryAttempts: 2 + 1,
      ageSeconds,
      maximumEventAgeSeconds: 3_600,
    });

    // Assess
    expect(verdict.park ? verdict.exhausted : 'retry').toBe(expected);
  });

  it('parks a permanent failure at once, without an exhausted condition', () => {
    // Act
    const verdict = retryVerdict({
      failure: classifyFailure('Function not found'),
      attempts: 1,
      maximumRetryAttempts: 185,
      ageSeconds: 0,
      maximumEventAgeSeconds: 86_400,
    });

    // Assess
    expect(verdict).toEqual({ park: true });
  });
});
