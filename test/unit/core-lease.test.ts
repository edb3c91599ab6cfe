// What each lease operation records: new values, timestamps and the audit events the store commits with them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '../../src/core/backoff.ts';
import { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../../src/core/ids.ts';
import {
  beginRevocation,
  claimLease,
  confirmGrant,
  confirmRevocation,
  failGrant,
  failRevocation,
  isExpiryDue,
  isLeaseActive,
  isRevocationDue,
  type Lease,
} from '../../src/core/lease.ts';
import { openRequest } from '../../src/core/open-request.ts';
import type { AccessRequest } from '../../src/core/request.ts';
import type { Role } from '../../src/core/role.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const target = { group: 'cn=db-admins,ou=groups,dc=example,dc=org' };

const role: Role = {
  name: RoleName('db-admin'),
  connector: ConnectorName('corp-ldap'),
  target,
  eligible: ['user:alice'],
  approval: { mode: 'auto' },
  defaultDurationMs: HOUR,
  maxDurationMs: 4 * HOUR,
  requireReason: false,
  enforce: false,
  breakGlass: false,
  maxExtendedDurationMs: 4 * HOUR,
};

/** A freshly opened auto-approved request for one hour, requested at T0. */
function opened(): { request: AccessRequest; lease: Lease } {
  const result = openRequest({
    requestId: RequestId('req-1'),
    leaseId: LeaseId('lease-1'),
    principal: { id: PrincipalId('alice'), groups: [] },
    role,
    ask: { reason: 'fix replication' },
    decision: { outcome: 'auto_approved', durationMs: HOUR },
    now: at(0),
    claimMs: 30_000,
  });
  assert.ok(result.lease);
  return { request: result.request, lease: result.lease };
}

/** Granted 200 ms after the request, confirmed 50 ms later: the window is [T0+200, T0+200+1h). */
function granted(): { request: AccessRequest; lease: Lease } {
  const { request, lease } = opened();
  return confirmGrant(request, lease, { grantedAt: at(200), confirmedAt: at(250) });
}

const ref = { requestId: 'req-1', leaseId: 'lease-1' };

describe('confirmGrant', () => {
  test('starts the window at grantedAt, not at requestedAt', () => {
    const { lease } = granted();
    assert.deepEqual(lease.grantedAt, at(200));
    assert.deepEqual(lease.grantConfirmedAt, at(250));
    assert.deepEqual(lease.requestedAt, at(0));
    assert.deepEqual(lease.expiresAt, at(200 + HOUR));
  });

  test('makes the lease and its request active, bumps both versions and releases the claim', () => {
    const before = opened();
    const { request, lease } = confirmGrant(before.request, before.lease, { grantedAt: at(200), confirmedAt: at(250) });
    assert.equal(lease.state, 'active');
    assert.equal(lease.version, before.lease.version + 1);
    assert.equal(lease.claimedUntil, undefined);
    assert.equal(request.state, 'active');
    assert.equal(request.version, before.request.version + 1);
  });

  test('records lease.granted with the grant latency measured from the request', () => {
    const before = opened();
    const { events } = confirmGrant(before.request, before.lease, { grantedAt: at(200), confirmedAt: at(250) });
    assert.deepEqual(events, [
      {
        type: 'lease.granted',
        at: at(250),
        actor: 'system',
        ...ref,
        data: { principal: 'alice', role: 'db-admin', target, expiresAt: at(200 + HOUR).toISOString(), grantLatencyMs: 250 },
      },
    ]);
  });
});

describe('confirmGrant with what the target produced', () => {
  test('keeps the record with the lease and puts the audit fields in lease.granted', () => {
    const before = opened();
    const { lease, events } = confirmGrant(before.request, before.lease, {
      grantedAt: at(200),
      confirmedAt: at(250),
      record: { serial: '7', certificate: 'ssh-ed25519-cert-v01@openssh.com AAAA…' },
      audit: { serial: '7', keyId: 'lease-1:admin' },
    });
    assert.deepEqual(lease.grantRecord, { serial: '7', certificate: 'ssh-ed25519-cert-v01@openssh.com AAAA…' });
    assert.deepEqual(events[0]?.data.grant, { serial: '7', keyId: 'lease-1:admin' });
  });

  test('ends the lease no later than the target ends access by itself (a certificate\'s valid_before)', () => {
    const before = opened();
    const ends = confirmGrant(before.request, before.lease, { grantedAt: at(200), confirmedAt: at(250), endsAt: at(HOUR) });
    assert.deepEqual(ends.lease.expiresAt, at(HOUR));
    const later = confirmGrant(before.request, before.lease, { grantedAt: at(200), confirmedAt: at(250), endsAt: at(2 * HOUR) });
    assert.deepEqual(later.lease.expiresAt, at(200 + HOUR));
  });
});

describe('failGrant', () => {
  test('fails the request and starts revoking the lease, in case the target applied the grant', () => {
    const before = opened();
    const { request, lease, events } = failGrant(before.request, before.lease, 'no such group', at(300));
    assert.equal(lease.state, 'revoking');
    assert.equal(lease.version, 2);
    assert.equal(lease.revokeReason, 'grant_failed');
    assert.deepEqual(lease.revokeRequestedAt, at(300));
    assert.equal(lease.lastError, 'no such group');
    assert.equal(lease.claimedUntil, undefined);
    assert.equal(lease.attempts, 0);
    assert.deepEqual(lease.expiresAt, before.lease.expiresAt, 'the provisional expiry stays');
    assert.equal(request.state, 'failed');
    assert.equal(request.version, 2);
    assert.equal(request.outcomeNote, 'no such group');
    assert.deepEqual(events, [
      { type: 'lease.grant_failed', at: at(300), actor: 'system', ...ref, data: { error: 'no such group' } },
      { type: 'request.failed', at: at(300), actor: 'system', ...ref, data: { error: 'no such group' } },
    ]);
  });
});

describe('beginRevocation', () => {
  test('at expiry: the lease starts revoking, the request expires, and the system is the actor', () => {
    const before = granted();
    const { request, lease, events } = beginRevocation(before.request, before.lease, { reason: 'expired', actor: 'system', now: at(200 + HOUR) });
    assert.equal(lease.state, 'revoking');
    assert.equal(lease.version, before.lease.version + 1);
    assert.equal(lease.revokeReason, 'expired');
    assert.deepEqual(lease.revokeRequestedAt, at(200 + HOUR));
    assert.deepEqual(lease.expiresAt, before.lease.expiresAt);
    assert.equal(request.state, 'expired');
    assert.equal(request.version, before.request.version + 1);
    assert.equal(request.outcomeNote, undefined);
    assert.deepEqual(events, [{ type: 'lease.expired', at: at(200 + HOUR), actor: 'system', ...ref, data: {} }]);
  });

  test('released early by its holder: the request ends as revoked and the holder is the actor', () => {
    const before = granted();
    const { request, lease, events } = beginRevocation(before.request, before.lease, { reason: 'released', actor: 'alice', now: at(60_000) });
    assert.equal(lease.revokeReason, 'released');
    assert.deepEqual(lease.expiresAt, at(200 + HOUR), 'the lease keeps its expiry');
    assert.equal(request.state, 'revoked');
    assert.deepEqual(events, [{ type: 'lease.released', at: at(60_000), actor: 'alice', ...ref, data: {} }]);
  });

  test('revoked by an admin: the note is trimmed and recorded on the request and in the event', () => {
    const before = granted();
    const { request, lease, events } = beginRevocation(before.request, before.lease, { reason: 'revoked', actor: 'bob', now: at(60_000), note: '  suspicious activity \n' });
    assert.equal(lease.revokeReason, 'revoked');
    assert.equal(request.state, 'revoked');
    assert.equal(request.outcomeNote, 'suspicious activity');
    assert.deepEqual(events, [{ type: 'lease.revoke_requested', at: at(60_000), actor: 'bob', ...ref, data: { note: 'suspicious activity' } }]);
  });

  test('a whitespace-only note on an active lease is not recorded', () => {
    const before = granted();
    const { request, events } = beginRevocation(before.request, before.lease, { reason: 'revoked', actor: 'bob', now: at(60_000), note: '   ' });
    assert.equal(request.outcomeNote, undefined);
    assert.deepEqual(events[0]?.data, {});
  });

  test('on a lease still being granted, the approved request is cancelled and the note recorded', () => {
    const before = opened();
    const { request, lease, events } = beginRevocation(before.request, before.lease, { reason: 'revoked', actor: 'bob', now: at(100), note: ' wrong role ' });
    assert.equal(lease.state, 'revoking');
    assert.equal(lease.revokeReason, 'revoked');
    assert.equal(lease.claimedUntil, undefined, 'the granting worker loses its claim');
    assert.equal(request.state, 'cancelled');
    assert.equal(request.version, 2);
    assert.equal(request.outcomeNote, 'wrong role');
    assert.deepEqual(events, [{ type: 'lease.revoke_requested', at: at(100), actor: 'bob', ...ref, data: { note: 'wrong role' } }]);
  });

  for (const reason of ['expired', 'released'] as const) {
    test(`on a lease still being granted, ${reason} also cancels the request`, () => {
      const before = opened();
      const { request } = beginRevocation(before.request, before.lease, { reason, actor: 'system', now: at(100) });
      assert.equal(request.state, 'cancelled');
    });
  }

  test('a whitespace-only note on a lease still being granted is not recorded', () => {
    const before = opened();
    const { request, events } = beginRevocation(before.request, before.lease, { reason: 'revoked', actor: 'bob', now: at(100), note: '   ' });
    assert.deepEqual(events[0]?.data, {});
    assert.equal(request.outcomeNote, undefined);
  });

  test('without a note, a cancelled request carries no outcomeNote field at all', () => {
    const before = opened();
    const { request } = beginRevocation(before.request, before.lease, { reason: 'released', actor: 'alice', now: at(100) });
    assert.equal(Object.hasOwn(request, 'outcomeNote'), false);
  });
});

describe('confirmRevocation', () => {
  test('after expiry: records when access was gone and how long after expiry that was', () => {
    const g = granted();
    const revoking = beginRevocation(g.request, g.lease, { reason: 'expired', actor: 'system', now: at(200 + HOUR + 10) });
    const { lease, events } = confirmRevocation(revoking.lease, { revokedAt: at(200 + HOUR + 40), confirmedAt: at(200 + HOUR + 75) });
    assert.equal(lease.state, 'revoked');
    assert.equal(lease.version, revoking.lease.version + 1);
    assert.deepEqual(lease.revokedAt, at(200 + HOUR + 40));
    assert.deepEqual(lease.revokeConfirmedAt, at(200 + HOUR + 75));
    assert.deepEqual(events, [{ type: 'lease.revoked', at: at(200 + HOUR + 75), actor: 'system', ...ref, data: { reason: 'expired', attempts: 1, lagMs: 75 } }]);
  });

  test('after an early release: no lag is recorded', () => {
    const g = granted();
    const revoking = beginRevocation(g.request, g.lease, { reason: 'released', actor: 'alice', now: at(1_000) });
    const { events } = confirmRevocation(revoking.lease, { revokedAt: at(1_010), confirmedAt: at(1_020) });
    assert.deepEqual(events[0]?.data, { reason: 'released', attempts: 1 });
  });

  test('after a failed grant: the reason is grant_failed', () => {
    const o = opened();
    const failed = failGrant(o.request, o.lease, 'no such group', at(300));
    const { events } = confirmRevocation(failed.lease, { revokedAt: at(400), confirmedAt: at(410) });
    assert.deepEqual(events[0]?.data, { reason: 'grant_failed', attempts: 1 });
  });

  test('after failed attempts: counts this attempt too and clears the retry schedule', () => {
    const g = granted();
    let lease = beginRevocation(g.request, g.lease, { reason: 'revoked', actor: 'bob', now: at(1_000) }).lease;
    lease = failRevocation(lease, 'timeout', at(2_000), DEFAULT_RETRY_POLICY, 0.5).lease;
    lease = failRevocation(lease, 'timeout', at(4_000), DEFAULT_RETRY_POLICY, 0.5).lease;
    const done = confirmRevocation(lease, { revokedAt: at(9_000), confirmedAt: at(9_010) });
    assert.equal(done.lease.state, 'revoked');
    assert.equal(done.lease.nextAttemptAt, undefined);
    assert.equal(done.lease.claimedUntil, undefined);
    assert.equal(done.lease.attempts, 2);
    assert.deepEqual(done.events[0]?.data, { reason: 'revoked', attempts: 3 });
  });
});

describe('failRevocation', () => {
  function revoking(): Lease {
    const g = granted();
    return beginRevocation(g.request, g.lease, { reason: 'expired', actor: 'system', now: at(200 + HOUR) }).lease;
  }

  test('counts attempts and schedules each retry at now + an exponentially growing delay', () => {
    let lease = revoking();
    const expectedDelays = [1_000, 2_000, 4_000, 8_000];
    for (const [index, delay] of expectedDelays.entries()) {
      const now = at(2 * HOUR + index * 60_000);
      const result = failRevocation(lease, `attempt ${index + 1} failed`, now, DEFAULT_RETRY_POLICY, 0.5);
      assert.equal(result.lease.state, 'revoke_failed');
      assert.equal(result.lease.version, lease.version + 1);
      assert.equal(result.lease.attempts, index + 1);
      assert.equal(result.lease.lastError, `attempt ${index + 1} failed`);
      assert.deepEqual(result.lease.nextAttemptAt, new Date(now.getTime() + delay));
      assert.deepEqual(result.events, [
        {
          type: 'lease.revoke_failed',
          at: now,
          actor: 'system',
          ...ref,
          data: { error: `attempt ${index + 1} failed`, attempts: index + 1, nextAttemptAt: new Date(now.getTime() + delay).toISOString() },
        },
      ]);
      lease = result.lease;
    }
  });

  test('uses the policy and the random number it is given for the delay', () => {
    const policy: RetryPolicy = { initialDelayMs: 500, maxDelayMs: 10_000, factor: 3, jitter: 0.5 };
    let lease = revoking();
    for (let attempts = 1; attempts <= 6; attempts++) {
      const now = at(3 * HOUR + attempts * 1_000);
      const random = attempts / 7;
      lease = failRevocation(lease, 'timeout', now, policy, random).lease;
      assert.deepEqual(lease.nextAttemptAt, new Date(now.getTime() + retryDelayMs(policy, attempts, random)));
    }
  });

  test('keeps the expiry and the revoke reason, and releases the claim', () => {
    const before = claimLease(revoking(), at(2 * HOUR + 30_000));
    const { lease } = failRevocation(before, 'timeout', at(2 * HOUR), DEFAULT_RETRY_POLICY, 0.5);
    assert.deepEqual(lease.expiresAt, before.expiresAt);
    assert.equal(lease.revokeReason, 'expired');
    assert.equal(lease.claimedUntil, undefined);
  });
});

describe('claimLease', () => {
  test('sets the claim and bumps the version without changing the state', () => {
    const { lease } = granted();
    const claimed = claimLease(lease, at(10_000));
    assert.deepEqual(claimed, { ...lease, claimedUntil: at(10_000), version: lease.version + 1 });
  });
});

describe('isLeaseActive', () => {
  test('a granting lease counts as active until its provisional expiry', () => {
    const { lease } = opened();
    assert.equal(isLeaseActive(lease, at(HOUR - 1)), true);
    assert.equal(isLeaseActive(lease, at(HOUR)), false);
  });

  test('an active lease is active until just before expiresAt, and not at it', () => {
    const { lease } = granted();
    assert.equal(isLeaseActive(lease, at(0)), true);
    assert.equal(isLeaseActive(lease, at(200 + HOUR - 1)), true);
    assert.equal(isLeaseActive(lease, at(200 + HOUR)), false);
    assert.equal(isLeaseActive(lease, at(200 + HOUR + 1)), false);
  });

  test('a lease being revoked, failed to revoke or revoked is not active, even before its expiry', () => {
    const g = granted();
    const revoking = beginRevocation(g.request, g.lease, { reason: 'released', actor: 'alice', now: at(1_000) }).lease;
    const failed = failRevocation(revoking, 'timeout', at(2_000), DEFAULT_RETRY_POLICY, 0.5).lease;
    const revoked = confirmRevocation(revoking, { revokedAt: at(2_000), confirmedAt: at(2_001) }).lease;
    for (const lease of [revoking, failed, revoked]) assert.equal(isLeaseActive(lease, at(3_000)), false, lease.state);
  });
});

describe('isExpiryDue', () => {
  test('an active lease is due exactly at expiresAt and after, not a millisecond before', () => {
    const { lease } = granted();
    assert.equal(isExpiryDue(lease, at(200 + HOUR - 1)), false);
    assert.equal(isExpiryDue(lease, at(200 + HOUR)), true);
    assert.equal(isExpiryDue(lease, at(200 + 2 * HOUR)), true);
  });

  test('a granting lease is never due for expiry, even past its provisional expiry', () => {
    const { lease } = opened();
    assert.equal(isExpiryDue(lease, at(2 * HOUR)), false);
  });

  test('a lease already being revoked is not due for expiry again', () => {
    const g = granted();
    const revoking = beginRevocation(g.request, g.lease, { reason: 'expired', actor: 'system', now: at(200 + HOUR) }).lease;
    assert.equal(isExpiryDue(revoking, at(2 * HOUR)), false);
  });
});

describe('isRevocationDue', () => {
  test('a revoking lease is always due', () => {
    const g = granted();
    const revoking = beginRevocation(g.request, g.lease, { reason: 'released', actor: 'alice', now: at(1_000) }).lease;
    assert.equal(isRevocationDue(revoking, at(0)), true);
    assert.equal(isRevocationDue(revoking, at(1_000)), true);
  });

  test('a revoke_failed lease is due exactly at nextAttemptAt and after, not a millisecond before', () => {
    const g = granted();
    const revoking = beginRevocation(g.request, g.lease, { reason: 'released', actor: 'alice', now: at(1_000) }).lease;
    const failed = failRevocation(revoking, 'timeout', at(2_000), DEFAULT_RETRY_POLICY, 0.5).lease;
    assert.deepEqual(failed.nextAttemptAt, at(3_000));
    assert.equal(isRevocationDue(failed, at(2_999)), false);
    assert.equal(isRevocationDue(failed, at(3_000)), true);
    assert.equal(isRevocationDue(failed, at(3_001)), true);
  });

  test('granting, active and revoked leases are never due for revocation', () => {
    const o = opened();
    const g = confirmGrant(o.request, o.lease, { grantedAt: at(200), confirmedAt: at(250) });
    const revoking = beginRevocation(g.request, g.lease, { reason: 'released', actor: 'alice', now: at(1_000) }).lease;
    const revoked = confirmRevocation(revoking, { revokedAt: at(2_000), confirmedAt: at(2_001) }).lease;
    for (const lease of [o.lease, g.lease, revoked]) assert.equal(isRevocationDue(lease, at(10 * HOUR)), false, lease.state);
  });
});
