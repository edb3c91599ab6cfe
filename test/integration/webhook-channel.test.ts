// The webhook channel against a real HTTP(S) receiver on loopback that checks the signature the way a
// receiver should: signed deliveries verify, tampered or stale ones do not, and each answer maps to the
// outcome the outbox worker acts on (503 → retry after Retry-After, 400 → give up).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Notification } from '../../src/notify/notification.ts';
import { renderSlack, renderTeams } from '../../src/notify/render.ts';
import { createWebhookChannel, parseRetryAfter, signWebhook, verifyWebhookSignature, type WebhookChannelSettings } from '../../src/notify/webhook-channel.ts';
import { createTestCa, issueServerCert, type TestCa, type TestServerCert } from '../fixtures/tls.ts';
import { startWebhookReceiver, type TestWebhookReceiver } from '../fixtures/webhook-receiver.ts';

const SECRET = 'whsec-test-4f1c9a';

const notification: Notification = {
  id: 'ntf-0042',
  event: 'approval.requested',
  occurredAt: '2026-11-24T14:05:09.000Z',
  request: {
    id: 'req-42',
    principal: 'alice',
    role: 'db-admin',
    reason: 'Restore the orders table',
    durationMs: 3_600_000,
    approvalsRequired: 1,
    approvals: [],
  },
  links: {
    view: 'https://jitd.example.com/requests/req-42',
    approve: 'https://jitd.example.com/requests/req-42/review?decision=approve',
    deny: 'https://jitd.example.com/requests/req-42/review?decision=deny',
  },
};

function channel(url: string, overrides: Partial<WebhookChannelSettings> = {}) {
  return createWebhookChannel({ url, format: 'jitd', secret: SECRET, timeoutMs: 5_000, ...overrides });
}

describe('signed deliveries', () => {
  let receiver: TestWebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver({ secret: SECRET });
  });
  after(() => receiver.stop());

  test('a jitd-format delivery carries the notification, its id and event, and a signature the receiver verifies', async () => {
    const outcome = await channel(`${receiver.url}/hooks/jitd`).send(notification);
    assert.deepEqual(outcome, { ok: true, detail: `webhook ${receiver.url} answered 200 OK` });
    const [delivery] = await receiver.waitForRequests(1, 2_000);
    assert.ok(delivery);
    assert.equal(delivery.method, 'POST');
    assert.equal(delivery.path, '/hooks/jitd');
    assert.deepEqual(delivery.signature, { ok: true });
    assert.equal(delivery.headers['content-type'], 'application/json');
    assert.equal(delivery.headers['x-jitd-delivery'], 'ntf-0042');
    assert.equal(delivery.headers['x-jitd-event'], 'approval.requested');
    assert.match(String(delivery.headers['x-jitd-timestamp']), /^\d{10}$/);
    assert.match(String(delivery.headers['x-jitd-signature']), /^sha256=[0-9a-f]{64}$/);
    assert.deepEqual(delivery.json, { type: 'jitd.notification', version: 1, notification });
  });

  test('a body changed after signing, a stale timestamp or another secret fail verification', () => {
    const delivery = receiver.requests[0];
    assert.ok(delivery, 'the first test delivered one request');
    const timestamp = String(delivery.headers['x-jitd-timestamp']);
    const signature = String(delivery.headers['x-jitd-signature']);
    const signedAt = new Date(Number(timestamp) * 1000);

    assert.deepEqual(verifyWebhookSignature(SECRET, timestamp, delivery.body, signature, signedAt, 300), { ok: true });
    const tampered = delivery.body.replace('"db-admin"', '"domain-admin"');
    assert.notEqual(tampered, delivery.body);
    assert.deepEqual(verifyWebhookSignature(SECRET, timestamp, tampered, signature, signedAt, 300), { ok: false, reason: 'the signature does not match the body' });
    assert.deepEqual(verifyWebhookSignature('another-secret', timestamp, delivery.body, signature, signedAt, 300), {
      ok: false,
      reason: 'the signature does not match the body',
    });
    const tenMinutesLater = new Date(signedAt.getTime() + 600_000);
    assert.deepEqual(verifyWebhookSignature(SECRET, timestamp, delivery.body, signature, tenMinutesLater, 300), {
      ok: false,
      reason: 'the timestamp is 600 s away from now (more than 300 s): a stale or replayed delivery',
    });
    // Moving the timestamp forward to replay does not help: it is inside the MAC.
    const replayed = String(Number(timestamp) + 600);
    assert.deepEqual(verifyWebhookSignature(SECRET, replayed, delivery.body, signature, tenMinutesLater, 300), { ok: false, reason: 'the signature does not match the body' });
    assert.deepEqual(verifyWebhookSignature(SECRET, timestamp, delivery.body, undefined, signedAt, 300), { ok: false, reason: 'the X-Jitd-Signature header is missing' });
    assert.deepEqual(verifyWebhookSignature(SECRET, timestamp, delivery.body, 'sha256=zz', signedAt, 300), { ok: false, reason: 'the signature does not match the body' });
    assert.deepEqual(verifyWebhookSignature(SECRET, 'yesterday', delivery.body, signature, signedAt, 300), {
      ok: false,
      reason: 'the X-Jitd-Timestamp header is missing or not unix seconds',
    });
  });

  test('the signature is HMAC-SHA256 of "<timestamp>.<body>" in hex, as documented for receivers', () => {
    // Computed independently: printf '%s' '1764000000.{"a":1}' | openssl dgst -sha256 -hmac whsec-test-4f1c9a
    assert.equal(signWebhook(SECRET, '1764000000', '{"a":1}'), 'sha256=f4ce47e7461e7cafa504dd7ebc516b72c9525930126e829318bcadc69f0bf1d0');
  });

  test('a receiver holding another secret answers 401, which is a permanent failure', async () => {
    const outcome = await channel(`${receiver.url}/hooks/jitd`, { secret: 'not-the-receivers-secret' }).send(notification);
    assert.deepEqual(outcome, {
      ok: false,
      retryable: false,
      error: `webhook ${receiver.url} answered 401 Unauthorized: signature check failed: the signature does not match the body`,
    });
  });

  test('the Slack format posts the incoming-webhook message, the Teams format the Adaptive Card message', async () => {
    const seen = receiver.requests.length;
    assert.equal((await channel(`${receiver.url}/slack`, { format: 'slack' }).send(notification)).ok, true);
    assert.equal((await channel(`${receiver.url}/teams`, { format: 'teams' }).send(notification)).ok, true);
    const [slack, teams] = receiver.requests.slice(seen);
    assert.deepEqual(slack?.json, JSON.parse(JSON.stringify(renderSlack(notification))));
    assert.deepEqual(teams?.json, JSON.parse(JSON.stringify(renderTeams(notification))));
    assert.deepEqual(slack?.signature, { ok: true });
    assert.deepEqual(teams?.signature, { ok: true });
  });
});

describe('answers and failures', () => {
  let receiver: TestWebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver({ secret: SECRET });
  });
  after(() => receiver.stop());

  test('503 with Retry-After is retryable with retryAfterMs; after two of them the same delivery id arrives and is accepted', async () => {
    receiver.answerWith({ status: 503, headers: { 'Retry-After': '7' }, body: 'maintenance' }, { status: 503 });
    const hook = channel(`${receiver.url}/hooks/jitd`);
    const first = await hook.send(notification);
    const second = await hook.send(notification);
    const third = await hook.send(notification);
    assert.deepEqual(first, { ok: false, retryable: true, error: `webhook ${receiver.url} answered 503 Service Unavailable: maintenance`, retryAfterMs: 7_000 });
    assert.deepEqual(second, { ok: false, retryable: true, error: `webhook ${receiver.url} answered 503 Service Unavailable` });
    assert.deepEqual(third, { ok: true, detail: `webhook ${receiver.url} answered 200 OK` });
    assert.deepEqual(
      receiver.requests.map((r) => [r.headers['x-jitd-delivery'], r.status]),
      [
        ['ntf-0042', 503],
        ['ntf-0042', 503],
        ['ntf-0042', 200],
      ],
    );
  });

  test('429 and 408 are retryable too; Retry-After may be an HTTP date', async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    receiver.answerWith({ status: 429, headers: { 'Retry-After': at } }, { status: 408 });
    const hook = channel(`${receiver.url}/hooks/jitd`);
    const limited = await hook.send(notification);
    const timedOut = await hook.send(notification);
    assert.equal(!limited.ok && limited.retryable, true);
    const waitMs = !limited.ok ? (limited.retryAfterMs ?? 0) : 0;
    assert.ok(waitMs > 110_000 && waitMs <= 120_000, `retryAfterMs ${waitMs}`);
    assert.deepEqual(timedOut, { ok: false, retryable: true, error: `webhook ${receiver.url} answered 408 Request Timeout` });
  });

  test('400 is a permanent failure that quotes the start of the answer', async () => {
    receiver.answerWith({ status: 400, body: 'invalid_payload\n  at blocks[2]' });
    const outcome = await channel(`${receiver.url}/hooks/jitd`).send(notification);
    assert.deepEqual(outcome, { ok: false, retryable: false, error: `webhook ${receiver.url} answered 400 Bad Request: invalid_payload at blocks[2]` });
  });

  test('a redirect is not followed and is a permanent failure', async () => {
    receiver.answerWith({ status: 301, headers: { Location: 'https://elsewhere.example/hook' } });
    const outcome = await channel(`${receiver.url}/hooks/jitd`).send(notification);
    assert.deepEqual(outcome, {
      ok: false,
      retryable: false,
      error: `webhook ${receiver.url} answered 301 Moved Permanently: redirects are not followed, configure the URL it redirects to`,
    });
  });

  test('a receiver that never answers is retryable after the deadline', async () => {
    receiver.answerWith({ status: 200, hang: true });
    const started = Date.now();
    const outcome = await channel(`${receiver.url}/hooks/jitd`, { timeoutMs: 300 }).send(notification);
    assert.deepEqual(outcome, { ok: false, retryable: true, error: `webhook ${receiver.url} did not answer within 300 ms` });
    assert.ok(Date.now() - started < 2_000);
  });

  test('a receiver that is down is retryable, and the error names the origin but never the secret path of the URL', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const outcome = await channel(`http://127.0.0.1:${port}/services/T000/B000/XXXXsecretXXXX`).send(notification);
    assert.deepEqual(outcome, {
      ok: false,
      retryable: true,
      error: `webhook http://127.0.0.1:${port} could not be reached (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  test('a notification that cannot be rendered is a permanent failure, and nothing is sent', async () => {
    const seen = receiver.requests.length;
    const broken: Notification = { ...notification, links: { view: 'javascript:alert(1)' } };
    const outcome = await channel(`${receiver.url}/slack`, { format: 'slack' }).send(broken);
    assert.deepEqual(outcome, {
      ok: false,
      retryable: false,
      error: 'the webhook body cannot be rendered: notification link "view" must be an http(s) URL, not javascript: (this is a bug)',
    });
    assert.equal(receiver.requests.length, seen);
  });

  test('Retry-After that is neither seconds nor a date is ignored', () => {
    assert.equal(parseRetryAfter('soon', new Date()), undefined);
    assert.equal(parseRetryAfter(undefined, new Date()), undefined);
    assert.equal(parseRetryAfter('0', new Date()), 0);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:00 GMT', new Date('2026-01-01T00:00:30Z')), 0);
  });
});

describe('HTTPS', () => {
  let dir: string;
  let ca: TestCa;
  let cert: TestServerCert;
  let receiver: TestWebhookReceiver;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jitd-webhook-'));
    ca = await createTestCa(dir);
    cert = await issueServerCert(ca, dir);
    receiver = await startWebhookReceiver({ secret: SECRET, tls: cert });
  });
  after(async () => {
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('an https receiver with a certificate from the configured CA gets the delivery', async () => {
    const outcome = await channel(`${receiver.url}/hooks/jitd`, { tls: { caFile: ca.certFile } }).send(notification);
    assert.deepEqual(outcome, { ok: true, detail: `webhook ${receiver.url} answered 200 OK` });
    assert.deepEqual(receiver.requests.at(-1)?.signature, { ok: true });
  });

  test('without that CA the certificate is not trusted: nothing is sent and the failure is retryable', async () => {
    const seen = receiver.requests.length;
    const outcome = await channel(`${receiver.url}/hooks/jitd`).send(notification);
    assert.deepEqual(outcome, {
      ok: false,
      retryable: true,
      error: `webhook ${receiver.url} cannot be used: its certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): set tls.caFile to the CA that issued it`,
    });
    assert.equal(receiver.requests.length, seen);
  });
});
