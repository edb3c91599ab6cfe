// The one place where an OutboxMessage becomes an `outbox` row and back.
import type { Selectable } from 'kysely';
import type { DeliveryState, OutboxMessage } from '../../core/outbox.ts';
import type { Notification } from '../../notify/notification.ts';
import { dateField, field, msOrNull, orNull } from './row-values.ts';
import type { OutboxTable } from './schema.ts';

export function outboxToRow(message: OutboxMessage): OutboxTable {
  return {
    id: message.id,
    created_at: message.createdAt.getTime(),
    channel: message.channel,
    recipients: JSON.stringify(message.recipients),
    notification: JSON.stringify(message.notification),
    state: message.state,
    attempts: message.attempts,
    next_attempt_at: msOrNull(message.nextAttemptAt),
    last_error: orNull(message.lastError),
    sent_at: msOrNull(message.sentAt),
    detail: orNull(message.detail),
  };
}

export function outboxFromRow(row: Selectable<OutboxTable>): OutboxMessage {
  return {
    id: row.id,
    createdAt: new Date(row.created_at),
    channel: row.channel,
    recipients: JSON.parse(row.recipients) as string[],
    notification: JSON.parse(row.notification) as Notification,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    ...dateField('nextAttemptAt', row.next_attempt_at),
    ...field('lastError', row.last_error),
    ...dateField('sentAt', row.sent_at),
    ...field('detail', row.detail),
  };
}
