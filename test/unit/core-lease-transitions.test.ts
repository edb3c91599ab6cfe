// The lease state machine, pair by pair. Leases are brought to each state by the real operations, then every
// operation that moves a lease is tried from every state, against a table written out here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY_POLICY } from '../../src/core/backoff.ts';
import { IllegalTransitionError } from '../../src/core/errors.ts';
import { LeaseId, PrincipalId, RequestId } from '../../src/core/ids.ts';
import {
  beginRevocation,
  canMoveLease,
  confirmGrant,
  confirmRevocation,
  failGrant,
  failRevocation,
  LEASE_STATES,
  LEASE_TRANSITIONS,
  type Lease,
  type LeaseState,
} from '../../src/core/lease.ts';
import { openRequest } from '../../src/core/open-request.ts';
import type { AccessRequest } from '../../src/core/request.ts';
import type { Role } from '../../src/core/role.ts';
import { dbAdminRole } from './core-fixtures.ts';

const ALLOWED: ReadonlySet<string> = new Set([
  'granting→active',
  'granting→revoking',
  'active→revoking',
  'revoking→revoked',
  'revoking→revoke_failed',
  'revoke_failed→revoked',
  'revoke_failed→revoke_failed',
]);

const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

const role: Role = dbAdminRole();

interface Pair {
  readonly request: AccessRequest;
  readonly lease: Lease;
}

/** A request and its lease brought to `state` by the operations the engine uses. */
function pairIn(state: LeaseState): Pair {
  const opened = openRequest({
    requestId: RequestId('req-1'),
    leaseId: LeaseId('lease-1'),
    principal: { id: PrincipalId('alice'), groups: [] },
    role,
    ask: { reason: 'fix replication' },
    decision: { outcome: 'auto_approved', durationMs: 3_600_000 },
    now: at(0),
    claimMs: 30_000,
  });
  assert.ok(opened.lease);
  const granting: Pair = { request: opened.request, lease: opened.lease };
  if (state === 'granting') return granting;
  const active = confirmGrant(granting.request, granting.lease, { grantedAt: at(100), confirmedAt: at(150) });
  if (state === 'active') return active;
  const revoking = beginRevocation(active.request, active.lease, { reason: 'expired', actor: 'system', now: at(3_600_100) });
  if (state === 'revoking') return revoking;
  if (state === 'revoke_failed') {
    return { request: revoking.request, lease: failRevocation(revoking.lease, 'connection refused', at(3_600_200), DEFAULT_RETRY_POLICY, 0.5).lease };
  }
  return { request: revoking.request, lease: confirmRevocation(revoking.lease, { revokedAt: at(3_600_200), confirmedAt: at(3_600_250) }).lease };
}

/** Every public operation that moves a lease, by the state it moves the lease to. */
const MOVERS: { readonly [To in LeaseState]: ReadonlyArray<readonly [string, (pair: Pair) => Lease]> } = {
  granting: [],
  active: [['confirmGrant', ({ request, lease }) => confirmGrant(request, lease, { grantedAt: at(5_000_000), confirmedAt: at(5_000_010) }).lease]],
  revoking: [
    ['beginRevocation (expired)', ({ request, lease }) => beginRevocation(request, lease, { reason: 'expired', actor: 'system', now: at(5_000_000) }).lease],
    ['beginRevocation (released)', ({ request, lease }) => beginRevocation(request, lease, { reason: 'released', actor: 'alice', now: at(5_000_000) }).lease],
    ['beginRevocation (revoked)', ({ request, lease }) => beginRevocation(request, lease, { reason: 'revoked', actor: 'bob', now: at(5_000_000) }).lease],
  ],
  revoked: [['confirmRevocation', ({ lease }) => confirmRevocation(lease, { revokedAt: at(5_000_000), confirmedAt: at(5_000_010) }).lease]],
  revoke_failed: [['failRevocation', ({ lease }) => failRevocation(lease, 'timeout', at(5_000_000), DEFAULT_RETRY_POLICY, 0.5).lease]],
};

test('the lease states are exactly the documented ones', () => {
  assert.deepEqual([...LEASE_STATES], ['granting', 'active', 'revoking', 'revoke_failed', 'revoked']);
});

test('the helper reaches every lease state', () => {
  for (const state of LEASE_STATES) assert.equal(pairIn(state).lease.state, state);
});

describe('every lease transition pair', () => {
  for (const from of LEASE_STATES) {
    for (const to of LEASE_STATES) {
      const allowed = ALLOWED.has(`${from}→${to}`);
      test(`a lease ${allowed ? 'may' : 'may not'} go from ${from} to ${to}`, () => {
        assert.equal(canMoveLease(from, to), allowed);
        assert.equal(LEASE_TRANSITIONS[from].includes(to), allowed);
        for (const [name, move] of MOVERS[to]) {
          const before = pairIn(from);
          const snapshot = structuredClone(before);
          if (allowed) {
            const after = move(before);
            assert.equal(after.state, to, name);
            assert.equal(after.version, before.lease.version + 1, `${name} bumps the version by one`);
          } else {
            assert.throws(
              () => move(before),
              (error: unknown) => {
                assert.ok(error instanceof IllegalTransitionError, `${name}: ${String(error)}`);
                assert.equal(error.kind, 'conflict');
                assert.equal(error.message, `lease cannot go from ${from} to ${to}`, name);
                assert.equal(error.from, from);
                assert.equal(error.to, to);
                return true;
              },
            );
          }
          assert.deepEqual(before, snapshot, `${name} leaves its inputs unchanged`);
        }
      });
    }
  }
});

describe('moves with no operation or a narrower one', () => {
  test('nothing ever moves a lease back to granting', () => {
    for (const from of LEASE_STATES) assert.equal(canMoveLease(from, 'granting'), false, from);
    assert.deepEqual(MOVERS.granting, []);
  });

  test('failGrant moves a granting lease to revoking', () => {
    const { request, lease } = pairIn('granting');
    const after = failGrant(request, lease, 'no such group', at(200)).lease;
    assert.equal(after.state, 'revoking');
    assert.equal(after.version, lease.version + 1);
  });

  test('failGrant refuses an active lease, because its request can no longer fail', () => {
    const { request, lease } = pairIn('active');
    assert.throws(() => failGrant(request, lease, 'late failure', at(200)), {
      name: 'IllegalTransitionError',
      message: 'request cannot go from active to failed',
    });
  });

  for (const from of ['revoking', 'revoke_failed', 'revoked'] as const) {
    test(`failGrant refuses a ${from} lease`, () => {
      const { request, lease } = pairIn(from);
      assert.throws(() => failGrant(request, lease, 'late failure', at(200)), {
        name: 'IllegalTransitionError',
        message: `lease cannot go from ${from} to revoking`,
      });
    });
  }
});

describe('the terminal lease state', () => {
  test('revoked is the only state with no way out', () => {
    assert.deepEqual(
      LEASE_STATES.filter((s) => LEASE_TRANSITIONS[s].length === 0),
      ['revoked'],
    );
  });

  test('every operation refuses a revoked lease and leaves it as it was', () => {
    const pair = pairIn('revoked');
    const snapshot = structuredClone(pair);
    const all = [...Object.values(MOVERS).flat(), ['failGrant', (p: Pair) => failGrant(p.request, p.lease, 'x', at(1)).lease] as const];
    for (const [name, move] of all) {
      assert.throws(() => move(pair), IllegalTransitionError, name);
    }
    assert.deepEqual(pair, snapshot);
  });
});
