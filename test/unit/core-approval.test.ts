// decideRequest and expirePendingRequest: who may decide a pending request, and what each decision does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRequest, expirePendingRequest, mayApprove, type Approval, type ApprovalDecision } from '../../src/core/approval.ts';
import { ConflictError, ForbiddenError, InvalidInputError } from '../../src/core/errors.ts';
import { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../../src/core/ids.ts';
import { openRequest } from '../../src/core/open-request.ts';
import { evaluateAsk } from '../../src/core/policy.ts';
import type { Principal } from '../../src/core/principal.ts';
import type { AccessRequest } from '../../src/core/request.ts';
import type { Role } from '../../src/core/role.ts';

/** The policy's context for asks with no earlier use of the role. */
const NO_HISTORY = { now: new Date('2026-01-05T09:00:00Z'), history: [] };

const HOUR = 3_600_000;
const t0 = new Date('2030-01-01T08:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

const role: Role = {
  name: RoleName('db-owner'),
  connector: ConnectorName('corp-ldap'),
  target: { group: 'cn=db-owners,ou=groups,dc=example,dc=org' },
  eligible: ['group:engineers'],
  approval: { mode: 'manual', required: 2, from: ['group:db-leads', 'user:carol', 'manager'], timeoutMs: 30 * 60_000 },
  defaultDurationMs: HOUR,
  maxDurationMs: 4 * HOUR,
  requireReason: true,
  enforce: false,
  breakGlass: false,
  maxExtendedDurationMs: 4 * HOUR,
};
const alice: Principal = { id: PrincipalId('alice'), groups: ['engineers', 'db-leads'] };
const bob: Principal = { id: PrincipalId('bob'), groups: ['db-leads'] };
const carol: Principal = { id: PrincipalId('carol'), groups: [] };
const dave: Principal = { id: PrincipalId('dave'), groups: ['auditors'] };

function pendingRequest(requester: Principal = alice): AccessRequest {
  const ask = { durationMs: 2 * HOUR, reason: 'CHG-7 schema migration' };
  const opened = openRequest({ requestId: RequestId('req-1'), leaseId: LeaseId('unused'), principal: requester, role, ask, decision: evaluateAsk(requester, role, ask, NO_HISTORY), now: t0, claimMs: 30_000 });
  return opened.request;
}

function decide(request: AccessRequest, approver: Principal, decision: ApprovalDecision, options: { approvals?: Approval[]; comment?: string; manager?: boolean; now?: Date } = {}) {
  return decideRequest({
    request,
    role,
    approvals: options.approvals ?? [],
    approver,
    isRequestersManager: options.manager ?? false,
    decision,
    ...(options.comment === undefined ? {} : { comment: options.comment }),
    now: options.now ?? at(60_000),
    leaseId: LeaseId('lease-1'),
    claimMs: 30_000,
  });
}

describe('a request that needs people', () => {
  test('waits as pending with the number of approvals it needs and its deadline', () => {
    const request = pendingRequest();
    assert.equal(request.state, 'pending');
    assert.equal(request.approvalsRequired, 2);
    assert.deepEqual(request.approvalDeadline, at(30 * 60_000));
  });

  test('one approval of two records the decision and keeps it pending, with a new version', () => {
    const request = pendingRequest();
    const outcome = decide(request, bob, 'approve', { comment: 'looks fine' });
    assert.equal(outcome.request.state, 'pending');
    assert.equal(outcome.request.version, request.version + 1);
    assert.equal(outcome.lease, undefined);
    assert.deepEqual(outcome.approval, { requestId: request.id, approver: bob.id, decision: 'approve', comment: 'looks fine', at: at(60_000) });
    assert.deepEqual(
      outcome.events.map((e) => [e.type, e.actor, e.data]),
      [['approval.given', 'bob', { approver: 'bob', as: 'group:db-leads', comment: 'looks fine', approvals: 1, required: 2 }]],
    );
  });

  test('the approval that completes it approves the request and opens a granting lease whose window starts at the grant', () => {
    const request = pendingRequest();
    const first = decide(request, bob, 'approve');
    const second = decide(first.request, carol, 'approve', { approvals: [first.approval], now: at(20 * 60_000) });
    assert.equal(second.request.state, 'approved');
    assert.equal(second.request.leaseId, 'lease-1');
    assert.equal(second.request.decidedBy, 'bob,carol');
    assert.equal(second.lease?.state, 'granting');
    assert.deepEqual(second.lease?.requestedAt, at(20 * 60_000));
    assert.deepEqual(second.lease?.expiresAt, at(20 * 60_000 + 2 * HOUR), 'the requested two hours start at the approval, not at the request');
    assert.deepEqual(
      second.events.map((e) => e.type),
      ['approval.given', 'request.approved', 'lease.granting'],
    );
    assert.deepEqual(second.events[1]?.data, { mode: 'manual', approvers: ['bob', 'carol'] });
  });

  test('nobody decides their own request, even when they are an approver of the role', () => {
    const request = pendingRequest(alice);
    assert.throws(() => decide(request, alice, 'approve'), new ForbiddenError('you cannot approve your own request req-1: approval needs someone else'));
    assert.throws(
      () => decide(request, alice, 'deny', { comment: 'never mind' }),
      new ForbiddenError('you cannot deny your own request req-1: approval needs someone else (to withdraw it, cancel it)'),
    );
    assert.equal(mayApprove(alice, request, role, false), false);
  });

  test('someone who is not an approver is refused with the list of approvers', () => {
    assert.throws(() => decide(pendingRequest(), dave, 'approve'), new ForbiddenError('dave is not an approver of role db-owner (approvers: group:db-leads, user:carol, manager)'));
  });

  test('the requester\'s manager counts only when the directory says so', () => {
    const request = pendingRequest();
    assert.throws(() => decide(request, dave, 'approve', { manager: false }), ForbiddenError);
    const outcome = decide(request, dave, 'approve', { manager: true });
    assert.equal(outcome.events[0]?.data.as, 'manager');
  });

  test('one person counts once', () => {
    const request = pendingRequest();
    const first = decide(request, bob, 'approve');
    assert.throws(() => decide(first.request, bob, 'approve', { approvals: [first.approval] }), new ConflictError('bob already approved request req-1; each approver counts once'));
  });

  test('the first denial ends it, and it needs a comment', () => {
    const request = pendingRequest();
    const first = decide(request, bob, 'approve');
    assert.throws(() => decide(first.request, carol, 'deny', { approvals: [first.approval] }), (error: unknown) => error instanceof InvalidInputError && error.message === 'comment: a denial needs a comment saying why');
    const denied = decide(first.request, carol, 'deny', { approvals: [first.approval], comment: 'not during the freeze' });
    assert.equal(denied.request.state, 'denied');
    assert.equal(denied.request.decidedBy, 'carol');
    assert.equal(denied.request.outcomeNote, 'not during the freeze');
    assert.deepEqual(denied.events.map((e) => [e.type, e.data]), [['request.denied', { approver: 'carol', as: 'user:carol', comment: 'not during the freeze' }]]);
    assert.throws(() => decide(denied.request, bob, 'approve'), new ConflictError('request req-1 is already denied (decided by carol); nothing to approve'));
  });

  test('an undecided request expires at its deadline and can no longer be decided', () => {
    const expired = expirePendingRequest(pendingRequest(), at(30 * 60_000));
    assert.equal(expired.request.state, 'expired');
    assert.deepEqual(expired.events.map((e) => [e.type, e.actor, e.data]), [['request.expired', 'system', { deadline: at(30 * 60_000).toISOString(), approvalsRequired: 2 }]]);
    assert.throws(() => decide(expired.request, bob, 'approve'), ConflictError);
  });
});
