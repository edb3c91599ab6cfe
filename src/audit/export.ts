// Writes the audit chain as JSON lines, one event per line:
//   {"seq":1,"id":"…","at":"…","type":"…","actor":"…","requestId":"…","leaseId":"…","data":{…},"prevHash":"…","hash":"…"}
// `requestId`/`leaseId` are left out when the event has none, as in the hashed body, so that each line can be
// checked on its own: drop seq, prevHash and hash, canonicalize (RFC 8785) the rest, and
// sha256(prevHash + that) must equal hash.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { StoredAuditRow } from '../store/store.ts';

/** Returns how many events were written. Honours backpressure; does not end `out`. */
export async function exportAuditJsonLines(rows: AsyncIterable<StoredAuditRow>, out: Writable): Promise<number> {
  let count = 0;
  for await (const row of rows) {
    const body = JSON.parse(row.body) as Record<string, unknown>;
    const line = JSON.stringify({
      seq: row.seq,
      id: body.id,
      at: body.at,
      type: body.type,
      actor: body.actor,
      requestId: body.requestId,
      leaseId: body.leaseId,
      data: body.data,
      prevHash: row.prevHash,
      hash: row.hash,
    });
    count += 1;
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  return count;
}
