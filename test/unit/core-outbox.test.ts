// afterAttempt: what one delivery attempt does to an outbox message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterAttempt, type OutboxMessage } from '../../src/core/outbox.ts';

const t0 = new Date('2030-01-01T08:00:00.000Z');
const policy = { initialDelayMs: 10_000, maxDelayMs: 600_000, factor: 2, jitter: 0 };
const message: OutboxMessage = {
  id: 'ntf-1',
  createdAt: t0,
  channel: 'email',
  recipients: ['bob@example.test'],
  notification: { id: 'ntf-1', event: 'approval.requested', occurredAt: t0.toISOString(), links: { view: 'https://jitd.example.test/requests/req-1' } },
  state: 'pending',
  attempts: 0,
};

test('a retryable failure keeps it pending with the error, due again after the backoff delay, growing per attempt', () => {
  const first = afterAttempt(message, { ok: false, retryable: true, error: 'ECONNREFUSED' }, t0, policy, 0.5);
  assert.deepEqual([first.state, first.attempts, first.lastError, first.nextAttemptAt?.getTime()], ['pending', 1, 'ECONNREFUSED', t0.getTime() + 10_000]);
  const second = afterAttempt(first, { ok: false, retryable: true, error: 'ECONNREFUSED' }, t0, policy, 0.5);
  assert.equal(second.nextAttemptAt?.getTime(), t0.getTime() + 20_000);
});

test('a Retry-After longer than the backoff is honoured', () => {
  const next = afterAttempt(message, { ok: false, retryable: true, error: '429', retryAfterMs: 60_000 }, t0, policy, 0.5);
  assert.equal(next.nextAttemptAt?.getTime(), t0.getTime() + 60_000);
});

test('a permanent refusal fails it for good; a success sends it and keeps the last error for the record', () => {
  const failed = afterAttempt(message, { ok: false, retryable: false, error: '550 no such user' }, t0, policy, 0.5);
  assert.deepEqual([failed.state, failed.lastError, failed.nextAttemptAt], ['failed', '550 no such user', undefined]);
  const retried = afterAttempt(message, { ok: false, retryable: true, error: 'timeout' }, t0, policy, 0.5);
  const sent = afterAttempt(retried, { ok: true, detail: '250 queued' }, t0, policy, 0.5);
  assert.deepEqual([sent.state, sent.attempts, sent.detail, sent.lastError, sent.nextAttemptAt, sent.sentAt], ['sent', 2, '250 queued', 'timeout', undefined, t0]);
});
