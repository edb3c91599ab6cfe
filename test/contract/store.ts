// The store conformance suite: every store engine (SQLite now, PostgreSQL later) runs exactly these tests
// against a real database. `open` must return a new, empty store each time it is called.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEventDraft } from '../../src/core/audit-event.ts';
import { ConflictError, InvalidInputError, InvariantError } from '../../src/core/errors.ts';
import { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../../src/core/ids.ts';
import type { Lease } from '../../src/core/lease.ts';
import type { AccessRequest } from '../../src/core/request.ts';
import type { OutboxMessage } from '../../src/core/outbox.ts';
import type { SessionRecording } from '../../src/core/session-recording.ts';
import { chainHash } from '../../src/audit/chain.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import type { AuditQuery, Store } from '../../src/store/store.ts';

export const T0 = Date.UTC(2030, 0, 1, 8, 0, 0);
export const at = (offsetMs: number): Date => new Date(T0 + offsetMs);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A minimal request: no optional field set. */
export function makeRequest(id: string, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: RequestId(id),
    version: 1,
    state: 'approved',
    principal: PrincipalId('alice'),
    role: RoleName('db-admins'),
    connector: ConnectorName('corp-ldap'),
    durationMs: HOUR,
    reason: 'incident 42',
    approval: 'auto',
    createdAt: at(0),
    ...overrides,
  };
}

/** A minimal lease for request `requestId`: no optional field set. */
export function makeLease(id: string, requestId: string, overrides: Partial<Lease> = {}): Lease {
  return {
    id: LeaseId(id),
    version: 1,
    state: 'active',
    requestId: RequestId(requestId),
    principal: PrincipalId('alice'),
    role: RoleName('db-admins'),
    connector: ConnectorName('corp-ldap'),
    target: { group: 'cn=db-admins,ou=groups,dc=example,dc=org' },
    durationMs: HOUR,
    requestedAt: at(0),
    expiresAt: at(HOUR),
    attempts: 0,
    ...overrides,
  };
}

export function event(type: AuditEventDraft['type'], refs: { requestId?: string; leaseId?: string } = {}, data: Record<string, unknown> = {}): AuditEventDraft {
  return {
    type,
    at: at(0),
    actor: 'system',
    ...(refs.requestId === undefined ? {} : { requestId: RequestId(refs.requestId) }),
    ...(refs.leaseId === undefined ? {} : { leaseId: LeaseId(refs.leaseId) }),
    data,
  };
}

/** Commits a request with one lease (ids `r-<n>`, `l-<n>`), with the given lease fields. */
async function seedLease(store: Store, n: string, lease: Partial<Lease>, request: Partial<AccessRequest> = {}): Promise<Lease> {
  const value = makeLease(`l-${n}`, `r-${n}`, lease);
  await store.commit({ insertRequests: [makeRequest(`r-${n}`, { ...request, leaseId: value.id })], insertLeases: [value], events: [] });
  return value;
}

const ids = (leases: readonly Lease[]) => leases.map((l) => l.id);

export function runStoreContract(name: string, open: () => Promise<Store>): void {
  async function withStore(body: (store: Store) => Promise<void>): Promise<void> {
    const store = await open();
    try {
      await body(store);
    } finally {
      await store.close();
    }
  }

  describe(`store contract: ${name}`, () => {
    describe('connector memo', () => {
      test('each connector reads back what it wrote, the last value per key, and nothing of another connector', () =>
        withStore(async (store) => {
          const ad = ConnectorName('corp-ad');
          assert.deepEqual(await store.readConnectorMemo(ad), new Map());
          await store.writeConnectorMemo(ad, 'group:Domain Admins', 'guid-1', at(1));
          await store.writeConnectorMemo(ad, 'group:Domain Admins', 'guid-2', at(2));
          await store.writeConnectorMemo(ad, 'group:ops', 'guid-3', at(3));
          await store.writeConnectorMemo(ConnectorName('other'), 'group:ops', 'guid-9', at(4));
          assert.deepEqual(
            await store.readConnectorMemo(ad),
            new Map([
              ['group:Domain Admins', 'guid-2'],
              ['group:ops', 'guid-3'],
            ]),
          );
        }));
    });

    describe('approvals', () => {
      test('decisions read back per request in order; a second decision by the same person is refused and nothing of that commit is written', () =>
        withStore(async (store) => {
          await store.commit({ insertRequests: [makeRequest('r-1', { state: 'pending', approvalsRequired: 2, approvalDeadline: at(60_000) })], events: [] });
          const bob = { requestId: RequestId('r-1'), approver: PrincipalId('bob'), decision: 'approve' as const, comment: 'ok', at: at(1_000) };
          const carol = { requestId: RequestId('r-1'), approver: PrincipalId('carol'), decision: 'deny' as const, at: at(2_000) };
          await store.commit({ insertApprovals: [carol, bob], events: [event('approval.given', { requestId: 'r-1' })] });
          assert.deepEqual(await store.listApprovals(RequestId('r-1')), [bob, carol]);
          const head = await store.auditHead();
          await assert.rejects(store.commit({ insertApprovals: [{ ...bob, at: at(3_000) }], events: [event('approval.given', { requestId: 'r-1' })] }));
          assert.deepEqual(await store.auditHead(), head);
          assert.deepEqual(await store.listApprovals(RequestId('r-1')), [bob, carol]);
          assert.deepEqual(await store.listApprovals(RequestId('r-none')), []);
        }));

      test('findExpiredPendingRequests offers pending requests at or past their deadline, oldest deadline first', () =>
        withStore(async (store) => {
          await store.commit({
            insertRequests: [
              makeRequest('r-late', { state: 'pending', approvalsRequired: 1, approvalDeadline: at(5_000) }),
              makeRequest('r-early', { state: 'pending', approvalsRequired: 1, approvalDeadline: at(1_000) }),
              makeRequest('r-future', { state: 'pending', approvalsRequired: 1, approvalDeadline: at(9_000) }),
              makeRequest('r-decided', { state: 'denied', approvalsRequired: 1, approvalDeadline: at(1_000) }),
            ],
            events: [],
          });
          assert.deepEqual((await store.findExpiredPendingRequests(at(5_000), 10)).map((r) => r.id), ['r-early', 'r-late']);
          assert.deepEqual((await store.findExpiredPendingRequests(at(5_000), 1)).map((r) => r.id), ['r-early']);
          const [early] = await store.findExpiredPendingRequests(at(1_000), 10);
          assert.equal(early?.approvalsRequired, 1);
          assert.deepEqual(early?.approvalDeadline, at(1_000));
        }));
    });

    describe('outbox', () => {
      const message = (id: string, createdAt: number, overrides: Partial<OutboxMessage> = {}): OutboxMessage => ({
        id,
        createdAt: at(createdAt),
        channel: 'email',
        recipients: ['bob@example.test'],
        notification: { id, event: 'approval.requested', occurredAt: at(createdAt).toISOString(), links: { view: 'https://jitd.example.test/requests/r-1' } },
        state: 'pending',
        attempts: 0,
        ...overrides,
      });

      test('messages committed with a change are due until sent; a retry is due at its time; counts and lists by state', () =>
        withStore(async (store) => {
          await store.commit({ insertOutbox: [message('n-2', 2_000), message('n-1', 1_000)], events: [event('request.created', { requestId: 'r-1' })] });
          assert.deepEqual((await store.findDueOutbox(at(5_000), 10)).map((m) => m.id), ['n-1', 'n-2']);
          const [first] = await store.findDueOutbox(at(5_000), 1);
          assert.deepEqual(first, message('n-1', 1_000));
          await store.saveOutboxMessage(message('n-1', 1_000, { state: 'sent', attempts: 1, sentAt: at(6_000), detail: '250 ok' }));
          await store.saveOutboxMessage(message('n-2', 2_000, { attempts: 1, lastError: 'ECONNREFUSED', nextAttemptAt: at(9_000) }));
          assert.deepEqual(await store.findDueOutbox(at(8_999), 10), []);
          assert.deepEqual((await store.findDueOutbox(at(9_000), 10)).map((m) => [m.id, m.lastError]), [['n-2', 'ECONNREFUSED']]);
          assert.deepEqual(await store.countOutbox(), { pending: 1, sent: 1, failed: 0 });
          assert.deepEqual((await store.listOutbox({ states: ['sent'] })).map((m) => [m.id, m.detail, m.sentAt]), [['n-1', '250 ok', at(6_000)]]);
          assert.deepEqual((await store.listOutbox({})).map((m) => m.id), ['n-2', 'n-1']);
        }));
    });

    describe('session recordings', () => {
      const recording = (id: string, leaseId: string, startedAt: number, overrides: Partial<SessionRecording> = {}): SessionRecording => ({
        id,
        leaseId: LeaseId(leaseId),
        receivedAt: at(startedAt + 2_000),
        startedAt: at(startedAt),
        endedAt: at(startedAt + 1_000),
        endedBy: 'exit',
        host: 'web-01',
        login: 'admin',
        terminal: true,
        uploadedFrom: '192.0.2.7',
        bytes: 3,
        sha256: 'a'.repeat(64),
        truncated: false,
        ...overrides,
      });

      test('a recording is stored with its event in one commit; lists hold facts in start order, reads add the exact bytes', () =>
        withStore(async (store) => {
          await seedLease(store, '1', {});
          const bytes = new Uint8Array([0, 0xff, 0x1b, 0x5b, 0x41, 0x0a]);
          const later = recording('ses-b', 'l-1', 5_000, { command: 'sftp-server', terminal: false, endedBy: 'lease-end', truncated: true, bytes: 6 });
          const earlier = recording('ses-a', 'l-1', 1_000);
          const [recorded] = await store.commit({
            insertSessionRecordings: [
              { recording: later, content: bytes },
              { recording: earlier, content: new Uint8Array([1, 2, 3]) },
            ],
            events: [event('session.recorded', { leaseId: 'l-1' }, { recordingId: 'ses-b' })],
          });
          assert.equal(recorded?.type, 'session.recorded');
          assert.deepEqual(await store.listSessionRecordings(LeaseId('l-1')), [earlier, later]);
          assert.deepEqual(await store.readSessionRecording('ses-b'), { recording: later, content: bytes });
          assert.deepEqual(await store.listSessionRecordings(LeaseId('l-other')), []);
          assert.equal(await store.readSessionRecording('ses-none'), undefined);
        }));

      test('a recording for a lease that does not exist is refused and its event is not written', () =>
        withStore(async (store) => {
          await assert.rejects(
            store.commit({ insertSessionRecordings: [{ recording: recording('ses-x', 'l-missing', 0), content: new Uint8Array(1) }], events: [event('session.recorded')] }),
          );
          assert.equal(await store.auditHead(), undefined);
          assert.equal(await store.readSessionRecording('ses-x'), undefined);
        }));
    });

    describe('records', () => {
      test('a committed request, lease and events read back equal, Dates and optional fields included', () =>
        withStore(async (store) => {
          const bare = makeRequest('r-bare', { state: 'pending', approval: 'manual' });
          const full = makeRequest('r-full', {
            ticket: 'INC-7',
            decidedAt: at(1_000),
            decidedBy: 'bob',
            leaseId: LeaseId('l-full'),
            outcomeNote: 'done early',
            grantInput: { publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop' },
          });
          const lease = makeLease('l-full', 'r-full', {
            state: 'revoke_failed',
            target: { group: 'cn=x', server: 'ldap://a' },
            grantedAt: at(10),
            grantConfirmedAt: at(20),
            grantRecord: { serial: '42', keyId: 'l-full:admin@web-01' },
            expiresAt: at(HOUR + 10),
            revokeReason: 'released',
            revokeRequestedAt: at(30 * MINUTE),
            revokedAt: at(31 * MINUTE),
            revokeConfirmedAt: at(32 * MINUTE),
            attempts: 3,
            lastError: 'connection refused',
            nextAttemptAt: at(33 * MINUTE),
            claimedUntil: at(34 * MINUTE),
          });
          const events = await store.commit({
            insertRequests: [bare, full],
            insertLeases: [lease],
            events: [event('request.created', { requestId: 'r-full' }, { reason: 'incident 42', nested: { n: 1.5, list: [1, 'two', null] } }), event('lease.granting', { requestId: 'r-full', leaseId: 'l-full' })],
          });

          assert.deepEqual(await store.getRequest(bare.id), bare);
          assert.deepEqual(await store.getRequest(full.id), full);
          assert.deepEqual(await store.getLease(lease.id), lease);
          const readBare = await store.getRequest(bare.id);
          assert.ok(readBare && !('ticket' in readBare) && !('decidedAt' in readBare), 'absent optional fields stay absent, not null');
          assert.ok((await store.getRequest(full.id))?.createdAt instanceof Date);

          assert.equal(events.length, 2);
          assert.deepEqual(await store.listAuditEvents(), events);
          const [created, granting] = events;
          assert.deepEqual(created?.data, { reason: 'incident 42', nested: { n: 1.5, list: [1, 'two', null] } });
          assert.equal(created?.seq, 1);
          assert.equal(granting?.seq, 2);
          assert.equal(granting?.prevHash, created?.hash);
          assert.ok(created && !('leaseId' in created), 'an event without a lease has no leaseId property');
          assert.match(created?.id ?? '', /^[0-9a-f-]{36}$/);
        }));

      test('unknown ids read as undefined', () =>
        withStore(async (store) => {
          assert.equal(await store.getRequest(RequestId('nope')), undefined);
          assert.equal(await store.getLease(LeaseId('nope')), undefined);
        }));

      test('an update with the next version replaces the stored values, clearing fields that became absent', () =>
        withStore(async (store) => {
          const lease = await seedLease(store, '1', { state: 'granting', claimedUntil: at(5_000) });
          const { claimedUntil: _dropped, ...rest } = lease;
          const next: Lease = { ...rest, version: 2, state: 'active', grantedAt: at(100), grantConfirmedAt: at(120), expiresAt: at(HOUR + 100) };
          const request = (await store.getRequest(lease.requestId)) as AccessRequest;
          await store.commit({ updateLeases: [next], updateRequests: [{ ...request, version: 2, state: 'active' }], events: [event('lease.granted', { leaseId: lease.id })] });
          assert.deepEqual(await store.getLease(lease.id), next);
          assert.equal((await store.getRequest(lease.requestId))?.state, 'active');
        }));
    });

    describe('optimistic concurrency and atomicity', () => {
      test('a stale version throws ConflictError and nothing of that commit is written', () =>
        withStore(async (store) => {
          const lease = await seedLease(store, '1', {});
          await store.commit({ updateLeases: [{ ...lease, version: 2, state: 'revoking' }], events: [event('lease.expired', { leaseId: lease.id })] });
          const headBefore = await store.auditHead();

          const stale = store.commit({
            insertRequests: [makeRequest('r-new')],
            updateLeases: [{ ...lease, version: 2, state: 'revoking', lastError: 'mine' }],
            events: [event('request.created', { requestId: 'r-new' }), event('lease.released', { leaseId: lease.id })],
          });
          await assert.rejects(stale, (error: unknown) => {
            assert.ok(error instanceof ConflictError);
            assert.equal(error.message, 'lease l-1 was changed by someone else (expected version 1)');
            return true;
          });
          assert.equal(await store.getRequest(RequestId('r-new')), undefined);
          assert.equal((await store.getLease(lease.id))?.lastError, undefined);
          assert.deepEqual(await store.auditHead(), headBefore);
          assert.equal((await store.listAuditEvents()).length, 1);
        }));

      test('a stale request version names the request', () =>
        withStore(async (store) => {
          const lease = await seedLease(store, '1', {});
          const request = (await store.getRequest(lease.requestId)) as AccessRequest;
          await assert.rejects(store.commit({ updateRequests: [{ ...request, version: 5 }], events: [] }), {
            name: 'ConflictError',
            message: 'request r-1 was changed by someone else (expected version 4)',
          });
        }));

      test('updating a lease that does not exist throws ConflictError', () =>
        withStore(async (store) => {
          await assert.rejects(store.commit({ updateLeases: [makeLease('l-ghost', 'r-ghost', { version: 2 })], events: [] }), {
            name: 'ConflictError',
            message: 'lease l-ghost does not exist (expected version 1)',
          });
        }));

      test('changing a field that is fixed at creation is refused as a bug, not stored', () =>
        withStore(async (store) => {
          const lease = await seedLease(store, '1', {});
          await assert.rejects(store.commit({ updateLeases: [{ ...lease, version: 2, principal: PrincipalId('mallory') }], events: [] }), (error: unknown) => {
            assert.ok(error instanceof InvariantError);
            assert.equal(error.message, 'lease l-1: principal cannot change once the lease exists (this is a bug)');
            return true;
          });
          assert.equal((await store.getLease(lease.id))?.principal, 'alice');
        }));

      test('an insert that fails midway leaves no row and no event of that commit', () =>
        withStore(async (store) => {
          const lease = await seedLease(store, '1', {});
          await store.commit({ events: [event('lease.granted', { leaseId: lease.id })] });
          const headBefore = await store.auditHead();
          await assert.rejects(
            store.commit({
              insertRequests: [makeRequest('r-2')],
              // Same id as the stored lease: the insert fails after r-2 was written in this transaction.
              insertLeases: [makeLease('l-2', 'r-2'), makeLease('l-1', 'r-2')],
              events: [event('request.created', { requestId: 'r-2' })],
            }),
          );
          assert.equal(await store.getRequest(RequestId('r-2')), undefined);
          assert.equal(await store.getLease(LeaseId('l-2')), undefined);
          assert.deepEqual(await store.auditHead(), headBefore);
          // The chain continues from the last good commit.
          const [next] = await store.commit({ events: [event('lease.released', { leaseId: lease.id })] });
          assert.equal(next?.seq, 2);
          assert.equal(next?.prevHash, headBefore?.hash);
          assert.equal((await verifyAuditChain(store.readAuditRows(), await store.auditHead())).ok, true);
        }));

      test('event data that is not JSON is refused and nothing of that commit is written', () =>
        withStore(async (store) => {
          await assert.rejects(store.commit({ insertRequests: [makeRequest('r-1')], events: [event('request.created', {}, { size: Number.NaN })] }), (error: unknown) => {
            assert.ok(error instanceof InvalidInputError);
            assert.equal(error.message, 'audit event request.created: data cannot be written as JSON (NaN is not allowed)');
            return true;
          });
          assert.equal(await store.getRequest(RequestId('r-1')), undefined);
        }));
    });

    describe('due work', () => {
      test('findDueWork offers expired active leases, due revocations and abandoned grants, oldest due first', () =>
        withStore(async (store) => {
          const now = at(2 * HOUR);
          await seedLease(store, 'exp-late', { state: 'active', expiresAt: at(2 * HOUR) });
          await seedLease(store, 'exp-early', { state: 'active', expiresAt: at(HOUR) });
          await seedLease(store, 'not-yet', { state: 'active', expiresAt: at(2 * HOUR + 1) });
          await seedLease(store, 'revoking', { state: 'revoking', revokeReason: 'expired', revokeRequestedAt: at(90 * MINUTE) });
          await seedLease(store, 'retry-due', { state: 'revoke_failed', attempts: 2, nextAttemptAt: at(80 * MINUTE), revokeRequestedAt: at(70 * MINUTE) });
          await seedLease(store, 'retry-later', { state: 'revoke_failed', attempts: 2, nextAttemptAt: at(2 * HOUR + MINUTE) });
          await seedLease(store, 'revoking-claimed', { state: 'revoking', revokeRequestedAt: at(MINUTE), claimedUntil: at(2 * HOUR + 1) });
          await seedLease(store, 'claim-ran-out', { state: 'revoking', revokeRequestedAt: at(100 * MINUTE), claimedUntil: at(2 * HOUR) });
          await seedLease(store, 'grant-abandoned', { state: 'granting', claimedUntil: at(HOUR) });
          await seedLease(store, 'grant-unclaimed', { state: 'granting' });
          await seedLease(store, 'grant-in-progress', { state: 'granting', claimedUntil: at(2 * HOUR + 1) });
          await seedLease(store, 'done', { state: 'revoked', expiresAt: at(0) });

          const due = await store.findDueWork(now, 100);
          assert.deepEqual(ids(due.expired), ['l-exp-early', 'l-exp-late']);
          assert.deepEqual(ids(due.revocations), ['l-retry-due', 'l-revoking', 'l-claim-ran-out']);
          assert.deepEqual(ids(due.abandonedGrants), ['l-grant-unclaimed', 'l-grant-abandoned']);
        }));

      test('findDueWork returns at most `limit` leases per list', () =>
        withStore(async (store) => {
          for (let i = 0; i < 5; i++) await seedLease(store, `e${i}`, { state: 'active', expiresAt: at(i) });
          for (let i = 0; i < 3; i++) await seedLease(store, `r${i}`, { state: 'revoking', revokeRequestedAt: at(i) });
          for (let i = 0; i < 3; i++) await seedLease(store, `f${i}`, { state: 'revoke_failed', nextAttemptAt: at(10 + i) });
          const due = await store.findDueWork(at(HOUR), 2);
          assert.deepEqual(ids(due.expired), ['l-e0', 'l-e1']);
          assert.deepEqual(ids(due.revocations), ['l-r0', 'l-r1']);
          await assert.rejects(store.findDueWork(at(0), 0), { name: 'InvalidInputError', message: 'limit must be a whole number of at least 1, got 0' });
        }));

      test('listLiveLeases returns every lease whose access may still be in the target, oldest first', () =>
        withStore(async (store) => {
          await seedLease(store, 'a', { state: 'active', requestedAt: at(2) });
          await seedLease(store, 'g', { state: 'granting', requestedAt: at(1) });
          await seedLease(store, 'r', { state: 'revoking', requestedAt: at(3) });
          await seedLease(store, 'f', { state: 'revoke_failed', requestedAt: at(4) });
          await seedLease(store, 'x', { state: 'revoked', requestedAt: at(0) });
          assert.deepEqual(ids(await store.listLiveLeases()), ['l-g', 'l-a', 'l-r', 'l-f']);
        }));

      test('countLeases counts every state and the overdue revocations', () =>
        withStore(async (store) => {
          const now = at(3 * HOUR);
          await seedLease(store, 'a', { state: 'active', expiresAt: at(4 * HOUR) });
          // An active lease 2 h past its expiry is overdue too: the scheduler is not keeping up.
          await seedLease(store, 'late', { state: 'active', expiresAt: at(HOUR) });
          // Overdue after 10 minutes: asked 2 h ago, expiry 2 h ago (no revoke request), and exactly 10 minutes ago.
          await seedLease(store, 'o1', { state: 'revoking', revokeRequestedAt: at(HOUR) });
          await seedLease(store, 'o2', { state: 'revoke_failed', expiresAt: at(HOUR) });
          await seedLease(store, 'o3', { state: 'revoking', revokeRequestedAt: at(3 * HOUR - 10 * MINUTE) });
          await seedLease(store, 'fresh', { state: 'revoking', revokeRequestedAt: at(3 * HOUR - 9 * MINUTE), expiresAt: at(0) });
          await seedLease(store, 'done', { state: 'revoked', expiresAt: at(0) });
          const counts = await store.countLeases(now, 10 * MINUTE);
          assert.deepEqual(counts, { byState: { granting: 0, active: 2, revoking: 3, revoke_failed: 1, revoked: 1 }, overdueRevocations: 4, unreviewedBreakGlass: 0 });
        }));
    });

    describe('listing', () => {
      test('listRequests and listLeases filter by state, principal and role, newest first', () =>
        withStore(async (store) => {
          await seedLease(store, '1', { state: 'active', requestedAt: at(1) }, { state: 'active', createdAt: at(1) });
          await seedLease(store, '2', { state: 'revoked', requestedAt: at(2) }, { state: 'expired', createdAt: at(2) });
          await seedLease(store, '3', { state: 'active', requestedAt: at(3), principal: PrincipalId('bob') }, { state: 'active', createdAt: at(3), principal: PrincipalId('bob') });
          await seedLease(store, '4', { state: 'active', requestedAt: at(4), role: RoleName('ssh') }, { state: 'active', createdAt: at(4), role: RoleName('ssh') });

          assert.deepEqual(ids(await store.listLeases()), ['l-4', 'l-3', 'l-2', 'l-1']);
          assert.deepEqual(ids(await store.listLeases({ states: ['active'] })), ['l-4', 'l-3', 'l-1']);
          assert.deepEqual(ids(await store.listLeases({ states: ['active', 'revoked'], principal: PrincipalId('alice') })), ['l-4', 'l-2', 'l-1']);
          assert.deepEqual(ids(await store.listLeases({ role: RoleName('ssh') })), ['l-4']);
          assert.deepEqual(ids(await store.listLeases({ limit: 2 })), ['l-4', 'l-3']);
          assert.deepEqual(await store.listLeases({ states: [] }), []);

          const requestIds = async (f: Parameters<Store['listRequests']>[0]) => (await store.listRequests(f)).map((r) => r.id);
          assert.deepEqual(await requestIds({}), ['r-4', 'r-3', 'r-2', 'r-1']);
          assert.deepEqual(await requestIds({ states: ['expired'] }), ['r-2']);
          assert.deepEqual(await requestIds({ principal: PrincipalId('bob') }), ['r-3']);
          assert.deepEqual(await requestIds({ role: RoleName('db-admins'), limit: 1 }), ['r-3']);

          // Time windows, and paging back from the oldest row of a page.
          assert.deepEqual(ids(await store.listLeases({ requestedSince: at(2), requestedBefore: at(4) })), ['l-3', 'l-2']);
          assert.deepEqual(ids(await store.listLeases({ requestedBefore: at(3), limit: 1 })), ['l-2']);
          assert.deepEqual(await requestIds({ createdSince: at(3) }), ['r-4', 'r-3']);
          assert.deepEqual(await requestIds({ createdBefore: at(2) }), ['r-1']);
        }));

      test("standing-access counts are kept, listed oldest first within a window, and each role's first is the first inventory", () =>
        withStore(async (store) => {
          const row = (role: string, ms: number, standing: number, leased = 0) => ({ role: RoleName(role), at: at(ms), standing, leased });
          await store.recordStandingAccess([row('db', 1, 5, 1), row('ssh', 2, 3)]);
          await store.recordStandingAccess([row('db', 3, 2, 2), row('ssh', 4, 0, 1)]);
          await store.recordStandingAccess([row('db', 3, 1, 2)]); // the same pass again: the later count stands
          await store.recordStandingAccess([]);
          assert.deepEqual(await store.listStandingAccess({}), [row('db', 1, 5, 1), row('ssh', 2, 3), row('db', 3, 1, 2), row('ssh', 4, 0, 1)]);
          assert.deepEqual(await store.listStandingAccess({ since: at(2), before: at(4) }), [row('ssh', 2, 3), row('db', 3, 1, 2)]);
          assert.deepEqual(await store.listStandingAccess({ limit: 1 }), [row('db', 1, 5, 1)]);
          assert.deepEqual(await store.firstStandingAccess(), [row('db', 1, 5, 1), row('ssh', 2, 3)]);
        }));

      test('listLeases finds the break-glass leases nobody has reviewed, and countLeases counts them', () =>
        withStore(async (store) => {
          await seedLease(store, 'plain', { state: 'active', requestedAt: at(1) });
          await seedLease(store, 'open', { state: 'active', requestedAt: at(2), reviewRequired: true });
          await seedLease(store, 'done', {
            state: 'revoked',
            requestedAt: at(3),
            reviewRequired: true,
            review: { by: PrincipalId('carol'), at: at(4), verdict: 'accepted', comment: 'INC-1 confirmed' },
          });
          assert.deepEqual(ids(await store.listLeases({ unreviewed: true })), ['l-open']);
          assert.equal((await store.countLeases(at(5), 60_000)).unreviewedBreakGlass, 1);
          assert.deepEqual((await store.getLease(LeaseId('l-done')))?.review, { by: 'carol', at: at(4), verdict: 'accepted', comment: 'INC-1 confirmed' });
        }));

      test('lists hold 100 rows unless asked, and never more than 1000', () =>
        withStore(async (store) => {
          const requests = Array.from({ length: 1005 }, (_, i) => makeRequest(`r-${String(i).padStart(4, '0')}`, { createdAt: at(i) }));
          await store.commit({ insertRequests: requests, events: [] });
          const firstPage = await store.listRequests();
          assert.equal(firstPage.length, 100);
          assert.equal(firstPage[0]?.id, 'r-1004');
          assert.equal((await store.listRequests({ limit: 5000 })).length, 1000);
          await assert.rejects(store.listLeases({ limit: -1 }), { name: 'InvalidInputError', message: 'limit must be a whole number of at least 1, got -1' });
        }));

      test('listAuditEvents pages by sequence number and filters by request and lease', () =>
        withStore(async (store) => {
          await store.commit({ events: [event('request.created', { requestId: 'r-1' }), event('request.created', { requestId: 'r-2' })] });
          await store.commit({ events: [event('lease.granting', { requestId: 'r-1', leaseId: 'l-1' }), event('lease.granted', { requestId: 'r-1', leaseId: 'l-1' })] });
          const seqs = async (q: Parameters<Store['listAuditEvents']>[0]) => (await store.listAuditEvents(q)).map((e) => e.seq);
          assert.deepEqual(await seqs({}), [1, 2, 3, 4]);
          assert.deepEqual(await seqs({ afterSeq: 2 }), [3, 4]);
          assert.deepEqual(await seqs({ afterSeq: 1, limit: 2 }), [2, 3]);
          assert.deepEqual(await seqs({ requestId: RequestId('r-1') }), [1, 3, 4]);
          assert.deepEqual(await seqs({ leaseId: LeaseId('l-1'), afterSeq: 3 }), [4]);
        }));
    });

    describe('audit search', () => {
      /**
       * One small history: alice's lease l-1 of db-admins (her request, then system events with refs only, one
       * written later without its lease in the change set), bob approving carol's ssh request, bob creating a
       * token for svc-backup (auth: subject in data), the reconciler finding mallory on db-admins (holder in
       * data), and an event whose request is not stored (falls back to its data). Event i is at minute i.
       */
      async function history(store: Store): Promise<void> {
        const request = makeRequest('r-1', { leaseId: LeaseId('l-1') });
        const lease = makeLease('l-1', 'r-1');
        const atMinute = (draft: AuditEventDraft, minute: number, actor = draft.actor): AuditEventDraft => ({ ...draft, at: at(minute * MINUTE), actor });
        await store.commit({
          insertRequests: [request],
          insertLeases: [lease],
          events: [
            atMinute(event('request.created', { requestId: 'r-1' }, { principal: 'alice', role: 'db-admins' }), 1, 'alice'),
            atMinute(event('lease.granting', { requestId: 'r-1', leaseId: 'l-1' }), 2),
          ],
        });
        await store.commit({ insertRequests: [makeRequest('r-2', { state: 'pending', principal: PrincipalId('carol'), role: RoleName('ssh') })], events: [] });
        await store.commit({ events: [atMinute(event('approval.given', { requestId: 'r-2' }, { approver: 'bob' }), 3, 'bob')] });
        await store.commit({ events: [atMinute(event('auth.token_created', {}, { tokenId: 't-1', principal: 'svc-backup' }), 4, 'bob')] });
        await store.commit({ events: [atMinute(event('reconcile.standing_access_found', {}, { role: 'db-admins', holder: 'mallory' }), 5)] });
        await store.commit({ events: [atMinute(event('lease.revoked', { requestId: 'r-1', leaseId: 'l-1' }, { attempts: 1 }), 6)] });
        await store.commit({ events: [atMinute(event('request.created', { requestId: 'r-gone' }, { principal: 'erin', role: 'web' }), 7, 'erin')] });
      }
      const seqsOf = async (store: Store, query: AuditQuery) => (await store.listAuditEvents(query)).map((e) => e.seq);

      test('principal finds the events someone did and the events about them, from their lease, request or the data', () =>
        withStore(async (store) => {
          await history(store);
          assert.deepEqual(await seqsOf(store, { principal: PrincipalId('alice') }), [1, 2, 6]);
          assert.deepEqual(await seqsOf(store, { principal: PrincipalId('bob') }), [3, 4]);
          assert.deepEqual(await seqsOf(store, { principal: PrincipalId('carol') }), [3]);
          assert.deepEqual(await seqsOf(store, { principal: PrincipalId('svc-backup') }), [4]);
          assert.deepEqual(await seqsOf(store, { principal: PrincipalId('mallory') }), [5]);
          assert.deepEqual(await seqsOf(store, { principal: PrincipalId('erin') }), [7]);
          assert.deepEqual(await seqsOf(store, { principal: PrincipalId('system') }), [2, 5, 6], 'the scheduler and reconciler act as system');
          assert.deepEqual(await seqsOf(store, { principal: PrincipalId('nobody') }), []);
        }));

      test('role finds the events about a role, from their lease, request or the data', () =>
        withStore(async (store) => {
          await history(store);
          assert.deepEqual(await seqsOf(store, { role: RoleName('db-admins') }), [1, 2, 5, 6]);
          assert.deepEqual(await seqsOf(store, { role: RoleName('ssh') }), [3]);
          assert.deepEqual(await seqsOf(store, { role: RoleName('web') }), [7]);
          assert.deepEqual(await seqsOf(store, { role: RoleName('db-admins'), principal: PrincipalId('alice') }), [1, 2, 6]);
        }));

      test('types keeps the listed event types, and an empty list matches nothing', () =>
        withStore(async (store) => {
          await history(store);
          assert.deepEqual(await seqsOf(store, { types: ['request.created'] }), [1, 7]);
          assert.deepEqual(await seqsOf(store, { types: ['lease.granting', 'lease.revoked'], principal: PrincipalId('alice') }), [2, 6]);
          assert.deepEqual(await seqsOf(store, { types: [] }), []);
        }));

      test('since and until keep the half-open window [since, until) of event times', () =>
        withStore(async (store) => {
          await history(store);
          assert.deepEqual(await seqsOf(store, { since: at(3 * MINUTE), until: at(6 * MINUTE) }), [3, 4, 5]);
          assert.deepEqual(await seqsOf(store, { since: at(6 * MINUTE) }), [6, 7]);
          assert.deepEqual(await seqsOf(store, { until: at(2 * MINUTE) }), [1]);
          assert.deepEqual(await seqsOf(store, { since: at(4 * MINUTE), until: at(4 * MINUTE) }), []);
        }));

      test('newest first pages back with beforeSeq, and the filters hold on every page', () =>
        withStore(async (store) => {
          await history(store);
          assert.deepEqual(await seqsOf(store, { order: 'desc' }), [7, 6, 5, 4, 3, 2, 1]);
          assert.deepEqual(await seqsOf(store, { order: 'desc', limit: 3 }), [7, 6, 5]);
          assert.deepEqual(await seqsOf(store, { order: 'desc', limit: 3, beforeSeq: 5 }), [4, 3, 2]);
          assert.deepEqual(await seqsOf(store, { order: 'desc', limit: 3, beforeSeq: 2 }), [1]);
          assert.deepEqual(await seqsOf(store, { order: 'desc', role: RoleName('db-admins'), limit: 2 }), [6, 5]);
          assert.deepEqual(await seqsOf(store, { order: 'desc', role: RoleName('db-admins'), limit: 2, beforeSeq: 5 }), [2, 1]);
          assert.deepEqual(await seqsOf(store, { order: 'asc', afterSeq: 2, beforeSeq: 6 }), [3, 4, 5], 'both bounds: a window of the chain');
          assert.deepEqual(await seqsOf(store, {}), [1, 2, 3, 4, 5, 6, 7], 'chain order unless asked');
        }));

      test('readAuditRows streams only the matching rows, each still verifiable on its own, and all of them without a filter', () =>
        withStore(async (store) => {
          await history(store);
          const rows = [];
          for await (const row of store.readAuditRows({ principal: PrincipalId('alice'), since: at(2 * MINUTE) })) rows.push(row);
          assert.deepEqual(
            rows.map((r) => r.seq),
            [2, 6],
          );
          for (const row of rows) assert.equal(chainHash(row.prevHash, row.body), row.hash);
          const none = [];
          for await (const row of store.readAuditRows({ types: [] })) none.push(row);
          assert.deepEqual(none, []);
          assert.deepEqual(await verifyAuditChain(store.readAuditRows(), await store.auditHead()), { ok: true, count: 7, head: { seq: 7, hash: (await store.auditHead())?.hash } });
        }));
    });

    describe('audit chain', () => {
      test('an empty store has no head and an empty chain that verifies', () =>
        withStore(async (store) => {
          assert.equal(await store.auditHead(), undefined);
          assert.deepEqual(await verifyAuditChain(store.readAuditRows(), await store.auditHead()), { ok: true, count: 0 });
        }));

      test('the chain of several commits links every event to the one before and verifies', () =>
        withStore(async (store) => {
          const first = await store.commit({ events: [event('request.created', { requestId: 'r-1' }, { reason: 'x' })] });
          const second = await store.commit({ events: [event('request.approved', { requestId: 'r-1' }), event('lease.granting', { requestId: 'r-1', leaseId: 'l-1' })] });
          await store.commit({ events: [] });
          const third = await store.commit({ events: [event('lease.granted', { requestId: 'r-1', leaseId: 'l-1' })] });
          const all = [...first, ...second, ...third];
          assert.deepEqual(
            all.map((e) => e.seq),
            [1, 2, 3, 4],
          );
          assert.equal(all[0]?.prevHash, '0'.repeat(64));
          for (let i = 1; i < all.length; i++) assert.equal(all[i]?.prevHash, all[i - 1]?.hash);
          assert.deepEqual(await store.auditHead(), { seq: 4, hash: third[0]?.hash });

          const rows = [];
          for await (const row of store.readAuditRows()) rows.push(row);
          assert.deepEqual(
            rows.map((r) => [r.seq, r.id, r.prevHash, r.hash]),
            all.map((e) => [e.seq, e.id, e.prevHash, e.hash]),
          );
          assert.deepEqual(await verifyAuditChain(store.readAuditRows(), await store.auditHead()), { ok: true, count: 4, head: { seq: 4, hash: third[0]?.hash } });
        }));

      test('readAuditRows streams a chain longer than one page, in order, and it verifies', () =>
        withStore(async (store) => {
          for (let i = 0; i < 5; i++) await store.commit({ events: Array.from({ length: 500 }, (_, j) => event('lease.revoked', { leaseId: `l-${i}-${j}` }, { attempts: j })) });
          let expected = 1;
          for await (const row of store.readAuditRows()) assert.equal(row.seq, expected++);
          assert.equal(expected, 2501);
          const result = await verifyAuditChain(store.readAuditRows(), await store.auditHead());
          assert.equal(result.ok, true);
          assert.equal(result.count, 2500);
        }));
    });

    describe('bulk', () => {
      test('a commit of 5,000 lease and request updates with 5,000 events is written whole', (t) =>
        withStore(async (store) => {
          const count = 5000;
          const requests = Array.from({ length: count }, (_, i) => makeRequest(`r-${i}`, { state: 'active', leaseId: LeaseId(`l-${i}`), createdAt: at(i) }));
          const leases = Array.from({ length: count }, (_, i) => makeLease(`l-${i}`, `r-${i}`, { requestedAt: at(i), expiresAt: at(HOUR + i) }));
          let started = performance.now();
          await store.commit({ insertRequests: requests, insertLeases: leases, events: leases.map((l) => event('lease.granting', { requestId: l.requestId, leaseId: l.id })) });
          const insertMs = performance.now() - started;

          const now = at(2 * HOUR);
          const revoking = leases.map((l): Lease => ({ ...l, version: 2, state: 'revoking', revokeReason: 'expired', revokeRequestedAt: now }));
          const expired = requests.map((r): AccessRequest => ({ ...r, version: 2, state: 'expired' }));
          const events = leases.map((l) => ({ ...event('lease.expired', { requestId: l.requestId, leaseId: l.id }), at: now }));
          started = performance.now();
          const written = await store.commit({ updateLeases: revoking, events });
          const leaseUpdateMs = performance.now() - started;
          started = performance.now();
          await store.commit({ updateRequests: expired, events: [] });
          const requestUpdateMs = performance.now() - started;
          t.diagnostic(`insert 5,000 requests + 5,000 leases + 5,000 events: ${insertMs.toFixed(0)} ms`);
          t.diagnostic(`update 5,000 leases + 5,000 events: ${leaseUpdateMs.toFixed(0)} ms`);
          t.diagnostic(`update 5,000 requests: ${requestUpdateMs.toFixed(0)} ms`);

          assert.equal(written.length, count);
          assert.equal(written.at(-1)?.seq, 2 * count);
          const counts = await store.countLeases(now, HOUR);
          assert.equal(counts.byState.revoking, count);
          assert.equal((await store.listRequests({ states: ['expired'], limit: 1000 })).length, 1000);
          assert.equal((await store.findDueWork(now, 10_000)).revocations.length, count);
          assert.equal((await verifyAuditChain(store.readAuditRows(), await store.auditHead())).ok, true);
        }));
    });
  });
}
