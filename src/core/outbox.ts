// A notification waiting to be delivered, or delivered. Messages are written in the same transaction as
// the change they report (so none is lost and none is sent for a change that was rolled back) and
// delivered afterwards by the notifier, never inside a transaction. Delivery is retried with backoff until
// the channel takes the message or refuses it for good.
import { retryDelayMs, type RetryPolicy } from './backoff.ts';
import type { Notification } from '../notify/notification.ts';

export const DELIVERY_STATES = ['pending', 'sent', 'failed'] as const;
/** `pending`: not yet delivered (maybe after failed attempts); `sent`: the channel took it; `failed`: refused for good. */
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface OutboxMessage {
  /** Also the notification's id: the Message-ID / X-Jitd-Delivery a retried delivery repeats. */
  readonly id: string;
  readonly createdAt: Date;
  /** `email` or `webhook:<name>`. */
  readonly channel: string;
  /** E-mail addresses (empty for webhooks). */
  readonly recipients: readonly string[];
  readonly notification: Notification;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAttemptAt?: Date;
  readonly lastError?: string;
  readonly sentAt?: Date;
  /** What the channel said when it took the message (e.g. the SMTP reply). */
  readonly detail?: string;
}

export type AttemptOutcome =
  | { readonly ok: true; readonly detail: string }
  | { readonly ok: false; readonly retryable: boolean; readonly error: string; readonly retryAfterMs?: number };

/** The message after one delivery attempt: sent, failed for good, or due again after a backoff delay. */
export function afterAttempt(message: OutboxMessage, outcome: AttemptOutcome, now: Date, policy: RetryPolicy, random: number): OutboxMessage {
  const attempts = message.attempts + 1;
  const { nextAttemptAt: _next, lastError: _error, ...rest } = message;
  if (outcome.ok) return { ...rest, state: 'sent', attempts, sentAt: now, detail: outcome.detail, ...(message.lastError ? { lastError: message.lastError } : {}) };
  if (!outcome.retryable) return { ...rest, state: 'failed', attempts, lastError: outcome.error };
  const delay = Math.max(retryDelayMs(policy, attempts, random), outcome.retryAfterMs ?? 0);
  return { ...rest, state: 'pending', attempts, lastError: outcome.error, nextAttemptAt: new Date(now.getTime() + delay) };
}
