// The one place where an AuditEvent becomes an `audit_events` row and back. The hashed body is rebuilt
// from the columns, so every column a reader sees (except seq and the hashes) is covered by the hash:
// editing any of them is caught by `audit verify`. The search keys (principal, role) are the exception: derived
// (audit-subject.ts), never read back into an event, and so deliberately outside the hash.
import canonicalize from 'canonicalize';
import type { Selectable } from 'kysely';
import type { AuditEvent, AuditEventType } from '../../core/audit-event.ts';
import type { LeaseId, RequestId } from '../../core/ids.ts';
import { canonicalEventBody, type AuditEventContent } from '../../audit/chain.ts';
import type { StoredAuditRow } from '../store.ts';
import type { AuditSubject } from './audit-subject.ts';
import { field, orNull } from './row-values.ts';
import type { AuditEventsTable } from './schema.ts';

export function auditEventToRow(event: AuditEvent, subject: AuditSubject): AuditEventsTable {
  return {
    seq: event.seq,
    id: event.id,
    at: event.at.getTime(),
    type: event.type,
    actor: event.actor,
    request_id: orNull(event.requestId),
    lease_id: orNull(event.leaseId),
    // appendToChain has already reduced data to plain JSON, so this cannot fail.
    data: canonicalize(event.data) ?? '{}',
    prev_hash: event.prevHash,
    hash: event.hash,
    principal: subject.principal,
    role: subject.role,
  };
}

function contentFromRow(row: Selectable<AuditEventsTable>): AuditEventContent {
  return {
    id: row.id,
    at: new Date(row.at),
    type: row.type as AuditEventType,
    actor: row.actor,
    ...field('requestId', row.request_id as RequestId | null),
    ...field('leaseId', row.lease_id as LeaseId | null),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

export function auditEventFromRow(row: Selectable<AuditEventsTable>): AuditEvent {
  return { ...contentFromRow(row), seq: row.seq, prevHash: row.prev_hash, hash: row.hash };
}

export function storedAuditRowFromRow(row: Selectable<AuditEventsTable>): StoredAuditRow {
  let body: string;
  try {
    body = canonicalEventBody(contentFromRow(row));
  } catch {
    // A column that no longer parses (e.g. data that is not JSON) was tampered with; verify reports it
    // as an edit because this body cannot hash to the stored hash.
    body = `unreadable row: ${JSON.stringify(row)}`;
  }
  return { seq: row.seq, id: row.id, prevHash: row.prev_hash, hash: row.hash, body };
}

/** Rebuilt into the hashed body (see canonicalEventBody): editing one is caught by `audit verify`. */
export const AUDIT_HASHED_COLUMNS = ['id', 'at', 'type', 'actor', 'request_id', 'lease_id', 'data'] as const;
/** The chain itself: the position and the links. */
export const AUDIT_CHAIN_COLUMNS = ['seq', 'prev_hash', 'hash'] as const;
/** Derived for searching only (audit-subject.ts); not hashed, and never part of an event a reader sees. */
export const AUDIT_SEARCH_COLUMNS = ['principal', 'role'] as const;
// Fails to compile if a column is added to the table without saying whether the hash covers it.
type UnclassifiedAuditColumn = Exclude<
  keyof AuditEventsTable,
  (typeof AUDIT_HASHED_COLUMNS)[number] | (typeof AUDIT_CHAIN_COLUMNS)[number] | (typeof AUDIT_SEARCH_COLUMNS)[number]
>;
export const auditColumnsClassified: [UnclassifiedAuditColumn] extends [never] ? true : never = true;
