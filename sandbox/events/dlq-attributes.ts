import type { MessageAttributeValue } from '@aws-sdk/client-sqs';

/**
 * What EventBridge writes on a message it parks in a target's dead-letter queue: the body is
 * the original event, unchanged, and six message attributes say where and why it failed
 * (EventBridge User Guide, "Using dead-letter queues to process undelivered events").
 */
export const DLQ_ATTRIBUTE = {
  rule: 'RULE_ARN',
  target: 'TARGET_ARN',
  errorCode: 'ERROR_CODE',
  errorMessage: 'ERROR_MESSAGE',
  /** `MaximumRetryAttempts` or `MaximumEventAgeInSeconds`; absent when no retry ran out. */
  exhausted: 'EXHAUSTED_RETRY_CONDITION',
  retryAttempts: 'RETRY_ATTEMPTS',
} as const;

export type ExhaustedCondition = 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds';

/** How a delivery failed, in EventBridge's terms. */
export interface DeliveryFailure {
  /** EventBridge's ERROR_CODE (`NO_RESOURCE`, `THROTTLING` …). */
  readonly code: string;
  readonly message: string;
  /** False for failures EventBridge parks without retrying (missing target, permissions). */
  readonly retryable: boolean;
}

/**
 * The ARN of a rule as EventBridge prints it: `rule/<name>` on the default bus,
 * `rule/<bus>/<name>` on any other.
 */
export const ruleArnOf = (t: {
  region: string;
  account: string;
  busName: string;
  ruleName: string;
}): string =>
  `arn:aws:events:${t.region}:${t.account}:rule/${t.busName === 'default' ? '' : `${t.busName}/`}${t.ruleName}`;

/**
 * Classifies the sandbox's invocation failure. A function that ran and failed has no
 * EventBridge code (in AWS, Lambda's own async retries and destinations handle it and the
 * event never reaches this queue): the sandbox calls it `FUNCTION_ERROR` and says so.
 */
export const classifyFailure = (error: string, code?: string): DeliveryFailure => {
  if (code) return { code, message: error, retryable: !/^NO_(RESOURCE|PERMISSIONS)$/.test(code) };
  try {
    const parsed = JSON.parse(error) as { errorType?: unknown; errorMessage?: unknown };
    if (parsed && typeof parsed.errorType === 'string') {
      return {
        code: 'FUNCTION_ERROR',
        message: `${parsed.errorType}: ${String(parsed.errorMessage ?? '')}`,
        retryable: true,
      };
    }
  } catch {
    // not a function error payload
  }
  if (/Function not found|ResourceNotFound|does not exist/i.test(error)) {
    return { code: 'NO_RESOURCE', message: error, retryable: false };
  }
  if (/not authorized|AccessDenied/i.test(error)) {
    return { code: 'NO_PERMISSIONS', message: error, retryable: false };
  }
  if (/Rate Exceeded|TooManyRequests|throttl/i.test(error)) {
    return { code: 'THROTTLING', message: error, retryable: true };
  }
  return { code: 'SDK_CLIENT_ERROR', message: error, retryable: true };
};

const text = (StringValue: string): MessageAttributeValue => ({ DataType: 'String', StringValue });

/** The message attributes of one parked event. */
export const deadLetterAttributes = (input: {
  ruleArn: string;
  targetArn: string;
  failure: DeliveryFailure;
  retryAttempts: number;
  exhausted?: ExhaustedCondition;
}): Record<string, MessageAttributeValue> => ({
  [DLQ_ATTRIBUTE.rule]: text(input.ruleArn),
  [DLQ_ATTRIBUTE.target]: text(input.targetArn),
  [DLQ_ATTRIBUTE.errorCode]: text(input.failure.code),
  // SQS refuses empty attribute values; EventBridge's messages are short.
  [DLQ_ATTRIBUTE.errorMessage]: text((input.failure.message || input.failure.code).slice(0, 1024)),
  ...(input.exhausted ? { [DLQ_ATTRIBUTE.exhausted]: text(input.exhausted) } : {}),
  [DLQ_ATTRIBUTE.retryAttempts]: text(String(Math.max(0, input.retryAttempts))),
});

/**
 * When a failed delivery stops being retried: at once for a permanent failure, else when
 * the attempts or the event's age run out (whichever first, as EventBridge's RetryPolicy).
 */
export const retryVerdict = (input: {
  failure: DeliveryFailure;
  /** Deliveries made so far, this one included. */
  attempts: number;
  maximumRetryAttempts: number;
  ageSeconds: number;
  maximumEventAgeSeconds: number;
}): { park: false } | { park: true; exhausted?: ExhaustedCondition } => {
  if (!input.failure.retryable) return { park: true };
  if (input.attempts > input.maximumRetryAttempts) {
    return { park: true, exhausted: 'MaximumRetryAttempts' };
  }
  if (input.ageSeconds >= input.maximumEventAgeSeconds) {
    return { park: true, exhausted: 'MaximumEventAgeInSeconds' };
  }
  return { park: false };
};
