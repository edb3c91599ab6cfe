// Tampering with a real SQLite store file behind jitd's back, and `verifyAuditChain` naming exactly what
// was done and to which event.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { AuditEvent } from '../../src/core/audit-event.ts';
import { chainHash, canonicalEventBody } from '../../src/audit/chain.ts';
import { verifyAuditChain, type ChainVerification } from '../../src/audit/verify.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { event, makeLease, makeRequest } from '../contract/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'jitd-audit-tamper-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A store file holding a chain of 8 events written by 4 commits; returns its path and the events. */
async function storeWithChain(): Promise<{ path: string; events: AuditEvent[] }> {
  const path = join(dir, `audit-${++files}.db`);
  const store = await openSqliteStore(path);
  const events: AuditEvent[] = [];
  try {
    events.push(
      ...(await store.commit({
        insertRequests: [makeRequest('r-1')],
        insertLeases: [makeLease('l-1', 'r-1', { state: 'granting' })],
        events: [event('request.created', { requestId: 'r-1' }, { reason: 'incident 42' }), event('request.approved', { requestId: 'r-1' }, { mode: 'auto' }), event('lease.granting', { requestId: 'r-1', leaseId: 'l-1' })],
      })),
    );
    events.push(...(await store.commit({ events: [event('lease.granted', { requestId: 'r-1', leaseId: 'l-1' }, { grantLatencyMs: 12 })] })));
    events.push(...(await store.commit({ events: [event('lease.expired', { requestId: 'r-1', leaseId: 'l-1' }), event('lease.revoke_failed', { requestId: 'r-1', leaseId: 'l-1' }, { error: 'timeout', attempts: 1 })] })));
    events.push(...(await store.commit({ events: [event('lease.revoked', { requestId: 'r-1', leaseId: 'l-1' }, { reason: 'expired', attempts: 2 }), event('reconcile.standing_access_found', {}, { holder: 'mallory' })] })));
  } finally {
    await store.close();
  }
  assert.equal(events.length, 8);
  return { path, events };
}

/** Runs SQL directly on the file, as someone with write access to it could. */
function tamper(path: string, ...statements: string[]): void {
  const db = new Database(path);
  try {
    for (const statement of statements) db.prepare(statement).run();
  } finally {
    db.close();
  }
}

async function verifyFile(path: string): Promise<ChainVerification> {
  const store = await openSqliteStore(path);
  try {
    return await verifyAuditChain(store.readAuditRows(), await store.auditHead());
  } finally {
    await store.close();
  }
}

function label(events: readonly AuditEvent[], seq: number, shownAs = seq): string {
  const e = events[seq - 1];
  assert.ok(e, `no event #${seq}`);
  return `event #${shownAs} (${e.type} ${e.id.slice(0, 8)}…)`;
}

describe('audit chain tampering in a SQLite store', () => {
  test('an untouched chain verifies, with its head', async () => {
    const { path, events } = await storeWithChain();
    assert.deepEqual(await verifyFile(path), { ok: true, count: 8, head: { seq: 8, hash: events[7]?.hash } });
  });

  test('changing the data of one event is reported as an edit of that event', async () => {
    const { path, events } = await storeWithChain();
    tamper(path, `update audit_events set data = '{"grantLatencyMs":1}' where seq = 4`);
    const result = await verifyFile(path);
    assert.equal(result.ok, false);
    assert.deepEqual(result.problem, { seq: 4, id: events[3]?.id, kind: 'edited', message: `${label(events, 4)} was edited: its hash does not match its content` });
    assert.equal(result.count, 4);
    assert.deepEqual(result.head, { seq: 3, hash: events[2]?.hash });
  });

  for (const [column, value] of [
    ['at', '0'],
    ['actor', `'mallory'`],
    ['request_id', `'r-other'`],
    ['lease_id', 'null'],
    ['id', `'00000000-0000-4000-8000-000000000000'`],
  ] as const) {
    test(`changing the ${column} column of an event is reported as an edit`, async () => {
      const { path, events } = await storeWithChain();
      tamper(path, `update audit_events set ${column} = ${value} where seq = 6`);
      const problem = (await verifyFile(path)).problem;
      assert.equal(problem?.kind, 'edited');
      assert.equal(problem?.seq, 6);
      if (column !== 'id') assert.equal(problem?.message, `${label(events, 6)} was edited: its hash does not match its content`);
      else assert.equal(problem?.message, 'event #6 (lease.revoke_failed 00000000…) was edited: its hash does not match its content');
    });
  }

  test('deleting an event in the middle names the missing event and the one chained to it', async () => {
    const { path, events } = await storeWithChain();
    tamper(path, 'delete from audit_events where seq = 4');
    assert.deepEqual((await verifyFile(path)).problem, {
      seq: 5,
      id: events[4]?.id,
      kind: 'deleted',
      message: `event #4 was deleted: ${label(events, 5)} is chained to an event that is no longer stored`,
    });
  });

  test('deleting several events and renumbering the rest is still found', async () => {
    const { path, events } = await storeWithChain();
    tamper(path, 'delete from audit_events where seq in (3, 4)', 'update audit_events set seq = seq - 2 where seq > 4');
    assert.deepEqual((await verifyFile(path)).problem, {
      seq: 3,
      id: events[4]?.id,
      kind: 'deleted',
      message: `the event before #3 was deleted or rewritten: ${label(events, 5, 3)} is chained to an event that is no longer stored`,
    });
  });

  test('swapping the sequence numbers of two events is reported as a reordering', async () => {
    const { path, events } = await storeWithChain();
    tamper(path, 'update audit_events set seq = -1 where seq = 3', 'update audit_events set seq = 3 where seq = 6', 'update audit_events set seq = 6 where seq = -1');
    assert.deepEqual((await verifyFile(path)).problem, {
      seq: 3,
      id: events[5]?.id,
      kind: 'reordered',
      message: `${label(events, 6, 3)} is out of order: it was written after ${label(events, 5)}`,
    });
  });

  test('deleting the newest event is caught by the head', async () => {
    const { path } = await storeWithChain();
    tamper(path, 'delete from audit_events where seq = 8');
    assert.deepEqual((await verifyFile(path)).problem, {
      seq: 8,
      kind: 'truncated',
      message: 'event #8 was deleted from the end of the chain: the chain ends at #7 but the head records #8',
    });
  });

  test('an edited event whose hash was recomputed breaks the link of the next event', async () => {
    const { path, events } = await storeWithChain();
    const edited = { ...(events[3] as AuditEvent), data: { grantLatencyMs: 1 } };
    const forgedHash = chainHash(edited.prevHash, canonicalEventBody(edited));
    tamper(path, `update audit_events set data = '{"grantLatencyMs":1}', hash = '${forgedHash}' where seq = 4`);
    assert.deepEqual((await verifyFile(path)).problem, {
      seq: 5,
      id: events[4]?.id,
      kind: 'deleted',
      message: `the event before #5 was deleted or rewritten: ${label(events, 5)} is chained to an event that is no longer stored`,
    });
  });

  test('a head that does not match the newest event is reported', async () => {
    const { path, events } = await storeWithChain();
    tamper(path, `update audit_head set hash = '${'f'.repeat(64)}'`);
    assert.deepEqual((await verifyFile(path)).problem, {
      seq: 8,
      id: events[7]?.id,
      kind: 'head_mismatch',
      message: `${label(events, 8)} does not match the recorded head: its hash is ${events[7]?.hash.slice(0, 12)}…, the head says ffffffffffff…`,
    });
  });
});
