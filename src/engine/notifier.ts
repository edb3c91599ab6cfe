// Delivers the outbox: every poll it takes the messages that are due, sends each through its channel, and
// records the outcome (sent, failed for good, or due again after a backoff delay). It never runs inside a
// transaction and never holds one open while a channel talks to a server. A message is marked only after
// its attempt: a crash in between repeats the delivery, with the same Message-ID / X-Jitd-Delivery.
import { afterAttempt, type AttemptOutcome, type OutboxMessage } from '../core/outbox.ts';
import type { RetryPolicy } from '../core/backoff.ts';
import type { Notification } from '../notify/notification.ts';
import type { EngineDeps } from './deps.ts';
import { PollingLoop } from './polling-loop.ts';

/** What the notifier sends through: e-mail, and webhooks by name. */
export interface NotificationChannels {
  readonly email?: { send(notification: Notification, recipients: readonly string[]): Promise<AttemptOutcome> };
  readonly webhooks: ReadonlyMap<string, { send(notification: Notification): Promise<AttemptOutcome> }>;
}

const BATCH = 50;

export class Notifier {
  private readonly deps: Pick<EngineDeps, 'store' | 'clock' | 'random' | 'log'>;
  private readonly channels: NotificationChannels;
  private readonly retry: RetryPolicy;
  private readonly loop: PollingLoop;

  constructor(deps: Pick<EngineDeps, 'store' | 'clock' | 'random' | 'log'>, channels: NotificationChannels, options: { readonly pollIntervalMs: number; readonly retry: RetryPolicy }) {
    this.deps = deps;
    this.channels = channels;
    this.retry = options.retry;
    this.loop = new PollingLoop({ pass: async () => (await this.tick()) >= BATCH, pollIntervalMs: options.pollIntervalMs, log: deps.log, what: 'notifier tick' });
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for the deliveries in progress. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass over the due messages; returns how many were attempted. Exposed for tests. */
  async tick(): Promise<number> {
    const due = await this.deps.store.findDueOutbox(this.deps.clock.now(), BATCH);
    await Promise.all(due.map(async (message) => this.deliver(message)));
    return due.length;
  }

  private async deliver(message: OutboxMessage): Promise<void> {
    const outcome = await this.attempt(message).catch((error: unknown): AttemptOutcome => ({ ok: false, retryable: true, error: `delivery failed unexpectedly: ${String(error)}` }));
    const next = afterAttempt(message, outcome, this.deps.clock.now(), this.retry, this.deps.random());
    await this.deps.store.saveOutboxMessage(next);
    const fields = { notificationId: message.id, event: message.notification.event, channel: message.channel, attempts: next.attempts };
    if (next.state === 'sent') this.deps.log.info({ ...fields, detail: next.detail }, 'notification sent');
    else if (next.state === 'failed') this.deps.log.error({ ...fields, error: next.lastError }, 'notification refused for good; it will not be retried');
    else this.deps.log.warn({ ...fields, error: next.lastError, nextAttemptAt: next.nextAttemptAt }, 'notification not delivered; retrying');
  }

  private async attempt(message: OutboxMessage): Promise<AttemptOutcome> {
    if (message.channel === 'email') {
      if (!this.channels.email) return { ok: false, retryable: false, error: 'e-mail is no longer configured (notifications.email)' };
      return this.channels.email.send(message.notification, message.recipients);
    }
    const name = message.channel.startsWith('webhook:') ? message.channel.slice('webhook:'.length) : undefined;
    const hook = name === undefined ? undefined : this.channels.webhooks.get(name);
    if (!hook) return { ok: false, retryable: false, error: `channel ${message.channel} is not configured any more` };
    return hook.send(message.notification);
  }
}
