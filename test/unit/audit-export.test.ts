// The JSON-lines export: one event per line, each line verifiable without jitd.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import canonicalize from 'canonicalize';
import { LeaseId, RequestId } from '../../src/core/ids.ts';
import { appendToChain, canonicalEventBody } from '../../src/audit/chain.ts';
import { exportAuditJsonLines } from '../../src/audit/export.ts';
import type { StoredAuditRow } from '../../src/store/store.ts';

function rows(count: number): StoredAuditRow[] {
  const { events } = appendToChain(
    undefined,
    Array.from({ length: count }, (_, i) => ({
      type: 'lease.granted' as const,
      at: new Date(Date.UTC(2030, 0, 1, 0, 0, i)),
      actor: 'system',
      ...(i % 2 === 0 ? { requestId: RequestId(`r-${i}`), leaseId: LeaseId(`l-${i}`) } : {}),
      data: { i, target: { group: 'cn=admins' } },
    })),
  );
  return events.map((e) => ({ seq: e.seq, id: e.id, prevHash: e.prevHash, hash: e.hash, body: canonicalEventBody(e) }));
}

async function* stream(items: readonly StoredAuditRow[]): AsyncIterable<StoredAuditRow> {
  yield* items;
}

/** A sink that accepts one small chunk at a time, slowly, so the export must wait for 'drain'. */
function slowSink(): { out: Writable; text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    highWaterMark: 16,
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      setImmediate(done);
    },
  });
  return { out, text: () => chunks.join('') };
}

test('each exported line holds the event and its hashes, and its hash can be checked from the line alone', async () => {
  const { out, text } = slowSink();
  const count = await exportAuditJsonLines(stream(rows(50)), out);
  assert.equal(count, 50);
  const lines = text().split('\n');
  assert.equal(lines.pop(), '', 'the export ends with a newline');
  assert.equal(lines.length, 50);
  let prev = '0'.repeat(64);
  for (const [index, line] of lines.entries()) {
    const { seq, prevHash, hash, ...content } = JSON.parse(line) as Record<string, unknown>;
    assert.equal(seq, index + 1);
    assert.equal(prevHash, prev);
    assert.equal(createHash('sha256').update(`${String(prevHash)}${canonicalize(content)}`).digest('hex'), hash);
    prev = String(hash);
  }
  assert.deepEqual(Object.keys(JSON.parse(lines[0] ?? '{}') as object), ['seq', 'id', 'at', 'type', 'actor', 'requestId', 'leaseId', 'data', 'prevHash', 'hash']);
  assert.deepEqual(Object.keys(JSON.parse(lines[1] ?? '{}') as object), ['seq', 'id', 'at', 'type', 'actor', 'data', 'prevHash', 'hash']);
});
