// Break-glass, usage limits, extensions and scheduled starts through a real `jitd serve`, the real slapd and a
// real SMTP server: what people see on the command line, what the directory holds, who is told, and what
// the audit trail says.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startJitdProcess, waitForFailingRevocation, type JitdProcess } from '../fixtures/jitd-process.ts';
import { freePort, startSlapd, type Slapd } from '../fixtures/slapd.ts';
import { startSmtpServer, type TestSmtpServer } from '../fixtures/smtp-server.ts';

interface LeaseJson {
  id: string;
  state: string;
  expiresAt: string;
  durationMs: number;
  reviewRequired: boolean;
  review?: { by: string; verdict: string; comment?: string };
}
interface RequestJson {
  id: string;
  state: string;
  approval: string;
  startAt?: string;
  leaseId?: string;
  limitExceeded?: string;
}
interface AuditJson {
  type: string;
  actor: string;
  leaseId?: string;
  requestId?: string;
  data: Record<string, unknown>;
}

describe('break-glass, usage limits, extensions and scheduled starts in jitd serve', () => {
  let slapd: Slapd;
  let smtp: TestSmtpServer;
  let jitd: JitdProcess;
  const groups: Record<string, string> = {};
  const isMember = async (role: string) => (await slapd.members(groups[role]!)).includes(slapd.userDn('alice'));
  const requestAs = async (args: readonly string[]) => jitd.json<{ request: RequestJson; lease?: LeaseJson }>('alice', ['request', ...args]);
  const auditOf = async (filter: (e: AuditJson) => boolean) => {
    const result = await jitd.cli('dave', ['audit', 'export']);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.trim().split('\n').map((line) => JSON.parse(line) as AuditJson).filter(filter);
  };

  before(async () => {
    slapd = await startSlapd();
    const smtpPort = await freePort();
    smtp = await startSmtpServer({ port: smtpPort });
    for (const cn of ['glass', 'limited', 'maint']) groups[cn] = await slapd.addGroup(`${cn}-admins`, [slapd.placeholderDn]);
    jitd = await startJitdProcess({
      slapd,
      roles: {
        glass: { connector: 'test-ldap', group: groups.glass, maxDuration: '1h', eligible: ['group:ops'], breakGlass: true, approval: { required: 1, from: ['user:carol'] } },
        limited: {
          connector: 'test-ldap',
          group: groups.limited,
          maxDuration: '1h',
          eligible: ['group:ops'],
          approval: 'auto',
          limits: { maxActivationsPer: { count: 1, window: '7d' }, whenExceeded: { required: 1, from: ['user:carol'] } },
        },
        maint: { connector: 'test-ldap', group: groups.maint, maxDuration: '1h', maxExtendedDuration: '2h', eligible: ['group:ops'], approval: 'auto' },
      },
      notifications: {
        email: { host: '127.0.0.1', port: smtpPort, security: 'none', from: 'jitd <jitd@example.test>', timeout: '2s' },
        securityContacts: ['soc@example.test'],
        retry: { initialDelay: '300ms', maxDelay: '1s' },
      },
    });
  });
  after(async () => {
    await jitd?.stop();
    await smtp?.stop();
    await slapd?.destroy();
  });

  test('break-glass is granted at once, loudly, and a refusal in review takes it away', async () => {
    const cli = await jitd.cli('alice', ['request', 'glass', '--for', '30m', '--reason', 'INC-1 primary down, nobody answers']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^BREAK-GLASS: granted without approval\. Approvers and the security contacts have been told; someone will review this use\.\n/);
    const leaseId = /(lease-[0-9a-f]+)/.exec(cli.stdout)![1]!;
    assert.equal(await isMember('glass'), true);

    const [mail] = await smtp.waitForMessages(1, 10_000);
    assert.deepEqual([...(mail?.to ?? [])].sort(), ['carol@example.test', 'soc@example.test']);
    assert.match(mail?.parsed.subject ?? '', /BREAK-GLASS.*alice took glass without approval/);
    assert.match(mail?.parsed.text ?? '', /INC-1 primary down/);

    const status = await jitd.cli('bob', ['status']);
    assert.match(status.stdout, /Break-glass leases waiting for review \(1\): review each with jitd review LEASE --accept\|--refuse/);
    assert.match(status.stdout, new RegExp(leaseId));
    const counts = (await jitd.json<{ counts: Record<string, number> }>('bob', ['status'])).counts;
    assert.equal(counts.unreviewedBreakGlass, 1);
    assert.match(await (await fetch(`${jitd.url}/metrics`)).text(), /^jitd_breakglass_unreviewed 1$/m);

    const own = await jitd.cli('alice', ['review', leaseId, '--accept']);
    assert.equal(own.code, 4);
    assert.equal(own.stderr.trim(), `jitd: you cannot review your own break-glass lease ${leaseId}: a review needs someone else`);
    const noComment = await jitd.cli('carol', ['review', leaseId, '--refuse']);
    assert.equal(noComment.code, 3);
    assert.match(noComment.stderr, /refusing a break-glass use needs a comment saying why/);

    const refused = await jitd.cli('carol', ['review', leaseId, '--refuse', '--comment', 'no incident INC-1 exists']);
    assert.equal(refused.code, 0, refused.stderr);
    assert.equal(refused.stdout.trim(), `Reviewed ${leaseId}: refused. alice no longer holds glass.`);
    assert.equal(await isMember('glass'), false);
    const { lease } = await jitd.json<{ lease: LeaseJson }>('bob', ['show', leaseId]);
    assert.deepEqual(lease.review && [lease.review.by, lease.review.verdict, lease.review.comment], ['carol', 'refused', 'no incident INC-1 exists']);
    assert.equal((await jitd.json<{ counts: Record<string, number> }>('bob', ['status'])).counts.unreviewedBreakGlass, 0);
    assert.match(await (await fetch(`${jitd.url}/metrics`)).text(), /^jitd_breakglass_unreviewed 0$/m);

    const events = await auditOf((e) => e.leaseId === leaseId);
    assert.deepEqual(
      events.map((e) => [e.type, e.actor]),
      [
        ['request.approved', 'alice'],
        ['lease.granting', 'system'],
        ['lease.granted', 'system'],
        ['lease.reviewed', 'carol'],
        ['lease.revoke_requested', 'carol'],
        ['lease.revoked', 'system'],
      ],
    );
    assert.equal(events.find((e) => e.type === 'lease.reviewed')?.data.comment, 'no incident INC-1 exists');
  });

  test('past its usage limit an automatic role waits for approval, and says why', async () => {
    const first = await requestAs(['limited', '--for', '10m', '--reason', 'first']);
    assert.equal(first.request.state, 'active');
    assert.equal((await jitd.cli('alice', ['release', first.lease!.id])).code, 0);

    const cli = await jitd.cli('alice', ['request', 'limited', '--for', '10m', '--reason', 'second']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /is pending: it needs 1 approval before .*\. The role is automatic, but usage limit reached: 1 activation in the last 7d \(limit 1\)\./);
    const requestId = /Request (req-[0-9a-f]+)/.exec(cli.stdout)![1]!;
    assert.equal(await isMember('limited'), false);

    const approved = await jitd.cli('carol', ['approve', requestId, '--comment', 'second restore is fine']);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal(await isMember('limited'), true);
    const [created] = await auditOf((e) => e.requestId === requestId && e.type === 'request.created');
    assert.equal(created?.data.limitExceeded, 'usage limit reached: 1 activation in the last 7d (limit 1)');
  });

  test('a lease is extended through the policy, never past maxExtendedDuration', async () => {
    const granted = await requestAs(['maint', '--for', '1h', '--reason', 'upgrade']);
    const lease = granted.lease!;
    const extended = await jitd.json<{ lease: LeaseJson }>('alice', ['extend', lease.id, '--by', '30m', '--reason', 'upgrade runs long']);
    assert.equal(new Date(extended.lease.expiresAt).getTime() - new Date(lease.expiresAt).getTime(), 30 * 60_000);
    assert.equal(extended.lease.durationMs, 90 * 60_000);

    const tooLong = await jitd.cli('alice', ['extend', lease.id, '--by', '1h', '--reason', 'more']);
    assert.equal(tooLong.code, 3);
    assert.equal(tooLong.stderr.trim(), 'jitd: by: 1h more would make 2h30m in total, more than role maint allows (2h)');
    const notMine = await jitd.cli('carol', ['extend', lease.id, '--by', '5m']);
    assert.equal(notMine.code, 5, 'someone else\'s lease is not found');

    const [event] = await auditOf((e) => e.leaseId === lease.id && e.type === 'lease.extended');
    assert.deepEqual([event?.actor, event?.data.byMs, event?.data.reason, event?.data.approvedBy], ['alice', 30 * 60_000, 'upgrade runs long', 'policy']);
    assert.equal((await jitd.cli('alice', ['release', lease.id])).code, 0);
  });

  test('a scheduled request is granted when its start comes, and one can be cancelled before', async () => {
    const later = await requestAs(['maint', '--start', '+1h', '--for', '10m', '--reason', 'tonight']);
    assert.equal(later.request.state, 'approved');
    const cancelled = await jitd.cli('alice', ['cancel', later.request.id]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal((await jitd.json<{ request: RequestJson }>('alice', ['show', later.request.id])).request.state, 'cancelled');

    const cli = await jitd.cli('alice', ['request', 'maint', '--start', '+3s', '--for', '10m', '--reason', 'soon']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /is approved and scheduled: it is granted at .* for 10m\.\nCancel it before then with: jitd cancel req-/);
    const requestId = /Request (req-[0-9a-f]+)/.exec(cli.stdout)![1]!;
    assert.equal(await isMember('maint'), false, 'not before its start');
    const status = await jitd.json<{ scheduled: RequestJson[] }>('alice', ['status']);
    assert.deepEqual(status.scheduled.map((r) => r.id), [requestId]);

    assert.ok(await eventually(() => isMember('maint'), 15_000), 'granted once the start came');
    const request = (await jitd.json<{ request: RequestJson }>('alice', ['show', requestId])).request;
    assert.equal(request.state, 'active');
    assert.ok(request.leaseId);
    assert.ok(await eventually(async () => (await jitd.json<{ lease: LeaseJson }>('alice', ['show', request.leaseId!])).lease.state === 'active', 5_000));
  });

  test('bad bodies for scheduling, extending, reviewing and cancelling get a 400 or 404 naming the problem, and change nothing', async () => {
    const call = async (path: string, body: unknown) => {
      const response = await fetch(`${jitd.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${jitd.tokens.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: response.status, message: ((await response.json()) as { error: { message: string } }).error.message };
    };
    const before = (await jitd.json<{ requests: RequestJson[] }>('alice', ['requests', '--limit', '1000'])).requests.length;
    assert.deepEqual(await call('/v1/requests', { role: 'maint', reason: 'x', startAt: 'tonight' }), {
      status: 400,
      message: 'startAt: must be an ISO 8601 time with a zone, e.g. 2026-11-24T22:00:00+01:00',
    });
    assert.deepEqual(await call('/v1/requests', { role: 'maint', reason: 'x', startAt: '2099-01-01T00:00:00Z' }), { status: 400, message: 'startAt: must be within 30d from now' });
    assert.equal((await jitd.json<{ requests: RequestJson[] }>('alice', ['requests', '--limit', '1000'])).requests.length, before, 'no request was written');

    const { lease } = await requestAs(['maint', '--for', '10m', '--reason', 'bodies']);
    const extend = `/v1/leases/${lease!.id}/extend`;
    assert.equal((await call(extend, { by: 'soon', reason: 'x' })).status, 400);
    assert.match((await call(extend, { by: 'soon', reason: 'x' })).message, /^by: /);
    assert.deepEqual(await call(extend, { reason: 'x' }), { status: 400, message: 'by: say how much longer, e.g. 30m or 1h' });
    assert.deepEqual(await call(`/v1/leases/${lease!.id}/review`, { verdict: 'fine' }), { status: 400, message: 'verdict: must be accepted or refused' });
    assert.deepEqual(await call(`/v1/leases/${lease!.id}/review`, { verdict: 'accepted' }), { status: 409, message: `lease ${lease!.id} is not a break-glass lease; it needs no review` });
    assert.deepEqual(await call('/v1/requests/req-nope/cancel', {}), { status: 404, message: 'no request req-nope' });
    const after = (await jitd.json<{ lease: LeaseJson }>('alice', ['show', lease!.id])).lease;
    assert.equal(after.expiresAt, lease!.expiresAt, 'the lease did not move');
    assert.equal((await jitd.cli('alice', ['release', lease!.id])).code, 0);
  });

  test('a revocation that fails tells the security contacts once, and is retried until it holds', async () => {
    const { lease } = await requestAs(['maint', '--for', '10m', '--reason', 'third']);
    const before = smtp.messages.length;
    await slapd.stop();
    try {
      await jitd.cli('alice', ['release', lease!.id]);
      assert.ok(await waitForFailingRevocation(jitd, lease!.id), 'the revocation is failing');
      const mails = await smtp.waitForMessages(before + 1, 10_000);
      const warning = mails.slice(before).find((m) => /Revocation failing/.test(m.parsed.subject ?? ''));
      assert.ok(warning, 'a revocation.failing e-mail');
      assert.deepEqual([...warning.to], ['soc@example.test']);
    } finally {
      await slapd.start();
    }
    assert.ok(await eventually(async () => (await jitd.json<{ lease: LeaseJson }>('bob', ['show', lease!.id])).lease.state === 'revoked', 15_000));
    const failing = (await jitd.json<{ notifications: { event: string; leaseId?: string }[] }>('dave', ['notifications'])).notifications.filter((n) => n.event === 'revocation.failing' && n.leaseId === lease!.id);
    assert.equal(failing.length, 1, 'told once, not at every retry');
  });
});
