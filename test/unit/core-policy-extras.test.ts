// Break-glass, usage limits, scheduled starts, extensions, reviews and cancelling: the pure rules in
// src/core (policy.ts, usage-limits.ts, open-request.ts, approval.ts, extension.ts, review.ts, request.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideRequest, mayApprove } from '../../src/core/approval.ts';
import { ConflictError, ForbiddenError, InvalidInputError } from '../../src/core/errors.ts';
import { evaluateExtension, extendLease, openExtensionRequest } from '../../src/core/extension.ts';
import { LeaseId, PrincipalId, RequestId } from '../../src/core/ids.ts';
import { confirmGrant, type Lease } from '../../src/core/lease.ts';
import { openRequest } from '../../src/core/open-request.ts';
import { evaluateAsk, type AccessAsk } from '../../src/core/policy.ts';
import type { Principal } from '../../src/core/principal.ts';
import { cancelRequest } from '../../src/core/request.ts';
import { reviewLease } from '../../src/core/review.ts';
import type { Role } from '../../src/core/role.ts';
import { usageLimitExceeded } from '../../src/core/usage-limits.ts';
import { dbAdminRole } from './core-fixtures.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const t0 = new Date('2030-01-07T08:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const alice: Principal = { id: PrincipalId('alice'), groups: ['ops'] };
const bob: Principal = { id: PrincipalId('bob'), groups: ['db-leads'] };
const carol: Principal = { id: PrincipalId('carol'), groups: ['security'] };

const manualFrom = (from: Role['eligible'], required = 1) => ({ mode: 'manual' as const, required, from, timeoutMs: HOUR });

/** Opens and (for granted ones) confirms a lease of `role` for alice at `when`, as the engine would. */
function grantedLease(role: Role, when: Date, durationMs = HOUR, id = 'lease-1'): Lease {
  const ask: AccessAsk = { durationMs, reason: 'work' };
  const opened = openRequest({ requestId: RequestId(`req-${id}`), leaseId: LeaseId(id), principal: alice, role, ask, decision: evaluateAsk(alice, { ...role, limits: undefined }, ask, { now: when, history: [] }), now: when, claimMs: 30_000 });
  assert.ok(opened.lease);
  return confirmGrant(opened.request, opened.lease, { grantedAt: when, confirmedAt: when }).lease;
}

describe('break-glass roles', () => {
  const glass = dbAdminRole({ breakGlass: true, approval: manualFrom(['group:db-leads'], 2) });

  test('are granted at once even though the role names approvers, and the lease must be reviewed', () => {
    const decision = evaluateAsk(alice, glass, { reason: 'primary down' }, { now: t0, history: [] });
    assert.deepEqual(decision, { outcome: 'break_glass', durationMs: HOUR });
    const opened = openRequest({ requestId: RequestId('req-1'), leaseId: LeaseId('lease-1'), principal: alice, role: glass, ask: { reason: 'primary down' }, decision, now: t0, claimMs: 30_000 });
    assert.equal(opened.request.state, 'approved');
    assert.equal(opened.request.approval, 'break_glass');
    assert.equal(opened.request.decidedBy, 'break-glass');
    assert.equal(opened.lease?.reviewRequired, true);
    assert.deepEqual(opened.events.map((e) => [e.type, e.actor, e.data.mode ?? e.data.approval]), [
      ['request.created', 'alice', 'break_glass'],
      ['request.approved', 'alice', 'break_glass'],
      ['lease.granting', 'system', undefined],
    ]);
  });

  test('cannot be scheduled: break-glass access starts now', () => {
    assert.throws(() => evaluateAsk(alice, glass, { startAt: at(HOUR) }, { now: t0, history: [] }), {
      message: 'startAt: role db-admin is break-glass: it is granted now or not at all',
    });
  });
});

describe('reviewing a break-glass lease', () => {
  const glass = dbAdminRole({ breakGlass: true, eligible: ['group:ops'], approval: manualFrom(['group:db-leads']) });
  const open = () => {
    const ask = { reason: 'primary down' };
    const opened = openRequest({ requestId: RequestId('req-1'), leaseId: LeaseId('lease-1'), principal: alice, role: glass, ask, decision: evaluateAsk(alice, glass, ask, { now: t0, history: [] }), now: t0, claimMs: 30_000 });
    return confirmGrant(opened.request, opened.lease!, { grantedAt: t0, confirmedAt: t0 });
  };
  const review = (reviewer: Principal, verdict: 'accepted' | 'refused', comment?: string, isAdmin = false, granted = open()) =>
    reviewLease({ lease: granted.lease, request: granted.request, role: glass, reviewer, isAdmin, verdict, ...(comment === undefined ? {} : { comment }), now: at(10 * 60_000), claimUntil: at(11 * 60_000) });

  test("an approver of the role accepts it: the lease keeps running and records who reviewed it", () => {
    const outcome = review(bob, 'accepted', 'incident INC-9 confirmed');
    assert.equal(outcome.lease.state, 'active');
    assert.deepEqual(outcome.lease.review, { by: 'bob', at: at(10 * 60_000), verdict: 'accepted', comment: 'incident INC-9 confirmed' });
    assert.equal(outcome.revoke, false);
    assert.deepEqual(outcome.events.map((e) => [e.type, e.actor, e.data.verdict]), [['lease.reviewed', 'bob', 'accepted']]);
  });

  test('a refusal of access that still holds revokes it in the same change', () => {
    const outcome = review(bob, 'refused', 'no incident open');
    assert.equal(outcome.lease.state, 'revoking');
    assert.equal(outcome.lease.review?.verdict, 'refused');
    assert.equal(outcome.request?.state, 'revoked');
    assert.equal(outcome.revoke, true);
    assert.deepEqual(outcome.events.map((e) => e.type), ['lease.reviewed', 'lease.revoke_requested']);
    assert.equal(outcome.events[1]?.data.note, 'break-glass use refused in review: no incident open');
  });

  test('the holder cannot review their own use, nor can someone who is neither approver nor admin', () => {
    assert.throws(() => review(alice, 'accepted', undefined, true), new ForbiddenError('you cannot review your own break-glass lease lease-1: a review needs someone else'));
    assert.throws(() => review(carol, 'accepted'), new ForbiddenError('carol may not review lease lease-1 (reviewers: group:db-leads or an admin)'));
    assert.equal(review(carol, 'accepted', undefined, true).lease.review?.by, 'carol');
  });

  test('a refusal needs a comment, and a lease is reviewed once', () => {
    assert.throws(() => review(bob, 'refused', '  '), (e: unknown) => e instanceof InvalidInputError && e.message === 'comment: refusing a break-glass use needs a comment saying why');
    const once = review(bob, 'accepted');
    assert.throws(() => review(carol, 'accepted', undefined, true, { ...open(), lease: once.lease }), new ConflictError('lease lease-1 was already reviewed by bob (accepted)'));
  });

  test('a lease that is not break-glass needs no review', () => {
    const plain = grantedLease(dbAdminRole(), t0);
    assert.throws(
      () => reviewLease({ lease: plain, request: open().request, role: glass, reviewer: bob, isAdmin: true, verdict: 'accepted', now: t0, claimUntil: t0 }),
      new ConflictError('lease lease-1 is not a break-glass lease; it needs no review'),
    );
  });
});

describe('usage limits', () => {
  const limited = (whenExceeded: NonNullable<Role['limits']>['whenExceeded']) =>
    dbAdminRole({ limits: { maxActivations: { count: 2, windowMs: 7 * DAY }, maxTotalDuration: { durationMs: 3 * HOUR, windowMs: 7 * DAY }, whenExceeded } });

  test('under the limits an automatic role stays automatic', () => {
    const role = limited({ mode: 'refuse' });
    const history = [grantedLease(role, at(-DAY))];
    assert.deepEqual(evaluateAsk(alice, role, { durationMs: HOUR }, { now: t0, history }), { outcome: 'auto_approved', durationMs: HOUR });
  });

  test('past the activation count the request is refused with the reason, when the role says refuse', () => {
    const role = limited({ mode: 'refuse' });
    const history = [grantedLease(role, at(-2 * DAY), HOUR / 2, 'l1'), grantedLease(role, at(-DAY), HOUR / 2, 'l2')];
    assert.throws(
      () => evaluateAsk(alice, role, { durationMs: HOUR / 2 }, { now: t0, history }),
      new ConflictError('usage limit reached: 2 activations in the last 7d (limit 2): role db-admin refuses requests past its limits'),
    );
  });

  test('past the total duration the request tips into manual approval, saying why', () => {
    const role = limited({ mode: 'manual', required: 1, from: ['group:db-leads'], timeoutMs: 2 * HOUR });
    const history = [grantedLease(role, at(-DAY), 2 * HOUR)];
    const decision = evaluateAsk(alice, role, { durationMs: 2 * HOUR }, { now: t0, history });
    assert.deepEqual(decision, {
      outcome: 'needs_approval',
      durationMs: 2 * HOUR,
      approvalsRequired: 1,
      timeoutMs: 2 * HOUR,
      limitExceeded: 'usage limit reached: 2h held in the last 7d; 2h more would exceed the limit of 3h',
    });
    const opened = openRequest({ requestId: RequestId('req-9'), leaseId: LeaseId('lease-9'), principal: alice, role, ask: { durationMs: 2 * HOUR }, decision, now: t0, claimMs: 30_000 });
    assert.equal(opened.request.state, 'pending');
    assert.equal(opened.request.limitExceeded, decision.outcome === 'needs_approval' ? decision.limitExceeded : '');
    assert.equal(opened.events[0]?.data.limitExceeded, opened.request.limitExceeded);
    // The limit's approvers decide it, although the role itself is automatic.
    assert.equal(mayApprove(bob, opened.request, role, false), true);
    assert.equal(mayApprove(carol, opened.request, role, false), false);
    const approved = decideRequest({ request: opened.request, role, approvals: [], approver: bob, isRequestersManager: false, decision: 'approve', now: at(60_000), leaseId: LeaseId('lease-9'), claimMs: 30_000 });
    assert.equal(approved.request.state, 'approved');
    assert.equal(approved.lease?.id, 'lease-9');
  });

  test('leases outside the window and failed grants do not count', () => {
    const role = limited({ mode: 'refuse' });
    const old = grantedLease(role, at(-8 * DAY), HOUR, 'old');
    const failed: Lease = { ...grantedLease(role, at(-HOUR), HOUR, 'failed'), revokeReason: 'grant_failed' };
    assert.equal(usageLimitExceeded(role.limits, [old, old, failed, failed], HOUR, t0), undefined);
  });

  test('a lease released early counts only for the time it was held', () => {
    const role = limited({ mode: 'refuse' });
    const released: Lease = { ...grantedLease(role, at(-DAY), 3 * HOUR), revokeRequestedAt: at(-DAY + HOUR / 2) };
    assert.equal(usageLimitExceeded(role.limits, [released], 2 * HOUR, t0), undefined);
    assert.match(usageLimitExceeded(role.limits, [released], 3 * HOUR, t0) ?? '', /30m held in the last 7d; 3h more would exceed the limit of 3h/);
  });
});

describe('scheduled starts', () => {
  test('an automatic request with a future start is approved now and opens no lease yet', () => {
    const role = dbAdminRole();
    const decision = evaluateAsk(alice, role, { startAt: at(14 * HOUR) }, { now: t0, history: [] });
    assert.deepEqual(decision, { outcome: 'auto_approved', durationMs: HOUR, startAt: at(14 * HOUR) });
    const opened = openRequest({ requestId: RequestId('req-1'), leaseId: LeaseId('lease-1'), principal: alice, role, ask: {}, decision, now: t0, claimMs: 30_000 });
    assert.equal(opened.lease, undefined);
    assert.equal(opened.request.state, 'approved');
    assert.equal(opened.request.leaseId, undefined);
    assert.deepEqual(opened.request.startAt, at(14 * HOUR));
    assert.deepEqual(opened.events.map((e) => e.type), ['request.created', 'request.approved']);
  });

  test('a start in the past means now, and one beyond 30 days is refused', () => {
    const role = dbAdminRole();
    assert.deepEqual(evaluateAsk(alice, role, { startAt: at(-60_000) }, { now: t0, history: [] }), { outcome: 'auto_approved', durationMs: HOUR });
    assert.throws(() => evaluateAsk(alice, role, { startAt: at(31 * DAY) }, { now: t0, history: [] }), { message: 'startAt: must be within 30d from now' });
  });

  test('a scheduled request approved by people before its start waits for it; after its start it is granted at once', () => {
    const role = dbAdminRole({ approval: manualFrom(['group:db-leads']) });
    const decision = evaluateAsk(alice, role, { startAt: at(2 * HOUR) }, { now: t0, history: [] });
    const opened = openRequest({ requestId: RequestId('req-1'), leaseId: LeaseId('x'), principal: alice, role, ask: {}, decision, now: t0, claimMs: 30_000 });
    const decide = (now: Date) => decideRequest({ request: opened.request, role, approvals: [], approver: bob, isRequestersManager: false, decision: 'approve', now, leaseId: LeaseId('lease-1'), claimMs: 30_000 });
    const early = decide(at(HOUR));
    assert.equal(early.request.state, 'approved');
    assert.equal(early.lease, undefined);
    assert.equal(early.request.leaseId, undefined);
    const late = decide(at(3 * HOUR));
    assert.equal(late.lease?.id, 'lease-1');
  });

  test('the requester can cancel a scheduled or pending request, not a granted one', () => {
    const role = dbAdminRole();
    const scheduled = openRequest({ requestId: RequestId('req-1'), leaseId: LeaseId('lease-1'), principal: alice, role, ask: {}, decision: evaluateAsk(alice, role, { startAt: at(HOUR) }, { now: t0, history: [] }), now: t0, claimMs: 30_000 });
    const cancelled = cancelRequest(scheduled.request, { actor: 'alice', now: at(60_000) });
    assert.equal(cancelled.request.state, 'cancelled');
    assert.deepEqual(cancelled.events.map((e) => [e.type, e.data.was]), [['request.cancelled', 'scheduled']]);
    const now = openRequest({ requestId: RequestId('req-2'), leaseId: LeaseId('lease-2'), principal: alice, role, ask: {}, decision: evaluateAsk(alice, role, {}, { now: t0, history: [] }), now: t0, claimMs: 30_000 });
    assert.throws(() => cancelRequest(now.request, { actor: 'alice', now: t0 }), new ConflictError('request req-2 is approved; only a pending or scheduled request can be cancelled (its access is lease lease-2: release that instead)'));
  });
});

describe('extending a lease', () => {
  const role = dbAdminRole({ maxDurationMs: 2 * HOUR, maxExtendedDurationMs: 3 * HOUR, requireReason: true });
  const lease = grantedLease(role, t0, HOUR);
  const ask = (byMs: number, reason = 'restore still running') => ({ byMs, reason });
  const evaluate = (input: Partial<Parameters<typeof evaluateExtension>[0]> = {}) =>
    evaluateExtension({ principal: alice, role, lease, ask: ask(HOUR), history: [lease], nativeExpiry: false, now: at(30 * 60_000), ...input });

  test('an automatic role extends at once, and the lease ends later by that much', () => {
    const decision = evaluate();
    assert.deepEqual(decision, { outcome: 'extend_now', byMs: HOUR, reason: 'restore still running' });
    const extended = extendLease(lease, { byMs: HOUR, reason: 'restore still running', actor: 'alice', approvedBy: 'policy', now: at(30 * 60_000) });
    assert.deepEqual(extended.lease.expiresAt, at(2 * HOUR));
    assert.equal(extended.lease.durationMs, 2 * HOUR);
    assert.deepEqual(extended.events.map((e) => [e.type, e.data.byMs, e.data.expiresAt]), [['lease.extended', HOUR, at(2 * HOUR).toISOString()]]);
  });

  test('never beyond maxExtendedDuration in total', () => {
    assert.throws(() => evaluate({ ask: ask(2 * HOUR + 1_000) }), {
      message: 'by: 2h1s more would make 3h1s in total, more than role db-admin allows (3h)',
    });
  });

  test("only the holder extends, only active access, and never a target that ends access by itself", () => {
    assert.throws(() => evaluate({ principal: bob }), new ForbiddenError('lease lease-1 belongs to alice; only its holder can extend it'));
    assert.throws(() => evaluate({ now: at(2 * HOUR) }), new ConflictError('lease lease-1 is past its end; only active access can be extended (ask for the role again)'));
    assert.throws(() => evaluate({ nativeExpiry: true }), (e: unknown) => e instanceof ConflictError && e.message.startsWith('lease lease-1 cannot be extended: connector corp-ldap ends access by itself'));
    assert.throws(() => evaluate({ ask: ask(HOUR, ' ') }), { message: 'reason: role db-admin requires a reason' });
  });

  test('a role that needs approvers makes an extension request, and its approval extends the lease', () => {
    const manual = { ...role, approval: manualFrom(['group:db-leads']) };
    const decision = evaluate({ role: manual });
    assert.equal(decision.outcome, 'needs_approval');
    if (decision.outcome !== 'needs_approval') return;
    const opened = openExtensionRequest({ requestId: RequestId('req-ext'), lease, decision, now: at(30 * 60_000) });
    assert.equal(opened.request.extendsLease, 'lease-1');
    assert.equal(opened.request.durationMs, HOUR);
    const outcome = decideRequest({ request: opened.request, role: manual, approvals: [], approver: bob, isRequestersManager: false, decision: 'approve', now: at(40 * 60_000), leaseId: LeaseId('unused'), claimMs: 30_000, extendedLease: lease });
    assert.equal(outcome.lease, undefined);
    assert.equal(outcome.request.state, 'approved');
    assert.deepEqual(outcome.extendedLease?.expiresAt, at(2 * HOUR));
    assert.deepEqual(outcome.events.map((e) => e.type), ['approval.given', 'request.approved', 'lease.extended']);
    // Approved only after the lease ended: the extension cannot apply, and the request says so.
    const late = decideRequest({ request: opened.request, role: manual, approvals: [], approver: bob, isRequestersManager: false, decision: 'approve', now: at(61 * 60_000), leaseId: LeaseId('unused'), claimMs: 30_000, extendedLease: lease });
    assert.equal(late.request.state, 'failed');
    assert.equal(late.request.outcomeNote, 'lease lease-1 ended before the extension was approved');
  });

  test('the total-duration limit counts the extension; the activation count does not', () => {
    const limitedRole = { ...role, limits: { maxActivations: { count: 1, windowMs: 7 * DAY }, maxTotalDuration: { durationMs: 90 * 60_000, windowMs: 7 * DAY }, whenExceeded: { mode: 'refuse' as const } } };
    assert.deepEqual(evaluate({ role: limitedRole, ask: ask(30 * 60_000) }), { outcome: 'extend_now', byMs: 30 * 60_000, reason: 'restore still running' });
    assert.throws(() => evaluate({ role: limitedRole, ask: ask(HOUR) }), new ConflictError('usage limit reached: 1h held in the last 7d; 1h more would exceed the limit of 1h30m: role db-admin refuses extensions past its limits'));
  });
});
