// The request state machine, checked pair by pair against a table written out here independently of the code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IllegalTransitionError } from '../../src/core/errors.ts';
import { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../../src/core/ids.ts';
import { canMoveRequest, moveRequest, REQUEST_STATES, TERMINAL_REQUEST_STATES, type AccessRequest, type RequestState } from '../../src/core/request.ts';

const ALLOWED: ReadonlySet<string> = new Set([
  'pending→approved',
  'pending→denied',
  'pending→cancelled',
  'pending→expired',
  'pending→failed',
  'approved→active',
  'approved→failed',
  'approved→cancelled',
  'active→expired',
  'active→revoked',
]);

function requestIn(state: RequestState, version = 3): AccessRequest {
  return {
    id: RequestId('req-1'),
    version,
    state,
    principal: PrincipalId('alice'),
    role: RoleName('db-admin'),
    connector: ConnectorName('corp-ldap'),
    durationMs: 3_600_000,
    reason: 'fix replication',
    approval: 'manual',
    createdAt: new Date('2025-01-01T00:00:00.000Z'),
  };
}

test('the request states are exactly the documented ones', () => {
  assert.deepEqual([...REQUEST_STATES], ['pending', 'approved', 'active', 'expired', 'revoked', 'denied', 'cancelled', 'failed']);
});

describe('every request transition pair', () => {
  for (const from of REQUEST_STATES) {
    for (const to of REQUEST_STATES) {
      const allowed = ALLOWED.has(`${from}→${to}`);
      if (allowed) {
        test(`a request may go from ${from} to ${to}, and its version goes up by one`, () => {
          assert.equal(canMoveRequest(from, to), true);
          const before = requestIn(from, 7);
          const after = moveRequest(before, to);
          assert.equal(after.state, to);
          assert.equal(after.version, 8);
          assert.deepEqual({ ...after, state: from, version: 7 }, before);
          assert.equal(before.state, from, 'the input is not changed');
          assert.equal(before.version, 7, 'the input is not changed');
        });
      } else {
        test(`a request may not go from ${from} to ${to}`, () => {
          assert.equal(canMoveRequest(from, to), false);
          const before = requestIn(from, 7);
          assert.throws(
            () => moveRequest(before, to),
            (error: unknown) => {
              assert.ok(error instanceof IllegalTransitionError);
              assert.equal(error.kind, 'conflict');
              assert.equal(error.message, `request cannot go from ${from} to ${to}`);
              assert.equal(error.from, from);
              assert.equal(error.to, to);
              return true;
            },
          );
          assert.deepEqual(before, requestIn(from, 7));
        });
      }
    }
  }
});

describe('terminal request states', () => {
  test('are expired, revoked, denied, cancelled and failed', () => {
    assert.deepEqual([...TERMINAL_REQUEST_STATES].sort(), ['cancelled', 'denied', 'expired', 'failed', 'revoked']);
  });

  for (const from of ['expired', 'revoked', 'denied', 'cancelled', 'failed'] as const) {
    test(`a ${from} request has no way out, not even to itself`, () => {
      for (const to of REQUEST_STATES) {
        assert.equal(canMoveRequest(from, to), false, `${from} → ${to}`);
        assert.throws(() => moveRequest(requestIn(from), to), IllegalTransitionError);
      }
    });
  }
});

describe('moveRequest', () => {
  test('applies the given changes along with the new state', () => {
    const decidedAt = new Date('2025-01-01T00:05:00.000Z');
    const after = moveRequest(requestIn('pending', 1), 'approved', { decidedAt, decidedBy: 'bob', leaseId: LeaseId('lease-1') });
    assert.deepEqual(after, { ...requestIn('pending', 1), state: 'approved', version: 2, decidedAt, decidedBy: 'bob', leaseId: LeaseId('lease-1') });
  });

  test('keeps the request id, principal and role', () => {
    const after = moveRequest(requestIn('approved'), 'failed', { outcomeNote: 'target down' });
    assert.equal(after.id, 'req-1');
    assert.equal(after.principal, 'alice');
    assert.equal(after.role, 'db-admin');
    assert.equal(after.outcomeNote, 'target down');
  });
});
