// openRequest: the first records committed for a request, and for an auto-approved one the lease, with its
// expiry, before the target is touched.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../../src/core/ids.ts';
import { openRequest } from '../../src/core/open-request.ts';
import { evaluateAsk, type AccessAsk } from '../../src/core/policy.ts';
import type { Principal } from '../../src/core/principal.ts';
import type { Role } from '../../src/core/role.ts';

/** The policy's context for asks with no earlier use of the role. */
const NO_HISTORY = { now: new Date('2026-01-05T09:00:00Z'), history: [] };

const HOUR = 3_600_000;
const now = new Date('2025-01-01T12:00:00.000Z');
const later = (ms: number) => new Date(now.getTime() + ms);
const target = { group: 'cn=db-admins,ou=groups,dc=example,dc=org' };

const autoRole: Role = {
  name: RoleName('db-admin'),
  connector: ConnectorName('corp-ldap'),
  target,
  eligible: ['group:ops'],
  approval: { mode: 'auto' },
  defaultDurationMs: HOUR,
  maxDurationMs: 4 * HOUR,
  requireReason: false,
  enforce: false,
  breakGlass: false,
  maxExtendedDurationMs: 4 * HOUR,
};
const manualRole: Role = { ...autoRole, approval: { mode: 'manual', required: 1, from: ['group:security'], timeoutMs: 3_600_000 } };
const olga: Principal = { id: PrincipalId('olga'), groups: ['ops'] };

function open(role: Role, ask: AccessAsk) {
  return openRequest({
    requestId: RequestId('req-1'),
    leaseId: LeaseId('lease-1'),
    principal: olga,
    role,
    ask,
    decision: evaluateAsk(olga, role, ask, NO_HISTORY),
    now,
    claimMs: 30_000,
  });
}

describe('an auto-approved request', () => {
  test('is approved by policy at once and points at its lease', () => {
    const { request } = open(autoRole, { durationMs: 2 * HOUR, reason: 'fix replication', ticket: 'INC-1' });
    assert.deepEqual(request, {
      id: 'req-1',
      version: 1,
      state: 'approved',
      principal: 'olga',
      role: 'db-admin',
      connector: 'corp-ldap',
      durationMs: 2 * HOUR,
      reason: 'fix replication',
      ticket: 'INC-1',
      approval: 'auto',
      createdAt: now,
      decidedAt: now,
      decidedBy: 'policy',
      leaseId: 'lease-1',
    });
  });

  test('comes with a granting lease that has a provisional expiry and is claimed by the caller', () => {
    const { lease } = open(autoRole, { durationMs: 2 * HOUR, reason: 'fix replication' });
    assert.deepEqual(lease, {
      id: 'lease-1',
      version: 1,
      state: 'granting',
      requestId: 'req-1',
      principal: 'olga',
      role: 'db-admin',
      connector: 'corp-ldap',
      target,
      durationMs: 2 * HOUR,
      requestedAt: now,
      expiresAt: later(2 * HOUR),
      attempts: 0,
      claimedUntil: later(30_000),
    });
  });

  test('records request.created by the principal, request.approved by policy and lease.granting by the system', () => {
    const { events } = open(autoRole, { reason: 'fix replication', ticket: 'INC-1' });
    assert.deepEqual(events, [
      {
        type: 'request.created',
        at: now,
        actor: 'olga',
        requestId: 'req-1',
        data: { principal: 'olga', role: 'db-admin', durationMs: HOUR, reason: 'fix replication', ticket: 'INC-1', approval: 'auto' },
      },
      { type: 'request.approved', at: now, actor: 'policy', requestId: 'req-1', leaseId: 'lease-1', data: { mode: 'auto' } },
      { type: 'lease.granting', at: now, actor: 'system', requestId: 'req-1', leaseId: 'lease-1', data: { target, durationMs: HOUR } },
    ]);
  });

  test('takes its duration from the decision, so the role default applies when none was asked', () => {
    const { request, lease } = open(autoRole, {});
    assert.equal(request.durationMs, HOUR);
    assert.equal(lease?.durationMs, HOUR);
    assert.deepEqual(lease?.expiresAt, later(HOUR));
  });
});

describe('a request that needs approval', () => {
  test('is pending, manual, undecided and has no lease', () => {
    const opened = open(manualRole, { durationMs: 2 * HOUR, reason: 'fix replication' });
    assert.equal(opened.lease, undefined);
    assert.equal(Object.hasOwn(opened, 'lease'), false);
    assert.deepEqual(opened.request, {
      id: 'req-1',
      version: 1,
      state: 'pending',
      principal: 'olga',
      role: 'db-admin',
      connector: 'corp-ldap',
      durationMs: 2 * HOUR,
      reason: 'fix replication',
      approval: 'manual',
      createdAt: now,
      approvalsRequired: 1,
      approvalDeadline: later(HOUR),
    });
  });

  test('records only request.created', () => {
    const { events } = open(manualRole, { reason: 'fix replication' });
    assert.deepEqual(events, [
      {
        type: 'request.created',
        at: now,
        actor: 'olga',
        requestId: 'req-1',
        data: {
          principal: 'olga',
          role: 'db-admin',
          durationMs: HOUR,
          reason: 'fix replication',
          approval: 'manual',
          approvalsRequired: 1,
          approvalDeadline: later(HOUR).toISOString(),
        },
      },
    ]);
  });
});

describe('reason and ticket', () => {
  test('are trimmed on the request and in the event', () => {
    const { request, events } = open(autoRole, { reason: '  fix replication \n', ticket: '\tINC-9  ' });
    assert.equal(request.reason, 'fix replication');
    assert.equal(request.ticket, 'INC-9');
    assert.equal(events[0]?.data['reason'], 'fix replication');
    assert.equal(events[0]?.data['ticket'], 'INC-9');
  });

  test('a missing reason is stored as the empty string', () => {
    const { request, events } = open(autoRole, {});
    assert.equal(request.reason, '');
    assert.equal(events[0]?.data['reason'], '');
  });

  for (const ticket of [undefined, '', '   ']) {
    test(`a ticket of ${JSON.stringify(ticket)} is left out of the request and the event`, () => {
      const { request, events } = open(manualRole, ticket === undefined ? {} : { ticket });
      assert.equal(Object.hasOwn(request, 'ticket'), false);
      assert.equal(Object.hasOwn(events[0]?.data ?? {}, 'ticket'), false);
    });
  }
});
