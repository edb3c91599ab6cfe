// The one place where an AuditEvent becomes an `audit_events` row and back. The hashed body is rebuilt
// from the columns, so every column a reader sees (except seq and the hashes) is covered by the hash:
// editing any of them is caught by `audit verify`.
import canonicalize from 'canonicalize';
import type { Selectable } from 'kysely';
import type { AuditEvent, AuditEventType } from '../../core/audit-event.ts';
import type { LeaseId, RequestId } from '../../core/ids.ts';
import { canonicalEventBody, type AuditEventContent } from '../../audit/chain.ts';
import type { StoredAuditRow } from '../store.ts';
import { field, orNull } from './row-values.ts';
import type { AuditEventsTable } from './schema.ts';

export function auditEventToRow(event: AuditEvent): AuditEventsTable {
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
