// verifyAuditChain on chains held in memory: every kind of damage, named at the first bad event.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { AuditEventDraft } from '../../src/core/audit-event.ts';
import { appendToChain, canonicalEventBody } from '../../src/audit/chain.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import type { StoredAuditRow } from '../../src/store/store.ts';

function chain(length: number): StoredAuditRow[] {
  const drafts: AuditEventDraft[] = Array.from({ length }, (_, i) => ({ type: 'lease.revoked', at: new Date(Date.UTC(2030, 0, 1, 0, i)), actor: 'system', data: { n: i } }));
  let next = 0;
  const { events } = appendToChain(undefined, drafts, () => `0000${String(++next).padStart(4, '0')}-event`);
  return events.map((e) => ({ seq: e.seq, id: e.id, prevHash: e.prevHash, hash: e.hash, body: canonicalEventBody(e) }));
}

async function* stream(rows: readonly StoredAuditRow[]): AsyncIterable<StoredAuditRow> {
  yield* rows;
}

const headOf = (rows: readonly StoredAuditRow[]) => {
  const last = rows.at(-1);
  return last && { seq: last.seq, hash: last.hash };
};

describe('verifyAuditChain', () => {
  test('an intact chain verifies and reports its count and head', async () => {
    const rows = chain(5);
    assert.deepEqual(await verifyAuditChain(stream(rows), headOf(rows)), { ok: true, count: 5, head: headOf(rows) });
  });

  test('events written after the head was read extend the chain without a problem', async () => {
    const rows = chain(5);
    assert.equal((await verifyAuditChain(stream(rows), headOf(rows.slice(0, 3)))).ok, true);
  });

  test('a deleted first event is named', async () => {
    const rows = chain(3).slice(1);
    assert.deepEqual((await verifyAuditChain(stream(rows))).problem, {
      seq: 2,
      id: '00000002-event',
      kind: 'deleted',
      message: 'event #1 was deleted: event #2 (lease.revoked 00000002…) is chained to an event that is no longer stored',
    });
  });

  test('a run of deleted events is named as a range', async () => {
    const rows = chain(6);
    const result = await verifyAuditChain(stream([...rows.slice(0, 2), ...rows.slice(4)]), headOf(rows));
    assert.equal(result.problem?.message, 'events #3 to #4 were deleted: event #5 (lease.revoked 00000005…) is chained to an event that is no longer stored');
  });

  test('renumbered events with intact links are reported as edited', async () => {
    const rows = chain(4).map((r) => (r.seq >= 3 ? { ...r, seq: r.seq + 10 } : r));
    assert.deepEqual((await verifyAuditChain(stream(rows))).problem, {
      seq: 13,
      id: '00000003-event',
      kind: 'edited',
      message: 'event #13 (lease.revoked 00000003…) was renumbered: it directly follows event #2, so it should be #3',
    });
  });

  test('a head but no stored events means every event was deleted', async () => {
    assert.deepEqual(await verifyAuditChain(stream([]), { seq: 3, hash: 'a'.repeat(64) }), {
      ok: false,
      count: 0,
      problem: { seq: 3, kind: 'truncated', message: 'events #1 to #3 were deleted from the end of the chain: no events are stored but the head records #3' },
    });
  });

  test('an unparsable body is reported as an edit', async () => {
    const rows = chain(2).map((r) => (r.seq === 2 ? { ...r, body: '{not json' } : r));
    assert.equal((await verifyAuditChain(stream(rows))).problem?.message, 'event #2 (unreadable 00000002…) was edited: its hash does not match its content');
  });

  test('any single edit, deletion or swap is found, at the right event', async () => {
    const damage = fc.oneof(
      fc.record({ op: fc.constant('edit' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
      fc.record({ op: fc.constant('swap' as const), at: fc.nat(), gap: fc.integer({ min: 1, max: 5 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 25 }), damage, async (length, d) => {
        const rows = chain(length);
        const head = headOf(rows);
        const i = d.at % length;
        let expected: { kind: string; seq: number };
        if (d.op === 'edit') {
          rows[i] = { ...rows[i]!, body: rows[i]!.body.replace('"n":', '"m":') };
          expected = { kind: 'edited', seq: i + 1 };
        } else if (d.op === 'delete') {
          rows.splice(i, 1);
          expected = i === length - 1 ? { kind: 'truncated', seq: length } : { kind: 'deleted', seq: i + 2 };
        } else {
          const a = Math.min(i, length - 2);
          const b = Math.min(a + d.gap, length - 1);
          const [ra, rb] = [rows[a]!, rows[b]!];
          rows[a] = { ...rb, seq: ra.seq };
          rows[b] = { ...ra, seq: rb.seq };
          expected = { kind: 'reordered', seq: a + 1 };
        }
        const result = await verifyAuditChain(stream(rows), head);
        assert.equal(result.ok, false);
        assert.deepEqual({ kind: result.problem?.kind, seq: result.problem?.seq }, expected);
      }),
      { numRuns: 300 },
    );
  });
});
