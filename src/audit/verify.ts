// Checks a stored audit chain in one streaming pass and names the first event that is wrong.
//
// Memory stays constant: we keep the previous row's hash and, once a link is found broken, the one hash
// that the broken event points at, to tell a moved event (that hash turns up later) from a deleted one
// (it never does). No map of the whole chain is built.
import type { AuditHead, StoredAuditRow } from '../store/store.ts';
import { GENESIS_HASH, chainHash } from './chain.ts';

export type ChainProblemKind = 'edited' | 'deleted' | 'reordered' | 'truncated' | 'head_mismatch';

export interface ChainProblem {
  /** The stored event that shows the problem; for `truncated`, the newest event the head records. */
  readonly seq: number;
  /** The id of that event; absent when the event is no longer stored (`truncated`). */
  readonly id?: string;
  readonly kind: ChainProblemKind;
  readonly message: string;
}

export interface ChainVerification {
  readonly ok: boolean;
  /** Events read: all of them when ok, up to the point where the problem was certain otherwise. */
  readonly count: number;
  /** The newest event read: anchor this (seq and hash) outside jitd to detect a rewrite of the whole chain. */
  readonly head?: AuditHead;
  readonly problem?: ChainProblem;
}

function label(row: StoredAuditRow): string {
  let type = 'unreadable';
  try {
    const parsed = JSON.parse(row.body) as { type?: unknown };
    if (typeof parsed.type === 'string') type = parsed.type;
  } catch {
    // An unparsable body is reported by its hash check; the label just says so.
  }
  return `event #${row.seq} (${type} ${row.id.slice(0, 8)}…)`;
}

function seqRange(from: number, to: number): string {
  return from === to ? `event #${from} was` : `events #${from} to #${to} were`;
}

/** A link that does not point at the event before it: moved, or its predecessor deleted. Decided later. */
interface BrokenLink {
  readonly row: StoredAuditRow;
  readonly expectedSeq: number;
}

function deleted(broken: BrokenLink): ChainProblem {
  const { row, expectedSeq } = broken;
  const what =
    row.seq > expectedSeq
      ? `${seqRange(expectedSeq, row.seq - 1)} deleted`
      : `the event before #${row.seq} was deleted or rewritten`;
  return {
    seq: row.seq,
    id: row.id,
    kind: 'deleted',
    message: `${what}: ${label(row)} is chained to an event that is no longer stored`,
  };
}

/**
 * Verifies rows in sequence order. Pass the head read *before* the rows: events committed while the rows
 * are being read then simply extend the chain past the head, which is fine.
 */
export async function verifyAuditChain(rows: AsyncIterable<StoredAuditRow>, head?: AuditHead): Promise<ChainVerification> {
  let count = 0;
  let last: StoredAuditRow | undefined;
  let expectedPrevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let broken: BrokenLink | undefined;
  let problem: ChainProblem | undefined;

  for await (const row of rows) {
    count += 1;
    if (broken) {
      // The broken event's predecessor turned up after it: the events were moved, not deleted.
      if (row.hash === broken.row.prevHash) {
        problem = {
          seq: broken.row.seq,
          id: broken.row.id,
          kind: 'reordered',
          message: `${label(broken.row)} is out of order: it was written after ${label(row)}`,
        };
        break;
      }
      continue;
    }
    if (chainHash(row.prevHash, row.body) !== row.hash) {
      problem = { seq: row.seq, id: row.id, kind: 'edited', message: `${label(row)} was edited: its hash does not match its content` };
      break;
    }
    if (row.prevHash !== expectedPrevHash) {
      broken = { row, expectedSeq };
      continue;
    }
    if (row.seq !== expectedSeq) {
      // Intact links but a jump in numbering: nothing is missing, the sequence numbers were changed.
      problem = {
        seq: row.seq,
        id: row.id,
        kind: 'edited',
        message: `${label(row)} was renumbered: it directly follows event #${expectedSeq - 1}, so it should be #${expectedSeq}`,
      };
      break;
    }
    if (head && row.seq === head.seq && row.hash !== head.hash) {
      problem = {
        seq: row.seq,
        id: row.id,
        kind: 'head_mismatch',
        message: `${label(row)} does not match the recorded head: its hash is ${row.hash.slice(0, 12)}…, the head says ${head.hash.slice(0, 12)}…`,
      };
      break;
    }
    last = row;
    expectedPrevHash = row.hash;
    expectedSeq = row.seq + 1;
  }

  if (broken && !problem) problem = deleted(broken);
  const lastHead = last ? { seq: last.seq, hash: last.hash } : undefined;
  if (!problem && head && head.seq > 0 && (last?.seq ?? 0) < head.seq) {
    const ends = last ? `the chain ends at #${last.seq}` : 'no events are stored';
    problem = {
      seq: head.seq,
      kind: 'truncated',
      message: `${seqRange((last?.seq ?? 0) + 1, head.seq)} deleted from the end of the chain: ${ends} but the head records #${head.seq}`,
    };
  }
  return { ok: problem === undefined, count, ...(lastHead ? { head: lastHead } : {}), ...(problem ? { problem } : {}) };
}
