// Approval by people, through a real `jitd serve`, its CLI and a real slapd: two approvers, separation of
// duties, denial, the deadline, and the requester's manager from the directory.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startJitdProcess, type JitdProcess } from '../fixtures/jitd-process.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';

interface RequestJson {
  id: string;
  state: string;
  approvalsRequired?: number;
  approvalDeadline?: string;
  decidedBy?: string;
  outcomeNote?: string;
  leaseId?: string;
}
interface LeaseJson {
  id: string;
  state: string;
  expiresAt: string;
  grantConfirmedAt?: string;
}
interface AuditJson {
  type: string;
  actor: string;
  requestId?: string;
  data: Record<string, unknown>;
}

describe('approval by people with jitd serve, its CLI and a real slapd', () => {
  let slapd: Slapd;
  let jitd: JitdProcess;
  let dbOwners: string;
  const isMember = async (uid: string, group: string) => (await slapd.members(group)).includes(slapd.userDn(uid));
  const ask = async (role: string, who: 'alice' | 'bob' = 'alice') => {
    const result = await jitd.cli(who, ['request', role, '--for', '2h', '--reason', 'CHG-7 schema migration']);
    assert.equal(result.code, 0, result.stderr);
    return /Request (req-[0-9a-f]+)/.exec(result.stdout)![1]!;
  };
  const events = async (requestId: string): Promise<AuditJson[]> =>
    (await jitd.cli('dave', ['audit', 'export'])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditJson)
      .filter((e) => e.requestId === requestId);

  before(async () => {
    slapd = await startSlapd({ users: ['alice', 'bob', 'carol', 'dave'] });
    dbOwners = await slapd.addGroup('db-owners', [slapd.placeholderDn]);
    // alice's manager is carol, as the directory says.
    await slapd.ldapmodify(`dn: ${slapd.userDn('alice')}\nchangetype: modify\nadd: manager\nmanager: ${slapd.userDn('carol')}\n`);
    const role = { connector: 'test-ldap', group: dbOwners, maxDuration: '4h', eligible: ['group:ops'], requireReason: true };
    jitd = await startJitdProcess({
      slapd,
      roles: {
        'db-owner': { ...role, approval: { required: 2, from: ['group:ops', 'user:carol'], timeout: '30m' } },
        'db-owner-short': { ...role, approval: { required: 1, from: ['user:carol'], timeout: '2s' } },
        'db-owner-by-manager': { ...role, approval: { required: 1, from: ['manager'] } },
      },
    });
  });
  after(async () => {
    await jitd?.stop();
    await slapd?.destroy();
  });

  test('two distinct approvers grant it: the second approval puts alice in the group, and the window starts then', async () => {
    const requestId = await ask('db-owner');
    assert.equal(await isMember('alice', dbOwners), false, 'nothing is granted while it waits');
    const pending = await jitd.json<{ requests: RequestJson[] }>('bob', ['pending']);
    assert.deepEqual(pending.requests.map((r) => r.id), [requestId]);
    assert.deepEqual((await jitd.json<{ requests: RequestJson[] }>('alice', ['pending'])).requests, [], 'one\'s own request is not waiting for one');

    const first = await jitd.cli('bob', ['approve', requestId, '--comment', 'ok for tonight']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Approved req-[0-9a-f]+\. It still waits for more approvals \(2 needed in all/);
    assert.equal(await isMember('alice', dbOwners), false);

    const before = Date.now();
    const second = await jitd.json<{ request: RequestJson; lease: LeaseJson }>('carol', ['approve', requestId]);
    assert.equal(second.request.state, 'active');
    assert.equal(second.lease.state, 'active');
    assert.ok(await isMember('alice', dbOwners), 'granted when the last approval returned');
    const startsAt = Date.parse(second.lease.expiresAt) - 2 * 3_600_000;
    assert.ok(startsAt >= before - 1_000, 'the two hours count from the grant, not from the request');

    const shown = await jitd.cli('alice', ['show', requestId]);
    assert.match(shown.stdout, /approved\s+by bob at .*: ok for tonight/);
    assert.match(shown.stdout, /approved\s+by carol at /);
    assert.deepEqual(
      (await events(requestId)).map((e) => [e.type, e.actor]),
      [
        ['request.created', 'alice'],
        ['approval.given', 'bob'],
        ['approval.given', 'carol'],
        ['request.approved', 'carol'],
        ['lease.granting', 'system'],
        ['lease.granted', 'system'],
      ],
    );
    const given = (await events(requestId)).find((e) => e.type === 'approval.given');
    assert.deepEqual(given?.data, { approver: 'bob', as: 'group:ops', comment: 'ok for tonight', approvals: 1, required: 2 });
  });

  test('self-approval, outsiders and second votes get clear 403 and 409 errors', async () => {
    const requestId = await ask('db-owner');
    const self = await jitd.cli('alice', ['approve', requestId]);
    assert.equal(self.code, 4, self.stderr);
    assert.match(self.stderr, /you cannot approve your own request req-[0-9a-f]+: approval needs someone else/);
    const outsider = await jitd.cli('dave', ['approve', requestId]);
    assert.match(outsider.stderr, /dave is not an approver of role db-owner \(approvers: group:ops, user:carol\)/);
    assert.equal((await jitd.cli('bob', ['approve', requestId])).code, 0);
    const again = await fetch(`${jitd.url}/v1/requests/${requestId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jitd.tokens.bob}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as { error: { message: string } }).error.message, `bob already approved request ${requestId}; each approver counts once`);
  });

  test('the first denial ends the request, whatever approvals came before', async () => {
    const requestId = await ask('db-owner');
    assert.equal((await jitd.cli('bob', ['approve', requestId])).code, 0);
    const noComment = await jitd.cli('carol', ['deny', requestId]);
    assert.notEqual(noComment.code, 0, 'deny needs --comment');
    const denied = await jitd.json<{ request: RequestJson }>('carol', ['deny', requestId, '--comment', 'not during the freeze']);
    assert.equal(denied.request.state, 'denied');
    assert.equal(denied.request.outcomeNote, 'not during the freeze');
    const late = await jitd.cli('bob', ['approve', requestId]);
    assert.match(late.stderr, /is already denied \(decided by carol\); nothing to approve/);
    assert.equal(await isMember('alice', dbOwners), true, 'only the first test\'s lease holds the group');
  });

  test('a request nobody decides expires at its deadline and the trail says so', async () => {
    const requestId = await ask('db-owner-short');
    assert.ok(
      await eventually(async () => (await jitd.json<{ request: RequestJson }>('alice', ['show', requestId])).request.state === 'expired', 10_000),
      'expired by the scheduler',
    );
    const expired = (await events(requestId)).find((e) => e.type === 'request.expired');
    assert.equal(expired?.actor, 'system');
    const late = await jitd.cli('carol', ['approve', requestId]);
    assert.match(late.stderr, /is already expired/);
  });

  test('the requester\'s manager, as the directory names them, may approve; nobody else may', async () => {
    const requestId = await ask('db-owner-by-manager');
    const bob = await jitd.cli('bob', ['approve', requestId]);
    assert.match(bob.stderr, /bob is not an approver of role db-owner-by-manager \(approvers: manager\)/);
    assert.ok((await jitd.json<{ requests: RequestJson[] }>('carol', ['pending'])).requests.some((r) => r.id === requestId), 'it waits for carol');
    assert.ok(!(await jitd.json<{ requests: RequestJson[] }>('bob', ['pending'])).requests.some((r) => r.id === requestId), 'not for bob');
    const approved = await jitd.json<{ request: RequestJson; lease: LeaseJson }>('carol', ['approve', requestId]);
    assert.equal(approved.lease.state, 'active');
    const given = (await events(requestId)).find((e) => e.type === 'approval.given');
    assert.equal(given?.data.as, 'manager');
  });
});
