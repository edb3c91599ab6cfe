// The e-mail channel against a real SMTP server on loopback (smtp-server), reading back what arrived:
// content, links and Message-ID; login over STARTTLS; and how each failure is reported to the outbox worker
// (server down or slow → retry, unknown recipient → give up).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createEmailChannel, messageIdFor, type EmailChannelSettings } from '../../src/notify/email-channel.ts';
import type { Notification } from '../../src/notify/notification.ts';
import { startSmtpServer, type TestSmtpServer } from '../fixtures/smtp-server.ts';
import { createTestCa, issueServerCert, type TestCa, type TestServerCert } from '../fixtures/tls.ts';

const FROM = 'jitd <jitd@example.com>';
const PASSWORD = 'pw-Xq93-never-shown';

function approvalRequested(id: string): Notification {
  return {
    id,
    event: 'approval.requested',
    occurredAt: '2026-11-24T14:05:09.000Z',
    request: {
      id: 'req-42',
      principal: 'alice',
      principalName: 'Alice Liddell',
      role: 'db-admin',
      reason: 'Restore <orders> & check "totals"',
      durationMs: 5_400_000,
      approvalsRequired: 1,
      approvals: [],
    },
    links: {
      view: 'https://jitd.example.com/requests/req-42',
      approve: 'https://jitd.example.com/requests/req-42/review?decision=approve',
      deny: 'https://jitd.example.com/requests/req-42/review?decision=deny',
    },
  };
}

function settings(port: number, overrides: Partial<EmailChannelSettings> = {}): EmailChannelSettings {
  return { host: '127.0.0.1', port, secure: false, requireTls: false, from: FROM, timeoutMs: 5_000, ...overrides };
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

let dir: string;
let ca: TestCa;
let cert: TestServerCert;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jitd-smtp-'));
  ca = await createTestCa(dir);
  cert = await issueServerCert(ca, dir);
});
after(() => rm(dir, { recursive: true, force: true }));

describe('delivery', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer();
  });
  after(() => smtp.stop());

  test('an approval request arrives with its subject, text and HTML parts, links, and a Message-ID derived from the notification id', async () => {
    const channel = createEmailChannel(settings(smtp.port));
    const n = approvalRequested('ntf-0001');
    const outcome = await channel.send(n, ['bob@example.com', 'carol@example.com']);
    channel.close();
    assert.equal(outcome.ok, true);
    assert.match(outcome.ok ? outcome.detail : '', new RegExp(`^SMTP server 127\\.0\\.0\\.1:${smtp.port} accepted the message for bob@example\\.com, carol@example\\.com \\(250 `));

    const [mail] = await smtp.waitForMessages(1, 2_000);
    assert.ok(mail);
    assert.equal(mail.from, 'jitd@example.com');
    assert.deepEqual(mail.to, ['bob@example.com', 'carol@example.com']);
    const { parsed } = mail;
    assert.equal(parsed.subject, 'Approval needed: Alice Liddell (alice) requests db-admin for 1h 30m');
    assert.equal(parsed.messageId, '<jitd.ntf-0001@example.com>');
    assert.equal(parsed.messageId, messageIdFor(n.id, FROM));
    assert.equal(parsed.headers.get('x-jitd-delivery'), 'ntf-0001');
    assert.equal(parsed.headers.get('x-jitd-event'), 'approval.requested');
    assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(parsed.from?.text, '"jitd" <jitd@example.com>');
    assert.match(parsed.text ?? '', /Reason:\n {2}Restore <orders> & check "totals"/);
    assert.match(parsed.text ?? '', /Approve in jitd: https:\/\/jitd\.example\.com\/requests\/req-42\/review\?decision=approve/);
    const html = typeof parsed.html === 'string' ? parsed.html : '';
    assert.ok(html.includes('Restore &lt;orders&gt; &amp; check &quot;totals&quot;'));
    assert.ok(html.includes('href="https://jitd.example.com/requests/req-42/review?decision=deny"'));
  });

  test('a break-glass notice is sent with high priority and the [BREAK-GLASS] subject', async () => {
    const channel = createEmailChannel(settings(smtp.port));
    const n: Notification = { ...approvalRequested('ntf-bg'), event: 'breakglass.granted', links: { view: 'https://jitd.example.com/requests/req-42' } };
    assert.equal((await channel.send(n, ['security@example.com'])).ok, true);
    const mail = smtp.messages.find((m) => m.parsed.messageId === '<jitd.ntf-bg@example.com>');
    assert.equal(mail?.parsed.subject, '[BREAK-GLASS] Alice Liddell (alice) took db-admin without approval');
    assert.equal(mail?.parsed.headers.get('priority'), 'high');
  });

  test('a recipient the server does not know (550) is a permanent failure naming the recipient', async () => {
    smtp.setRejectRecipients(['nobody@example.com']);
    const channel = createEmailChannel(settings(smtp.port));
    const outcome = await channel.send(approvalRequested('ntf-550'), ['nobody@example.com']);
    smtp.setRejectRecipients([]);
    assert.deepEqual(outcome, {
      ok: false,
      retryable: false,
      error: `SMTP server 127.0.0.1:${smtp.port} refused every recipient: nobody@example.com (550 5.1.1 <nobody@example.com>: no such user)`,
    });
  });

  test('when only some recipients are refused the message counts as sent, and the refused ones are listed', async () => {
    smtp.setRejectRecipients(['nobody@example.com']);
    const channel = createEmailChannel(settings(smtp.port));
    const outcome = await channel.send(approvalRequested('ntf-partial'), ['bob@example.com', 'nobody@example.com']);
    smtp.setRejectRecipients([]);
    assert.equal(outcome.ok, true);
    assert.deepEqual(outcome.ok ? outcome.rejected : undefined, [
      { recipient: 'nobody@example.com', retryable: false, error: '550 5.1.1 <nobody@example.com>: no such user' },
    ]);
    assert.deepEqual(smtp.messages.find((m) => m.parsed.messageId === '<jitd.ntf-partial@example.com>')?.to, ['bob@example.com']);
  });

  test('a temporary refusal of the message (451) is retryable, a permanent one (554) is not', async () => {
    const channel = createEmailChannel(settings(smtp.port));
    smtp.setFailWith({ code: 451, message: '4.3.0 queue full, try later' });
    const temporary = await channel.send(approvalRequested('ntf-451'), ['bob@example.com']);
    smtp.setFailWith({ code: 554, message: '5.7.1 message refused by policy' });
    const permanent = await channel.send(approvalRequested('ntf-554'), ['bob@example.com']);
    smtp.setFailWith(undefined);
    assert.deepEqual(temporary, { ok: false, retryable: true, error: `SMTP server 127.0.0.1:${smtp.port} refused the message: 451 4.3.0 queue full, try later` });
    assert.deepEqual(permanent, { ok: false, retryable: false, error: `SMTP server 127.0.0.1:${smtp.port} refused the message: 554 5.7.1 message refused by policy` });
  });

  test('a notification without recipients is a permanent failure, and nothing is sent', async () => {
    const sent = smtp.messages.length;
    const outcome = await createEmailChannel(settings(smtp.port)).send(approvalRequested('ntf-none'), []);
    assert.deepEqual(outcome, { ok: false, retryable: false, error: 'the e-mail has no recipients' });
    assert.equal(smtp.messages.length, sent);
  });
});

describe('login and TLS', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startSmtpServer({ requireAuth: { user: 'jitd', pass: PASSWORD }, tls: cert });
  });
  after(() => smtp.stop());

  test('with requireTls the channel upgrades with STARTTLS, trusts the configured CA, and logs in with AUTH PLAIN', async () => {
    const channel = createEmailChannel(
      settings(smtp.port, { requireTls: true, tls: { caFile: ca.certFile, rejectUnauthorized: true }, auth: { user: 'jitd', pass: PASSWORD } }),
    );
    assert.deepEqual(await channel.verify(), { ok: true, detail: `SMTP server 127.0.0.1:${smtp.port} accepted the connection and the login` });
    const outcome = await channel.send(approvalRequested('ntf-auth'), ['bob@example.com']);
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
    const mail = smtp.messages.find((m) => m.parsed.messageId === '<jitd.ntf-auth@example.com>');
    assert.equal(mail?.secure, true);
    assert.equal(mail?.user, 'jitd');
    assert.deepEqual(smtp.logins.at(-1), { method: 'PLAIN', username: 'jitd', accepted: true });
  });

  test('a wrong password is reported as a refused login, retryable, and the password appears nowhere in it', async () => {
    const channel = createEmailChannel(
      settings(smtp.port, { requireTls: true, tls: { caFile: ca.certFile, rejectUnauthorized: true }, auth: { user: 'jitd', pass: 'wrong-Zz71' } }),
    );
    const outcome = await channel.send(approvalRequested('ntf-badpw'), ['bob@example.com']);
    assert.deepEqual(outcome, {
      ok: false,
      retryable: true,
      error: `SMTP server 127.0.0.1:${smtp.port} refused the login: Invalid login: 535 Authentication credentials invalid`,
    });
    assert.ok(!JSON.stringify(outcome).includes('wrong-Zz71'));
  });

  test('a server certificate from a CA that is not trusted stops the delivery before the login, retryably', async () => {
    const loginsBefore = smtp.logins.length;
    const channel = createEmailChannel(settings(smtp.port, { requireTls: true, auth: { user: 'jitd', pass: PASSWORD } }));
    const outcome = await channel.send(approvalRequested('ntf-untrusted'), ['bob@example.com']);
    assert.deepEqual(outcome, {
      ok: false,
      retryable: true,
      error: `SMTP server 127.0.0.1:${smtp.port} cannot be used: its certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): set tls.caFile to the CA that issued it`,
    });
    assert.equal(smtp.logins.length, loginsBefore, 'no credentials were sent');
  });

  test('requireTls against a server that offers no STARTTLS fails instead of sending in the clear', async () => {
    const plain = await startSmtpServer();
    try {
      const outcome = await createEmailChannel(settings(plain.port, { requireTls: true })).send(approvalRequested('ntf-cleartext'), ['bob@example.com']);
      assert.equal(outcome.ok, false);
      assert.match(!outcome.ok ? outcome.error : '', new RegExp(`^TLS with SMTP server 127\\.0\\.0\\.1:${plain.port} failed \\(ETLS\\): `));
      assert.equal(plain.messages.length, 0);
    } finally {
      await plain.stop();
    }
  });

  test('implicit TLS (secure) delivers to a server that speaks TLS from the first byte', async () => {
    const smtps = await startSmtpServer({ tls: cert, secure: true });
    try {
      const outcome = await createEmailChannel(settings(smtps.port, { secure: true, tls: { caFile: ca.certFile, rejectUnauthorized: true } })).send(
        approvalRequested('ntf-smtps'),
        ['bob@example.com'],
      );
      assert.equal(outcome.ok, true, JSON.stringify(outcome));
      assert.equal(smtps.messages[0]?.secure, true);
    } finally {
      await smtps.stop();
    }
  });
});

describe('outages', () => {
  test('with the SMTP server down the delivery is retryable with a clear error, and the retry after it is back delivers the same message once', async () => {
    const first = await startSmtpServer();
    const port = first.port;
    await first.stop();
    const channel = createEmailChannel(settings(port, { timeoutMs: 2_000 }));
    const n = approvalRequested('ntf-outage');

    const down = await channel.send(n, ['bob@example.com']);
    assert.deepEqual(down, { ok: false, retryable: true, error: `SMTP server 127.0.0.1:${port} refused the connection (ECONNREFUSED)` });
    assert.deepEqual(await channel.verify(), down);

    const back = await startSmtpServer({ port });
    try {
      const retried = await channel.send(n, ['bob@example.com']);
      assert.equal(retried.ok, true, JSON.stringify(retried));
      const [mail] = await back.waitForMessages(1, 2_000);
      assert.equal(mail?.parsed.messageId, '<jitd.ntf-outage@example.com>');
      assert.equal(back.messages.length, 1);
    } finally {
      await back.stop();
    }
  });

  test('a server that accepts the connection but never answers is retryable after the configured deadline', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      const outcome = await createEmailChannel(settings(port, { timeoutMs: 300 })).send(approvalRequested('ntf-silent'), ['bob@example.com']);
      const took = Date.now() - started;
      assert.deepEqual(outcome, { ok: false, retryable: true, error: `SMTP server 127.0.0.1:${port} did not finish within 300 ms` });
      assert.ok(took < 2_000, `gave up after ${took} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('an unreadable CA file is refused when the channel is created, naming the file', async () => {
    const missing = await closedPort();
    assert.throws(() => createEmailChannel(settings(missing, { tls: { caFile: '/nonexistent/ca.pem', rejectUnauthorized: true } })), {
      message: /^smtp tls\.caFile \/nonexistent\/ca\.pem cannot be read: ENOENT/,
    });
  });
});
