// Who and which role an audit event is about, kept in audit_events.principal / role so that the trail can be
// searched by them (GET /v1/audit?principal=…&role=…). These are derived search keys, not part of the event:
// they are not hashed and never shown, so editing them can hide an event from a search but cannot change
// what any event says, and `audit verify` and the unfiltered export are unaffected.
//
// The rule, used both when events are appended and by migration 0010 for events written before it:
//   1. the event's lease (leaseId), else its request (requestId): that row's principal and role;
//   2. otherwise what the event's data names: `principal` (auth.*) or `holder` (reconcile.*), and `role`.
import type { Transaction } from 'kysely';
import type { ChangeSet } from '../store.ts';
import type { JitdDatabase } from './schema.ts';

/** The principal and role a request or lease belongs to (fixed when it is created). */
export interface SubjectOwner {
  readonly principal: string;
  readonly role: string;
}

export interface AuditSubject {
  readonly principal: string | null;
  readonly role: string | null;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** Step 2 of the rule, or step 1 when the owner is known. */
export function auditSubject(data: Readonly<Record<string, unknown>>, owner: SubjectOwner | undefined): AuditSubject {
  if (owner) return { principal: owner.principal, role: owner.role };
  return { principal: text(data.principal) ?? text(data.holder) ?? null, role: text(data.role) ?? null };
}

/** Ids per `in (…)` lookup: well under every engine's bound-parameter limit. */
const LOOKUP_CHUNK = 500;

async function ownersFromTable(trx: Transaction<JitdDatabase>, table: 'leases' | 'requests', ids: readonly string[], into: Map<string, SubjectOwner>): Promise<void> {
  for (let at = 0; at < ids.length; at += LOOKUP_CHUNK) {
    const rows = await trx
      .selectFrom(table)
      .select(['id', 'principal', 'role'])
      .where('id', 'in', ids.slice(at, at + LOOKUP_CHUNK))
      .execute();
    for (const row of rows) into.set(row.id, { principal: row.principal, role: row.role });
  }
}

/** What the rule reads of an event. */
export interface SubjectSource {
  readonly leaseId?: string;
  readonly requestId?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/**
 * The subject of each of `events` (appended by `change`), in order. Runs inside the commit's transaction,
 * after its requests and leases were written: owners come from the change set itself, only others are read.
 */
export async function subjectsOf(trx: Transaction<JitdDatabase>, change: ChangeSet, events: readonly SubjectSource[]): Promise<readonly AuditSubject[]> {
  const leases = new Map<string, SubjectOwner>();
  const requests = new Map<string, SubjectOwner>();
  for (const lease of [...(change.insertLeases ?? []), ...(change.updateLeases ?? [])]) leases.set(lease.id, lease);
  for (const request of [...(change.insertRequests ?? []), ...(change.updateRequests ?? [])]) requests.set(request.id, request);
  const unknown = (ids: Map<string, SubjectOwner>, id: string | undefined): id is string => id !== undefined && !ids.has(id);
  await ownersFromTable(trx, 'leases', [...new Set(events.map((e) => e.leaseId).filter((id) => unknown(leases, id)))], leases);
  // An event without a stored lease falls back to its request.
  const needRequest = events.filter((e) => !(e.leaseId !== undefined && leases.has(e.leaseId))).map((e) => e.requestId);
  await ownersFromTable(trx, 'requests', [...new Set(needRequest.filter((id) => unknown(requests, id)))], requests);
  return events.map((event) => {
    const owner = (event.leaseId === undefined ? undefined : leases.get(event.leaseId)) ?? (event.requestId === undefined ? undefined : requests.get(event.requestId));
    return auditSubject(event.data, owner);
  });
}
