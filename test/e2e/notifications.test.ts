// Notifications from a real `jitd serve`: approvers get an e-mail (real SMTP server) and every webhook a
// signed POST (real HTTP receiver) when a request waits for them; the requester hears the outcome; an SMTP
// outage delays delivery without losing anything.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { eventually, startJitdProcess, type JitdProcess } from '../fixtures/jitd-process.ts';
import { freePort, startSlapd, type Slapd } from '../fixtures/slapd.ts';
import { startSmtpServer, type TestSmtpServer } from '../fixtures/smtp-server.ts';
import { startWebhookReceiver, type TestWebhookReceiver } from '../fixtures/webhook-receiver.ts';

interface NotificationJson {
  id: string;
  event: string;
  channel: string;
  recipients: string[];
  state: string;
  attempts: number;
  lastError?: string;
  requestId?: string;
}

const WEBHOOK_SECRET = 'whsec-test-0123456789';

describe('notifications from jitd serve over real SMTP and a real webhook receiver', () => {
  let slapd: Slapd;
  let smtp: TestSmtpServer;
  let smtpPort: number;
  let hooks: TestWebhookReceiver;
  let jitd: JitdProcess;

  const ask = async () => {
    const result = await jitd.cli('alice', ['request', 'db-owner', '--for', '1h', '--reason', 'CHG-9 <b>index</b> rebuild']);
    assert.equal(result.code, 0, result.stderr);
    return /Request (req-[0-9a-f]+)/.exec(result.stdout)![1]!;
  };
  const outbox = async (requestId: string) => (await jitd.json<{ notifications: NotificationJson[] }>('dave', ['notifications'])).notifications.filter((n) => n.requestId === requestId);

  before(async () => {
    slapd = await startSlapd();
    smtpPort = await freePort();
    smtp = await startSmtpServer({ port: smtpPort });
    hooks = await startWebhookReceiver({ secret: WEBHOOK_SECRET });
    const dir = await mkdtemp(join(tmpdir(), 'jitd-notify-'));
    const secretFile = join(dir, 'webhook-secret');
    await writeFile(secretFile, `${WEBHOOK_SECRET}\n`, { mode: 0o600 });
    const group = await slapd.addGroup('db-owners', [slapd.placeholderDn]);
    jitd = await startJitdProcess({
      slapd,
      roles: {
        'db-owner': { connector: 'test-ldap', group, maxDuration: '4h', eligible: ['group:ops'], approval: { required: 2, from: ['group:ops', 'user:carol'] } },
      },
      notifications: {
        email: { host: '127.0.0.1', port: smtpPort, security: 'none', from: 'jitd <jitd@example.test>', timeout: '2s' },
        webhooks: [{ name: 'ops-chat', url: `${hooks.url}/hook`, format: 'slack', secret: { file: secretFile } }],
        retry: { initialDelay: '300ms', maxDelay: '1s' },
      },
    });
  });
  after(async () => {
    await jitd?.stop();
    await smtp?.stop();
    await hooks?.stop();
    await slapd?.destroy();
  });

  test('a waiting request e-mails its approvers (not the requester) with a link, and posts a signed message to the webhook', async () => {
    const requestId = await ask();
    const [mail] = await smtp.waitForMessages(1, 10_000);
    assert.deepEqual([...(mail?.to ?? [])].sort(), ['bob@example.test', 'carol@example.test']);
    assert.match(mail?.parsed.subject ?? '', /db-owner/);
    assert.match(mail?.parsed.text ?? '', new RegExp(`${jitd.url}/requests/${requestId}`));
    assert.match(mail?.parsed.html || '', /&lt;b&gt;index&lt;\/b&gt;/, 'the reason is escaped in HTML');

    const [post] = await hooks.waitForRequests(1, 10_000);
    assert.equal(post?.signature.ok, true, 'the receiver verified X-Jitd-Signature with the shared secret');
    assert.match(JSON.stringify(post?.json), new RegExp(requestId));

    assert.ok(await eventually(async () => (await outbox(requestId)).every((n) => n.state === 'sent'), 5_000));
    assert.deepEqual((await outbox(requestId)).map((n) => [n.event, n.channel]).sort(), [
      ['approval.requested', 'email'],
      ['approval.requested', 'webhook:ops-chat'],
    ]);
  });

  test('the requester hears the outcome: approved after the second approval', async () => {
    const requestId = await ask();
    await smtp.waitForMessages(2, 10_000);
    assert.equal((await jitd.cli('bob', ['approve', requestId])).code, 0);
    assert.equal((await jitd.cli('carol', ['approve', requestId])).code, 0);
    const mails = await smtp.waitForMessages(3, 10_000);
    const toAlice = mails.find((m) => m.to.includes('alice@example.test'));
    assert.ok(toAlice, 'alice got a mail');
    assert.match(toAlice.parsed.subject ?? '', /approved/i);
  });

  test('with the SMTP server down the message waits with the error and is delivered, once, when it is back', async () => {
    await smtp.stop();
    const requestId = await ask();
    assert.ok(
      await eventually(async () => (await outbox(requestId)).some((n) => n.channel === 'email' && n.attempts >= 1 && n.state === 'pending'), 10_000),
      'the delivery was tried and is waiting for a retry',
    );
    const waiting = (await outbox(requestId)).find((n) => n.channel === 'email');
    assert.match(waiting?.lastError ?? '', /ECONNREFUSED|refused/);
    const listed = await jitd.cli('dave', ['notifications', '--state', 'pending']);
    assert.match(listed.stdout, /approval\.requested/);

    smtp = await startSmtpServer({ port: smtpPort });
    const [mail] = await smtp.waitForMessages(1, 15_000);
    assert.deepEqual([...(mail?.to ?? [])].sort(), ['bob@example.test', 'carol@example.test']);
    assert.ok(await eventually(async () => (await outbox(requestId)).find((n) => n.channel === 'email')?.state === 'sent', 5_000));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(smtp.messages.length, 1, 'delivered once');
  });
});
