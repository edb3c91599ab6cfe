// Two approvers, end to end, with people who signed in through a real OpenID Connect provider (the loopback
// fixture) and a real SMTP server: alice (an engineer, herself in an approver group) asks for a role that
// needs two approvals; she cannot approve it herself; bob and carol are e-mailed, approve with comments, and
// the second approval puts alice in the slapd group; alice hears it by e-mail; the audit trail has each step.
// Principals are the provider's `sub` (u-alice ...), never the usernames.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startJitdProcess, type CliResult, type JitdProcess } from '../fixtures/jitd-process.ts';
import { startOidcProvider, type OidcProviderFixture } from '../fixtures/oidc-provider.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../fixtures/smtp-server.ts';

type Username = 'alice' | 'bob' | 'carol';

interface RequestJson {
  id: string;
  principal: string;
  role: string;
  state: string;
  approvalsRequired?: number;
  decidedBy?: string;
  leaseId?: string;
}
interface ApprovalJson {
  approver: string;
  decision: string;
  comment?: string;
  at: string;
}
interface LeaseJson {
  id: string;
  state: string;
  principal: string;
}
interface AuditJson {
  seq: number;
  at: string;
  type: string;
  actor: string;
  requestId?: string;
  leaseId?: string;
  data: Record<string, unknown>;
}

const ROLE = 'db-owner';
const REASON = 'CHG-42 migrate the orders schema';
const BOB_SAYS = 'ok, CHG-42 is on the board';
const CAROL_SAYS = 'approved for the maintenance window';

function homeOf(jitd: JitdProcess, username: Username): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: join(jitd.dir, `home-${username}`) };
}

/** `jitd login` as `username`: the test plays the person approving the code in a browser while the CLI polls. */
async function cliLogin(jitd: JitdProcess, idp: OidcProviderFixture, username: Username): Promise<void> {
  const run = jitd.cliProcess(undefined, ['login'], homeOf(jitd, username));
  const stderr = await run.waitForStderr((s) => /\(or open (\S+)\)/.test(s));
  await idp.approveDevice(/\(or open (\S+)\)/.exec(stderr)![1]!, username);
  const result = await run.done;
  assert.equal(result.code, 0, result.stderr);
}

/** A time as e-mails show it: "2026-11-24 14:05 UTC". */
const TIME = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC';
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const mailTo = (mails: readonly ReceivedMail[], address: string) => mails.filter((m) => m.to.includes(address));

describe('two approvers signed in through a real OIDC provider, e-mailed by a real SMTP server, grant a role in a real slapd', () => {
  let slapd: Slapd;
  let idp: OidcProviderFixture;
  let smtp: TestSmtpServer;
  let jitd: JitdProcess;
  let groupDn: string;
  let requestId = '';

  /** `jitd ARGS` as the OIDC session `username` signed in with. */
  const as = (username: Username, args: readonly string[]): Promise<CliResult> => jitd.cli(undefined, args, homeOf(jitd, username));
  const asJson = async <T>(username: Username, args: readonly string[]): Promise<T> => {
    const result = await as(username, [...args, '-o', 'json']);
    assert.equal(result.code, 0, `jitd ${args.join(' ')} as ${username}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
  const pendingFor = async (username: Username) => (await asJson<{ requests: RequestJson[] }>(username, ['pending'])).requests.map((r) => r.id);
  const isMember = async (uid: string) => (await slapd.members(groupDn)).includes(slapd.userDn(uid));
  /** The whole audit trail, as the auditor (dave's config token, group security) exports it. */
  const auditTrail = async (): Promise<AuditJson[]> => {
    const exported = await jitd.cli('dave', ['audit', 'export']);
    assert.equal(exported.code, 0, exported.stderr);
    return exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditJson);
  };
  const requireRequest = () => assert.ok(requestId, 'an earlier step did not create the request');

  before(async () => {
    slapd = await startSlapd({ users: ['u-alice', 'u-bob', 'u-carol', 'u-dave'] });
    groupDn = await slapd.addGroup('db-owners', [slapd.placeholderDn]);
    [idp, smtp] = await Promise.all([startOidcProvider({ devicePollIntervalSeconds: 0.2 }), startSmtpServer()]);
    jitd = await startJitdProcess({
      slapd,
      oidc: { issuer: idp.issuer, clientId: idp.clients.web.id, clientSecret: idp.clients.web.secret, cliClientId: idp.clients.cli.id },
      roles: {
        [ROLE]: {
          description: 'owners of the orders database',
          connector: 'test-ldap',
          group: groupDn,
          maxDuration: '4h',
          defaultDuration: '1h',
          eligible: ['group:engineers'],
          requireReason: true,
          approval: { required: 2, from: ['group:db-leads', 'group:engineers'] },
        },
      },
      notifications: { email: { host: '127.0.0.1', port: smtp.port, security: 'none', from: 'jitd <jitd@example.test>', timeout: '2s' }, retry: { initialDelay: '300ms', maxDelay: '1s' } },
    });
    // One after the other, so that the audit trail lists their sign-ins in this order.
    for (const username of ['alice', 'bob', 'carol'] as const) await cliLogin(jitd, idp, username);
  });
  after(async () => {
    await jitd?.stop();
    await smtp?.stop();
    await idp?.stop();
    await slapd?.destroy();
  });

  test('alice, bob and carol signed in with the device flow and are known by the provider\'s sub and groups claim', async () => {
    const people = await Promise.all((['alice', 'bob', 'carol'] as const).map((u) => asJson<{ principal: string; groups: string[] }>(u, ['whoami'])));
    assert.deepEqual(
      people.map((me) => [me.principal, me.groups]),
      [
        ['u-alice', ['engineers']],
        ['u-bob', ['engineers', 'db-leads']],
        ['u-carol', ['db-leads', 'security']],
      ],
    );
    const signedIn = (await auditTrail()).filter((e) => e.type === 'auth.signed_in').map((e) => e.actor);
    assert.deepEqual(signedIn, ['u-alice', 'u-bob', 'u-carol']);
  });

  test('alice\'s request waits for two approvals and the CLI says so; nothing is granted yet', async () => {
    const result = await as('alice', ['request', ROLE, '--for', '2h', '--reason', REASON]);
    assert.equal(result.code, 0, result.stderr);
    const match = /^Request (req-[0-9a-f]+) for db-owner is pending: it needs 2 approvals before .+\.\nApprovers see it with: jitd pending; follow it with: jitd show (req-[0-9a-f]+)\n$/.exec(result.stdout);
    assert.ok(match, result.stdout);
    assert.equal(match[2], match[1]);
    requestId = match[1]!;
    const shown = await asJson<{ request: RequestJson }>('alice', ['show', requestId]);
    assert.deepEqual([shown.request.principal, shown.request.state, shown.request.approvalsRequired], ['u-alice', 'pending', 2]);
    assert.equal(await isMember('u-alice'), false, 'nothing is granted while it waits');
  });

  test('alice cannot approve her own request although she is in an approver group', async () => {
    requireRequest();
    const self = await as('alice', ['approve', requestId, '--comment', 'trust me']);
    assert.equal(self.code, 4, self.stderr);
    assert.equal(self.stderr, `jitd: you cannot approve your own request ${requestId}: approval needs someone else\n`);
    assert.deepEqual(await pendingFor('alice'), [], 'one\'s own request does not wait for one');
  });

  test('bob and carol get one approval e-mail naming the request, the role, alice, the reason and its link; alice gets none', async () => {
    requireRequest();
    const [mail] = await smtp.waitForMessages(1, 10_000);
    assert.ok(mail);
    assert.deepEqual([...mail.to].sort(), ['bob@example.test', 'carol@example.test']);
    assert.equal(mail.parsed.subject, 'Approval needed: Alice Archer (u-alice) requests db-owner for 2h');
    const text = mail.parsed.text ?? '';
    assert.match(text, /^Alice Archer \(u-alice\) asks for db-owner for 2h and needs your approval\.$/m);
    assert.match(text, /^Principal: Alice Archer \(u-alice\)$/m);
    assert.match(text, /^Role: db-owner$/m);
    assert.match(text, new RegExp(`^Reason:\\n  ${escapeRegExp(REASON)}$`, 'm'));
    assert.match(text, new RegExp(`^Open the request: ${jitd.url}/requests/${requestId}$`, 'm'));
    assert.ok(text.includes(`request ${requestId}`), 'the footer names the request');
    assert.ok((mail.parsed.html || '').includes(`href="${jitd.url}/requests/${requestId}"`), 'the HTML part links to the request');
    // Give the notifier a few polls to send anything else it might (wrongly) have queued.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(smtp.messages.length, 1);
    assert.deepEqual(mailTo(smtp.messages, 'alice@example.test'), [], 'the requester is not asked to approve');
  });

  test('bob\'s approval is one of two: the request still waits, bob cannot vote twice, and it leaves bob\'s list but not carol\'s', async () => {
    requireRequest();
    assert.deepEqual(await pendingFor('bob'), [requestId]);
    assert.deepEqual(await pendingFor('carol'), [requestId]);

    const first = await as('bob', ['approve', requestId, '--comment', BOB_SAYS]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`^Approved ${requestId}\\. It still waits for more approvals \\(2 needed in all, before .+\\)\\.\\n$`));
    const shown = await asJson<{ request: RequestJson; approvals: ApprovalJson[] }>('alice', ['show', requestId]);
    assert.equal(shown.request.state, 'pending');
    assert.deepEqual(shown.approvals.map((a) => [a.approver, a.decision, a.comment]), [['u-bob', 'approve', BOB_SAYS]]);
    assert.equal(await isMember('u-alice'), false, 'one approval of two grants nothing');

    const again = await as('bob', ['approve', requestId]);
    assert.equal(again.code, 6, again.stderr);
    assert.equal(again.stderr, `jitd: u-bob already approved request ${requestId}; each approver counts once\n`);
    // The same through the API with bob's own session, for the HTTP status.
    const { token } = JSON.parse(await readFile(join(jitd.dir, 'home-bob', 'jitd', 'login.json'), 'utf8')) as { token: string };
    const response = await fetch(`${jitd.url}/v1/requests/${requestId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(response.status, 409);
    assert.equal(((await response.json()) as { error: { message: string } }).error.message, `u-bob already approved request ${requestId}; each approver counts once`);

    assert.deepEqual(await pendingFor('carol'), [requestId]);
    assert.deepEqual(await pendingFor('bob'), []);
  });

  test('carol\'s approval is the second: the request is active and alice is a member of the group in slapd', async () => {
    requireRequest();
    const second = await asJson<{ request: RequestJson; lease: LeaseJson }>('carol', ['approve', requestId, '--comment', CAROL_SAYS]);
    assert.equal(second.request.state, 'active');
    assert.equal(second.request.decidedBy, 'u-bob,u-carol');
    assert.deepEqual([second.lease.state, second.lease.principal], ['active', 'u-alice']);
    assert.ok(await isMember('u-alice'), 'granted before the approval returned');
    assert.deepEqual(await pendingFor('carol'), []);
  });

  test('alice gets the "approved" e-mail naming both approvers and their comments', async () => {
    requireRequest();
    const mails = await smtp.waitForMessages(2, 10_000);
    const toAlice = mailTo(mails, 'alice@example.test');
    assert.equal(toAlice.length, 1, `mails so far go to: ${mails.map((m) => m.to.join(',')).join(' | ')}`);
    const mail = toAlice[0]!;
    assert.deepEqual(mail.to, ['alice@example.test']);
    assert.equal(mail.parsed.subject, "Approved: Alice Archer (u-alice)'s request for db-owner");
    const text = mail.parsed.text ?? '';
    assert.match(text, /^The request of Alice Archer \(u-alice\) for db-owner was approved by u-bob, u-carol\.$/m);
    assert.match(text, new RegExp(`^  2 of 2: u-bob \\(${TIME}\\): ${escapeRegExp(BOB_SAYS)}; u-carol \\(${TIME}\\): ${escapeRegExp(CAROL_SAYS)}$`, 'm'));
    assert.match(text, new RegExp(`^Open the request: ${jitd.url}/requests/${requestId}$`, 'm'));
  });

  test('the audit trail verifies and records every step in order: who asked, who approved when with what comment, the grant', async () => {
    requireRequest();
    const verify = await jitd.cli('dave', ['audit', 'verify']);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /^audit chain OK: \d+ events, head #\d+ [0-9a-f]{64}\n$/);

    const events = (await auditTrail()).filter((e) => e.requestId === requestId);
    assert.deepEqual(
      events.map((e) => [e.type, e.actor]),
      [
        ['request.created', 'u-alice'],
        ['approval.given', 'u-bob'],
        ['approval.given', 'u-carol'],
        ['request.approved', 'u-carol'],
        ['lease.granting', 'system'],
        ['lease.granted', 'system'],
      ],
    );
    const [created, byBob, byCarol, approved, granting, granted] = events as [AuditJson, AuditJson, AuditJson, AuditJson, AuditJson, AuditJson];
    assert.equal(created.data.principal, 'u-alice');
    assert.equal(created.data.role, ROLE);
    assert.equal(created.data.reason, REASON);
    assert.equal(created.data.approvalsRequired, 2);
    // bob is in both approver groups; carol only in db-leads.
    assert.deepEqual(byBob.data, { approver: 'u-bob', as: 'group:db-leads, group:engineers', comment: BOB_SAYS, approvals: 1, required: 2 });
    assert.deepEqual(byCarol.data, { approver: 'u-carol', as: 'group:db-leads', comment: CAROL_SAYS, approvals: 2, required: 2 });
    assert.deepEqual(approved.data, { mode: 'manual', approvers: ['u-bob', 'u-carol'] });

    // "When": each approval event carries the time of the decision that `jitd show` reports.
    const { approvals, request } = await asJson<{ request: RequestJson; approvals: ApprovalJson[] }>('alice', ['show', requestId]);
    assert.deepEqual(approvals.map((a) => [a.approver, a.comment]), [['u-bob', BOB_SAYS], ['u-carol', CAROL_SAYS]]);
    assert.equal(byBob.at, approvals[0]!.at);
    assert.equal(byCarol.at, approvals[1]!.at);
    assert.ok(Date.parse(created.at) <= Date.parse(byBob.at) && Date.parse(byBob.at) <= Date.parse(byCarol.at), 'times follow the steps');
    assert.equal(approved.at, byCarol.at, 'the second approval approved it');
    assert.ok(Date.parse(granted.at) >= Date.parse(granting.at));
    assert.equal(granting.leaseId, request.leaseId);
    assert.equal(granted.leaseId, request.leaseId);
  });
});
