// The words the My access, lease, request and approvals pages put on states, waits, approvals and refusals.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { approvalProgress, endReasonLabel, formatAge, isLiveLease, messageForField, stateBadgeKind, whoApproves } from '../../portal/src/format.ts';

describe('stateBadgeKind', () => {
  test('an active lease or request wears the active badge', () => {
    assert.equal(stateBadgeKind('active'), 'active');
  });

  test('states still on their way wear the pending badge', () => {
    for (const state of ['granting', 'pending', 'approved', 'revoking']) assert.equal(stateBadgeKind(state), 'pending', state);
  });

  test('failures and denials wear the failed badge', () => {
    for (const state of ['revoke_failed', 'grant_failed', 'failed', 'denied']) assert.equal(stateBadgeKind(state), 'failed', state);
  });

  test('ended states and states it does not know wear the done badge', () => {
    for (const state of ['revoked', 'expired', 'cancelled', 'something_new']) assert.equal(stateBadgeKind(state), 'done', state);
  });
});

describe('isLiveLease', () => {
  test('only granting and active leases give access now', () => {
    assert.deepEqual(
      ['granting', 'active', 'revoking', 'revoke_failed', 'revoked'].map((state) => isLiveLease(state)),
      [true, true, false, false, false],
    );
  });
});

describe('endReasonLabel', () => {
  test('says why a lease ended in words', () => {
    assert.equal(endReasonLabel('expired'), 'its time ran out');
    assert.equal(endReasonLabel('released'), 'released by its holder');
    assert.equal(endReasonLabel('revoked'), 'revoked by an admin');
    assert.equal(endReasonLabel('grant_failed'), 'the grant failed');
  });

  test('shows a dash for a lease that has not ended and spaces for a reason it does not know', () => {
    assert.equal(endReasonLabel(undefined), '—');
    assert.equal(endReasonLabel('target_gone'), 'target gone');
  });
});

describe('formatAge', () => {
  const now = Date.parse('2026-11-24T14:00:00Z');

  test('says "under a minute" for a request made seconds ago', () => {
    assert.equal(formatAge('2026-11-24T13:59:15Z', now), 'under a minute');
  });

  test('gives longer waits in the two largest units', () => {
    assert.equal(formatAge('2026-11-24T13:55:00Z', now), '5m');
    assert.equal(formatAge('2026-11-24T12:40:00Z', now), '1h 20m');
  });

  test('shows a dash when there is no valid time', () => {
    assert.equal(formatAge(undefined, now), '—');
    assert.equal(formatAge('not a time', now), '—');
  });
});

describe('approvalProgress', () => {
  test('counts approvals only, against those required', () => {
    assert.equal(approvalProgress(2, [{ decision: 'approve' }, { decision: 'deny' }]), '1 of 2 approvals given');
  });

  test('says approval in the singular when one is required, and assumes one when the request does not say', () => {
    assert.equal(approvalProgress(1, []), '0 of 1 approval given');
    assert.equal(approvalProgress(undefined, [{ decision: 'approve' }]), '1 of 1 approval given');
  });
});

describe('whoApproves', () => {
  const manual = { approval: '1 of group:jitd-admins, group:security within 4h' };

  test("names the role's approvers without the deadline, which is shown on its own", () => {
    assert.equal(whoApproves({ approvalsRequired: 1 }, manual), '1 of group:jitd-admins, group:security');
  });

  test('names the approvers of the usage limit when the request waits because of it', () => {
    const limited = { approval: 'auto', limits: { whenExceeded: '2 of group:security' } };
    assert.equal(whoApproves({ approvalsRequired: 2, limitExceeded: 'more than 3 activations in 1d' }, limited), '2 of group:security');
  });

  test('says only how many when the role is not visible to the reader or names no approvers', () => {
    assert.equal(whoApproves({ approvalsRequired: 2 }, undefined), '2 approvers');
    assert.equal(whoApproves({}, undefined), '1 approver');
    assert.equal(whoApproves({ approvalsRequired: 1, limitExceeded: 'over' }, { approval: 'auto', limits: { whenExceeded: 'refuse' } }), '1 approver');
  });
});

describe('messageForField', () => {
  const form = { main: 'by', fields: ['by', 'reason'] };
  const refusal = (message: string, issues: { path: string; message: string }[] = []) => ({ message, issues });

  test("shows the server's issue at the field it names", () => {
    const error = refusal('by: "abc" is not a duration', [{ path: 'by', message: '"abc" is not a duration' }]);
    assert.equal(messageForField(error, 'by', form), '"abc" is not a duration');
    assert.equal(messageForField(error, 'reason', form), undefined);
  });

  test('puts a refusal that names no field (a 409) on the main field only', () => {
    const error = refusal('lease lease-1 is revoked; only active access can be extended (ask for the role again)');
    assert.equal(messageForField(error, 'by', form), 'lease lease-1 is revoked; only active access can be extended (ask for the role again)');
    assert.equal(messageForField(error, 'reason', form), undefined);
  });

  test('keeps the main field clear when the issues are about another field of the form', () => {
    const error = refusal('reason: role domain-admins requires a reason', [{ path: 'reason', message: 'role domain-admins requires a reason' }]);
    assert.equal(messageForField(error, 'by', form), undefined);
    assert.equal(messageForField(error, 'reason', form), 'role domain-admins requires a reason');
  });

  test('shows nothing when nothing was refused', () => {
    assert.equal(messageForField(undefined, 'by', form), undefined);
  });
});
