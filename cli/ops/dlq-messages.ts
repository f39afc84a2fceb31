import type { Message } from '@aws-sdk/client-sqs';
import { maskReplacer, maskText } from '../../service/adapters/pii-mask.js';
import { formatAge } from './time-window.js';

/**
 * What a message in an environment's DLQ is, read from SQS — no I/O here. The DLQ holds two
 * kinds: events EventBridge could not deliver to a rule's target (the original event as the
 * body, and the attributes EventBridge documents), and order events the service itself
 * could not publish (event-publisher.ts parks `{type, detail, failure}`).
 */

/** The attributes EventBridge puts on a dead-lettered event (EventBridge User Guide). */
export const EVENTBRIDGE_DLQ_ATTRIBUTES = [
  'RULE_ARN',
  'TARGET_ARN',
  'ERROR_CODE',
  'ERROR_MESSAGE',
  'EXHAUSTED_RETRY_CONDITION',
  'RETRY_ATTEMPTS',
] as const;

export type DlqMessageKind = 'target-failure' | 'publish-failure' | 'unknown';

export interface DlqMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly kind: DlqMessageKind;
  /** When SQS took it (epoch ms), and how often it was received (looked at included). */
  readonly sentAt?: number;
  readonly receiveCount?: number;
  readonly ruleArn?: string;
  readonly targetArn?: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly exhaustedRetryCondition?: string;
  readonly retryAttempts?: number;
  /** The event's id (`metadata.event_id` when it carries one, else EventBridge's `id`). */
  readonly eventId?: string;
  readonly detailType?: string;
  readonly source?: string;
  /** The body as received (never printed: see {@link maskedView}). */
  readonly body: string;
  /** The body parsed, when it is JSON. */
  readonly event?: Record<string, unknown>;
}

const attribute = (m: Message, name: string): string | undefined =>
  m.MessageAttributes?.[name]?.StringValue;

const parseJson = (text: string): Record<string, unknown> | undefined => {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
};

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The id a consumer deduplicates on: the envelope's `metadata.event_id`, else the event's `id`. */
const eventIdOf = (event: Record<string, unknown> | undefined): string | undefined => {
  const detail = event?.detail as { metadata?: { event_id?: unknown } } | undefined;
  return str(detail?.metadata?.event_id) ?? str(event?.id);
};

/** Reads one received SQS message (asked with MessageAttributeNames `All`). */
export const parseDlqMessage = (m: Message): DlqMessage => {
  const body = m.Body ?? '';
  const event = parseJson(body);
  const targetArn = attribute(m, 'TARGET_ARN');
  const publishFailure =
    !targetArn && typeof event?.type === 'string' && typeof event.detail === 'object';
  const retries = attribute(m, 'RETRY_ATTEMPTS');
  const optional = {
    ruleArn: attribute(m, 'RULE_ARN'),
    targetArn,
    errorCode: attribute(m, 'ERROR_CODE'),
    errorMessage:
      attribute(m, 'ERROR_MESSAGE') ?? (publishFailure ? str(event?.failure) : undefined),
    exhaustedRetryCondition: attribute(m, 'EXHAUSTED_RETRY_CONDITION'),
    retryAttempts: retries !== undefined && /^\d+$/.test(retries) ? Number(retries) : undefined,
    sentAt: m.Attributes?.SentTimestamp ? Number(m.Attributes.SentTimestamp) : undefined,
    receiveCount: m.Attributes?.ApproximateReceiveCount
      ? Number(m.Attributes.ApproximateReceiveCount)
      : undefined,
    eventId: eventIdOf(event),
    detailType: str(event?.['detail-type']) ?? (publishFailure ? str(event?.type) : undefined),
    source: str(event?.source),
    event,
  };
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    kind: targetArn ? 'target-failure' : publishFailure ? 'publish-failure' : 'unknown',
    body,
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
};

/** `arn:aws:events:…:rule/[bus/]name` → `name` (or `bus/name`). */
export const ruleNameOf = (ruleArn: string | undefined): string | undefined =>
  ruleArn?.split(':rule/')[1];

/** A DLQ message as it may be shown or journaled: personal data masked, nothing to act on. */
export const maskedView = (m: DlqMessage, now: number) => ({
  message_id: m.messageId,
  kind: m.kind,
  ...(m.sentAt
    ? {
        sent_at: new Date(m.sentAt).toISOString(),
        age_seconds: Math.round((now - m.sentAt) / 1000),
      }
    : {}),
  ...(m.ruleArn ? { rule_arn: m.ruleArn } : {}),
  ...(m.targetArn ? { target_arn: m.targetArn } : {}),
  ...(m.errorCode ? { error_code: m.errorCode } : {}),
  ...(m.errorMessage ? { error_message: maskText(m.errorMessage) } : {}),
  ...(m.exhaustedRetryCondition ? { exhausted_retry_condition: m.exhaustedRetryCondition } : {}),
  ...(m.retryAttempts !== undefined ? { retry_attempts: m.retryAttempts } : {}),
  ...(m.eventId ? { event_id: m.eventId } : {}),
  ...(m.detailType ? { detail_type: m.detailType } : {}),
  // The body, with every personal field masked (the same masking as the service's logs).
  event: m.event
    ? (JSON.parse(JSON.stringify(m.event, maskReplacer)) as unknown)
    : maskText(m.body),
});

export type MaskedDlqMessage = ReturnType<typeof maskedView>;

/** One line per message for the terminal. */
export const formatDlqMessage = (v: MaskedDlqMessage): string => {
  const parts = [
    v.message_id,
    v.age_seconds !== undefined ? `age ${formatAge(v.age_seconds)}` : undefined,
    v.detail_type,
    v.event_id ? `event ${v.event_id}` : undefined,
    v.kind === 'target-failure'
      ? `rule ${ruleNameOf(v.rule_arn) ?? '?'} → ${v.target_arn}`
      : v.kind === 'publish-failure'
        ? 'publish to the bus failed'
        : 'not an EventBridge dead letter',
    v.error_code || v.error_message
      ? `${v.error_code ?? 'error'}: ${v.error_message ?? ''}`.trim()
      : undefined,
    v.retry_attempts !== undefined
      ? `${v.retry_attempts} retries${v.exhausted_retry_condition ? ` (${v.exhausted_retry_condition})` : ''}`
      : undefined,
  ];
  return parts.filter(Boolean).join('  ');
};
