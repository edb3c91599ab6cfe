// The Store on top of Kysely: every query here is plain Kysely, shared by the SQLite engine and (later)
// PostgreSQL. What differs between engines comes in as SqlDialectTraits.
import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool, Transaction } from 'kysely';
import type { AuditEvent } from '../../core/audit-event.ts';
import { InvalidInputError, JitdError } from '../../core/errors.ts';
import type { LeaseId, RequestId, RoleName } from '../../core/ids.ts';
import { LEASE_STATES, type Lease, type LeaseState } from '../../core/lease.ts';
import { appendToChain } from '../../audit/chain.ts';
import type { AuditFilter, AuditHead, AuditQuery, ChangeSet, DueWork, LeaseCounts, LeaseFilter, RequestFilter, StandingAccessCount, Store, StoredAuditRow } from '../store.ts';
import { auditEventFromRow, auditEventToRow, storedAuditRowFromRow } from './audit-row.ts';
import { subjectsOf } from './audit-subject.ts';
import type { SqlDialectTraits, StoreCapabilities } from './dialect-traits.ts';
import { LEASE_FIXED_COLUMNS, LEASE_MUTABLE_COLUMNS, leaseFromRow, leaseToRow } from './lease-row.ts';
import { REQUEST_FIXED_COLUMNS, REQUEST_MUTABLE_COLUMNS, requestFromRow, requestToRow } from './request-row.ts';
import type { AuditEventsTable, JitdDatabase } from './schema.ts';
import { approvalFromRow, approvalToRow } from './approval-row.ts';
import { outboxFromRow, outboxToRow } from './outbox-row.ts';
import { identityQueries, writeIdentityChanges } from './identity-store.ts';
import { sessionRecordingFromRow, sessionRecordingToRow } from './session-recording-row.ts';
import { prepareVersionedUpdate, type VersionedUpdateSpec } from './versioned-update.ts';

export interface SqlStore extends Store {
  readonly capabilities: StoreCapabilities;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const PARAMETERS_PER_INSERT = 8000;
/** Rows per page when streaming the audit chain: bounded memory, and no long-held connection or snapshot. */
const AUDIT_PAGE_SIZE = 1000;
/** A recording's facts without its transcript, for lists. */
const RECORDING_COLUMNS = [
  'id',
  'lease_id',
  'received_at',
  'started_at',
  'ended_at',
  'ended_by',
  'host',
  'login',
  'command',
  'terminal',
  'uploaded_from',
  'bytes',
  'sha256',
  'truncated',
] as const;

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new InvalidInputError(`${name} must be a whole number of at least 1, got ${value}`);
  return value;
}

/** List limits: 100 unless given, never more than 1000. */
function standingAccessFromRow(row: { role: string; at: number; standing: number; leased: number }): StandingAccessCount {
  return { role: row.role as RoleName, at: new Date(Number(row.at)), standing: Number(row.standing), leased: Number(row.leased) };
}

function listLimit(limit: number | undefined): number {
  return Math.min(positiveInteger(limit ?? DEFAULT_LIMIT, 'limit'), MAX_LIMIT);
}

function chunks<T>(items: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(PARAMETERS_PER_INSERT / columns));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function insertRows<Table extends 'requests' | 'leases' | 'audit_events' | 'session_recordings' | 'approvals' | 'outbox'>(
  trx: Transaction<JitdDatabase>,
  table: Table,
  rows: readonly JitdDatabase[Table][],
): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  for (const chunk of chunks(rows, Object.keys(first).length)) {
    // Kysely cannot relate a generic table name to its row type; the rows were built for this table.
    await trx.insertInto(table).values(chunk as never).execute();
  }
}

async function updateRows<T extends 'requests' | 'leases'>(trx: Transaction<JitdDatabase>, spec: VersionedUpdateSpec<T>, rows: readonly JitdDatabase[T][]): Promise<void> {
  if (rows.length === 0) return;
  const update = prepareVersionedUpdate(trx, spec);
  for (const row of rows) await update(row);
}

const REQUEST_UPDATE: VersionedUpdateSpec<'requests'> = { table: 'requests', entity: 'request', mutable: REQUEST_MUTABLE_COLUMNS, fixed: REQUEST_FIXED_COLUMNS };
const LEASE_UPDATE: VersionedUpdateSpec<'leases'> = { table: 'leases', entity: 'lease', mutable: LEASE_MUTABLE_COLUMNS, fixed: LEASE_FIXED_COLUMNS };

/** Appends the events to the chain: reads the head, links the events, writes them and the new head. */
async function appendEvents(trx: Transaction<JitdDatabase>, traits: SqlDialectTraits, change: ChangeSet): Promise<readonly AuditEvent[]> {
  if (change.events.length === 0) return [];
  const stored = await trx
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .$if(traits.lockHeadForUpdate, (q) => q.forUpdate())
    .executeTakeFirst();
  if (stored === undefined) throw new JitdError('internal', 'the audit head row is missing: the audit_head table was changed outside jitd');
  const head: AuditHead | undefined = stored.seq === 0 ? undefined : { seq: Number(stored.seq), hash: stored.hash };
  const chained = appendToChain(head, change.events);
  const subjects = await subjectsOf(trx, change, chained.events);
  await insertRows(trx, 'audit_events', chained.events.map((event, i) => auditEventToRow(event, subjects[i]!)));
  await trx.updateTable('audit_head').set({ seq: chained.head.seq, hash: chained.head.hash }).where('id', '=', 1).execute();
  return chained.events;
}

type AuditExpression = ExpressionBuilder<JitdDatabase, 'audit_events'>;

interface AuditPageBounds {
  /** Exclusive lower seq bound (0: from the start). */
  readonly afterSeq: number;
  /** Exclusive upper seq bound. */
  readonly beforeSeq?: number;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
}

/**
 * The conditions of an audit filter but its principal (none: every event). The caller handles an empty `types`
 * list, and the principal (who acted, or whom it is about: see auditPage).
 */
function auditConditions(eb: AuditExpression, filter: Omit<AuditFilter, 'principal'>): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = [];
  if (filter.requestId !== undefined) conditions.push(eb('request_id', '=', filter.requestId));
  if (filter.leaseId !== undefined) conditions.push(eb('lease_id', '=', filter.leaseId));
  if (filter.role !== undefined) conditions.push(eb('role', '=', filter.role));
  if (filter.types !== undefined) conditions.push(eb('type', 'in', filter.types));
  if (filter.since !== undefined) conditions.push(eb('at', '>=', filter.since.getTime()));
  if (filter.until !== undefined) conditions.push(eb('at', '<', filter.until.getTime()));
  return conditions;
}

type LeaseExpression = ExpressionBuilder<JitdDatabase, 'leases'>;

/** Not owned by a worker at `t`: no claim, or the claim has run out. */
const unclaimedAt = (t: number) => (eb: LeaseExpression) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', t)]);

/** When a revocation became due: the revoke request (or, failing that, the expiry). */
const revocationDueAt = (eb: LeaseExpression) => eb.fn.coalesce('revoke_requested_at', 'expires_at');

function dueAt(lease: Lease): number {
  if (lease.state === 'revoke_failed') return lease.nextAttemptAt?.getTime() ?? 0;
  return (lease.revokeRequestedAt ?? lease.expiresAt).getTime();
}

export function createSqlStore(db: Kysely<JitdDatabase>, traits: SqlDialectTraits): SqlStore {
  const leases = () => db.selectFrom('leases').selectAll();

  /** One page of the events matching `filter` within the page's seq bounds, in its order. */
  async function auditPage(filter: AuditFilter, page: AuditPageBounds): Promise<Selectable<AuditEventsTable>[]> {
    if (filter.types?.length === 0) return [];
    const { principal, ...others } = filter;
    const matches = (eb: AuditExpression) =>
      eb.and([eb('seq', '>', page.afterSeq), ...(page.beforeSeq === undefined ? [] : [eb('seq', '<', page.beforeSeq)]), ...auditConditions(eb, others)]);
    if (principal === undefined) return db.selectFrom('audit_events').selectAll().where(matches).orderBy('seq', page.order).limit(page.limit).execute();
    // Who acted OR whom it is about: the page of each side on its own index, then the page of the two. A plain
    // OR would sort every event of a busy principal (such as `system`) for each page.
    const side = (column: 'actor' | 'principal') =>
      db.selectFrom('audit_events').select('seq').where(matches).where(column, '=', principal).orderBy('seq', page.order).limit(page.limit);
    const seqs = db
      .selectFrom(side('actor').as('by_actor'))
      .select('by_actor.seq')
      .union(db.selectFrom(side('principal').as('about')).select('about.seq'));
    return db.selectFrom('audit_events').selectAll().where('seq', 'in', seqs).orderBy('seq', page.order).limit(page.limit).execute();
  }

  return {
    capabilities: traits.capabilities,

    async commit(change) {
      // Kysely rolls the transaction back if anything below throws, so a conflict or a failing insert
      // leaves no row and no event behind; the chain head is read inside the transaction, never cached.
      return db.transaction().execute(async (trx) => {
        await insertRows(trx, 'requests', (change.insertRequests ?? []).map(requestToRow));
        await insertRows(trx, 'leases', (change.insertLeases ?? []).map(leaseToRow));
        await updateRows(trx, REQUEST_UPDATE, (change.updateRequests ?? []).map(requestToRow));
        await updateRows(trx, LEASE_UPDATE, (change.updateLeases ?? []).map(leaseToRow));
        await insertRows(trx, 'approvals', (change.insertApprovals ?? []).map(approvalToRow));
        await insertRows(trx, 'outbox', (change.insertOutbox ?? []).map(outboxToRow));
        await writeIdentityChanges(trx, change);
        // One transcript per statement: each may be megabytes.
        for (const { recording, content } of change.insertSessionRecordings ?? []) {
          await insertRows(trx, 'session_recordings', [sessionRecordingToRow(recording, content)]);
        }
        return appendEvents(trx, traits, change);
      });
    },

    async getRequest(id: RequestId) {
      const row = await db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row && requestFromRow(row);
    },

    async getLease(id: LeaseId) {
      const row = await leases().where('id', '=', id).executeTakeFirst();
      return row && leaseFromRow(row);
    },

    async listRequests(filter: RequestFilter = {}) {
      const limit = listLimit(filter.limit);
      if (filter.states?.length === 0) return [];
      const rows = await db
        .selectFrom('requests')
        .selectAll()
        .$if(filter.states !== undefined, (q) => q.where('state', 'in', filter.states ?? []))
        .$if(filter.principal !== undefined, (q) => q.where('principal', '=', filter.principal ?? ''))
        .$if(filter.role !== undefined, (q) => q.where('role', '=', filter.role ?? ''))
        .$if(filter.createdSince !== undefined, (q) => q.where('created_at', '>=', filter.createdSince?.getTime() ?? 0))
        .$if(filter.createdBefore !== undefined, (q) => q.where('created_at', '<', filter.createdBefore?.getTime() ?? 0))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(requestFromRow);
    },

    async listLeases(filter: LeaseFilter = {}) {
      const limit = listLimit(filter.limit);
      if (filter.states?.length === 0) return [];
      const rows = await leases()
        .$if(filter.states !== undefined, (q) => q.where('state', 'in', filter.states ?? []))
        .$if(filter.principal !== undefined, (q) => q.where('principal', '=', filter.principal ?? ''))
        .$if(filter.role !== undefined, (q) => q.where('role', '=', filter.role ?? ''))
        .$if(filter.requestedSince !== undefined, (q) => q.where('requested_at', '>=', filter.requestedSince?.getTime() ?? 0))
        .$if(filter.requestedBefore !== undefined, (q) => q.where('requested_at', '<', filter.requestedBefore?.getTime() ?? 0))
        .$if(filter.unreviewed === true, (q) => q.where('review_required', '=', 1).where('reviewed_at', 'is', null))
        .orderBy('requested_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(leaseFromRow);
    },

    async findDueWork(now: Date, limit: number): Promise<DueWork> {
      positiveInteger(limit, 'limit');
      const t = now.getTime();
      // A claim means another worker owns the lease's pending operation: none of the lists offers it.
      const expired = await leases()
        .where('state', '=', 'active')
        .where('expires_at', '<=', t)
        .where(unclaimedAt(t))
        .orderBy('expires_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      const revoking = await leases()
        .where('state', '=', 'revoking')
        .where(unclaimedAt(t))
        .orderBy(revocationDueAt)
        .orderBy('id')
        .limit(limit)
        .execute();
      const retries = await leases()
        .where('state', '=', 'revoke_failed')
        .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', t)]))
        .where(unclaimedAt(t))
        .orderBy('next_attempt_at', (ob) => ob.asc().nullsFirst())
        .orderBy('id')
        .limit(limit)
        .execute();
      const abandoned = await leases()
        .where('state', '=', 'granting')
        .where(unclaimedAt(t))
        .orderBy('claimed_until', (ob) => ob.asc().nullsFirst())
        .orderBy('id')
        .limit(limit)
        .execute();
      const revocations = [...revoking, ...retries]
        .map(leaseFromRow)
        .sort((a, b) => dueAt(a) - dueAt(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit);
      return { expired: expired.map(leaseFromRow), revocations, abandonedGrants: abandoned.map(leaseFromRow) };
    },

    async listLiveLeases() {
      // Everything whose access may still be in the target: until a revocation is confirmed, the holder is expected.
      const rows = await leases().where('state', 'in', ['granting', 'active', 'revoking', 'revoke_failed']).orderBy('requested_at').orderBy('id').execute();
      return rows.map(leaseFromRow);
    },

    async countLeases(now: Date, overdueAfterMs: number): Promise<LeaseCounts> {
      const grouped = await db
        .selectFrom('leases')
        .select((eb) => ['state', eb.fn.countAll().as('count')])
        .groupBy('state')
        .execute();
      const byState = Object.fromEntries(LEASE_STATES.map((s) => [s, 0])) as Record<LeaseState, number>;
      for (const row of grouped) byState[row.state as LeaseState] = Number(row.count);
      const overdue = await db
        .selectFrom('leases')
        .select((eb) => eb.fn.countAll().as('count'))
        // Overdue: being revoked for too long, or still active too long after expiry (a stalled scheduler).
        .where((eb) =>
          eb.or([
            eb.and([eb('state', 'in', ['revoking', 'revoke_failed']), eb(revocationDueAt(eb), '<=', now.getTime() - overdueAfterMs)]),
            eb.and([eb('state', '=', 'active'), eb('expires_at', '<=', now.getTime() - overdueAfterMs)]),
          ]),
        )
        .executeTakeFirstOrThrow();
      const unreviewed = await db
        .selectFrom('leases')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('review_required', '=', 1)
        .where('reviewed_at', 'is', null)
        .executeTakeFirstOrThrow();
      return { byState, overdueRevocations: Number(overdue.count), unreviewedBreakGlass: Number(unreviewed.count) };
    },

    async listAuditEvents(query: AuditQuery = {}) {
      if (query.order !== undefined && query.order !== 'asc' && query.order !== 'desc') throw new InvalidInputError(`order must be asc or desc, got ${String(query.order)}`);
      const rows = await auditPage(query, {
        afterSeq: query.afterSeq ?? 0,
        ...(query.beforeSeq === undefined ? {} : { beforeSeq: query.beforeSeq }),
        order: query.order ?? 'asc',
        limit: listLimit(query.limit),
      });
      return rows.map(auditEventFromRow);
    },

    async *readAuditRows(filter: AuditFilter = {}): AsyncIterable<StoredAuditRow> {
      let after = 0;
      for (;;) {
        const page = await auditPage(filter, { afterSeq: after, order: 'asc', limit: AUDIT_PAGE_SIZE });
        for (const row of page) yield storedAuditRowFromRow(row);
        const last = page.at(-1);
        if (last === undefined || page.length < AUDIT_PAGE_SIZE) return;
        after = last.seq;
      }
    },

    async auditHead() {
      const row = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
      if (row === undefined) throw new JitdError('internal', 'the audit head row is missing: the audit_head table was changed outside jitd');
      return row.seq === 0 ? undefined : { seq: Number(row.seq), hash: row.hash };
    },

    ...identityQueries(db),

    async listApprovals(requestId: RequestId) {
      const rows = await db.selectFrom('approvals').selectAll().where('request_id', '=', requestId).orderBy('at').orderBy('approver').execute();
      return rows.map(approvalFromRow);
    },

    async findDueOutbox(now: Date, limit: number) {
      positiveInteger(limit, 'limit');
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .where('state', '=', 'pending')
        .where((eb) => eb.or([eb('next_attempt_at', 'is', null), eb('next_attempt_at', '<=', now.getTime())]))
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(outboxFromRow);
    },

    async saveOutboxMessage(message) {
      const { id, ...values } = outboxToRow(message);
      await db.updateTable('outbox').set(values).where('id', '=', id).execute();
    },

    async listOutbox(filter) {
      if (filter.states?.length === 0) return [];
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .$if(filter.states !== undefined, (q) => q.where('state', 'in', filter.states ?? []))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(listLimit(filter.limit))
        .execute();
      return rows.map(outboxFromRow);
    },

    async countOutbox() {
      const rows = await db.selectFrom('outbox').select((eb) => ['state', eb.fn.countAll().as('count')]).groupBy('state').execute();
      const counts = { pending: 0, sent: 0, failed: 0 };
      for (const row of rows) counts[row.state as keyof typeof counts] = Number(row.count);
      return counts;
    },

    async findExpiredPendingRequests(now: Date, limit: number) {
      positiveInteger(limit, 'limit');
      const rows = await db
        .selectFrom('requests')
        .selectAll()
        .where('state', '=', 'pending')
        .where('approval_deadline', '<=', now.getTime())
        .orderBy('approval_deadline')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(requestFromRow);
    },

    async findDueScheduledRequests(now: Date, limit: number) {
      positiveInteger(limit, 'limit');
      const rows = await db
        .selectFrom('requests')
        .selectAll()
        .where('state', '=', 'approved')
        .where('lease_id', 'is', null)
        .where('extends_lease', 'is', null)
        .where('start_at', '<=', now.getTime())
        .orderBy('start_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(requestFromRow);
    },

    async listSessionRecordings(leaseId: LeaseId) {
      const rows = await db
        .selectFrom('session_recordings')
        .select(RECORDING_COLUMNS)
        .where('lease_id', '=', leaseId)
        .orderBy('started_at')
        .orderBy('id')
        .execute();
      return rows.map(sessionRecordingFromRow);
    },

    async readSessionRecording(id: string) {
      const row = await db.selectFrom('session_recordings').selectAll().where('id', '=', id).executeTakeFirst();
      return row && { recording: sessionRecordingFromRow(row), content: new Uint8Array(row.content) };
    },

    async recordStandingAccess(rows) {
      if (rows.length === 0) return;
      const values = rows.map((r) => ({ role: r.role, at: r.at.getTime(), standing: r.standing, leased: r.leased }));
      // Two passes in the same millisecond for one role: the later count stands.
      await db
        .insertInto('standing_access')
        .values(values)
        .onConflict((oc) => oc.columns(['role', 'at']).doUpdateSet((eb) => ({ standing: eb.ref('excluded.standing'), leased: eb.ref('excluded.leased') })))
        .execute();
    },

    async listStandingAccess(filter) {
      const rows = await db
        .selectFrom('standing_access')
        .selectAll()
        .$if(filter.since !== undefined, (q) => q.where('at', '>=', filter.since?.getTime() ?? 0))
        .$if(filter.before !== undefined, (q) => q.where('at', '<', filter.before?.getTime() ?? 0))
        .orderBy('at')
        .orderBy('role')
        .limit(listLimit(filter.limit))
        .execute();
      return rows.map(standingAccessFromRow);
    },

    async firstStandingAccess() {
      const firsts = db.selectFrom('standing_access').select((eb) => ['role', eb.fn.min('at').as('first_at')]).groupBy('role').as('firsts');
      const rows = await db
        .selectFrom('standing_access')
        .innerJoin(firsts, (join) => join.onRef('firsts.role', '=', 'standing_access.role').onRef('firsts.first_at', '=', 'standing_access.at'))
        .selectAll('standing_access')
        .orderBy('standing_access.role')
        .execute();
      return rows.map(standingAccessFromRow);
    },

    async readConnectorMemo(connector) {
      const rows = await db.selectFrom('connector_memo').select(['key', 'value']).where('connector', '=', connector).execute();
      return new Map(rows.map((row) => [row.key, row.value]));
    },

    async writeConnectorMemo(connector, key, value, at) {
      await db
        .insertInto('connector_memo')
        .values({ connector, key, value, updated_at: at.getTime() })
        .onConflict((oc) => oc.columns(['connector', 'key']).doUpdateSet({ value, updated_at: at.getTime() }))
        .execute();
    },

    async close() {
      await db.destroy();
    },
  };
}
