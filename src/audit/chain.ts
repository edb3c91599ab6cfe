// The audit hash chain. Each event's hash covers the hash of the event before it and the event's own
// canonical body, so changing, removing or moving any stored event breaks a link that `verify` finds.
//
//   body     = RFC 8785 canonical JSON of { id, at (ISO 8601), type, actor, requestId?, leaseId?, data }
//   hash     = hex SHA-256 of UTF-8 (prevHash + body)
//   prevHash = the previous event's hash; GENESIS_HASH for the first event
//
// `seq` is not in the body: the order of events is proven by the prevHash links, not by their numbers.
import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditEvent, AuditEventDraft } from '../core/audit-event.ts';
import { InvalidInputError } from '../core/errors.ts';
import type { AuditHead } from '../store/store.ts';

/** The prevHash of the first event in the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: everything about an event except its place in the chain. */
export type AuditEventContent = Omit<AuditEvent, 'seq' | 'prevHash' | 'hash'>;

/** The canonical JSON that is hashed. Absent `requestId`/`leaseId` stay absent (never `null`). */
export function canonicalEventBody(content: AuditEventContent): string {
  const body = canonicalize({
    id: content.id,
    at: content.at.toISOString(),
    type: content.type,
    actor: content.actor,
    requestId: content.requestId,
    leaseId: content.leaseId,
    data: content.data,
  });
  if (body === undefined) throw new InvalidInputError(`audit event ${content.id} cannot be written as JSON`);
  return body;
}

export function chainHash(prevHash: string, body: string): string {
  return createHash('sha256').update(prevHash + body, 'utf8').digest('hex');
}

/**
 * Reduces `data` to plain JSON, exactly as it will be read back from storage. Hashing the normalised value
 * (not the caller's, which may hold Dates or undefined members) is what lets a reader rebuild the same body.
 */
export function normaliseEventData(data: Readonly<Record<string, unknown>>, what: string): Readonly<Record<string, unknown>> {
  let text: string | undefined;
  try {
    text = canonicalize(data);
  } catch (error) {
    throw new InvalidInputError(`${what}: data cannot be written as JSON (${(error as Error).message})`);
  }
  if (text === undefined || !text.startsWith('{')) throw new InvalidInputError(`${what}: data must be a JSON object`);
  return JSON.parse(text) as Record<string, unknown>;
}

export interface ChainedEvents {
  readonly events: readonly AuditEvent[];
  /** The chain's head after the appended events. */
  readonly head: AuditHead;
}

/**
 * Links drafts onto the chain that ends at `head` (undefined: the chain is empty). Pure apart from the
 * event ids, which come from `newId` (random UUIDs unless a test passes its own).
 */
export function appendToChain(head: AuditHead | undefined, drafts: readonly AuditEventDraft[], newId: () => string = randomUUID): ChainedEvents {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  const events: AuditEvent[] = [];
  for (const draft of drafts) {
    const id = newId();
    const content: AuditEventContent = {
      id,
      at: new Date(draft.at.getTime()),
      type: draft.type,
      actor: draft.actor,
      ...(draft.requestId === undefined ? {} : { requestId: draft.requestId }),
      ...(draft.leaseId === undefined ? {} : { leaseId: draft.leaseId }),
      data: normaliseEventData(draft.data, `audit event ${draft.type}`),
    };
    seq += 1;
    const hash = chainHash(prevHash, canonicalEventBody(content));
    events.push({ ...content, seq, prevHash, hash });
    prevHash = hash;
  }
  return { events, head: { seq, hash: prevHash } };
}
