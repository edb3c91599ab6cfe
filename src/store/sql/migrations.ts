// Schema migrations, defined in code so that they ship inside the program (no folder to scan at run time).
// Kysely's Migrator records which ran in `kysely_migration`. Never edit a migration that has shipped:
// add the next one (`0002_…`).
import { sql, type Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely/migration';
import { GENESIS_HASH } from '../../audit/chain.ts';
import { auditSubject } from './audit-subject.ts';
import type { SqlDialectTraits } from './dialect-traits.ts';

function initial(traits: SqlDialectTraits): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'bigint', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('ticket', 'text')
        .addColumn('approval', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('decided_at', 'bigint')
        .addColumn('decided_by', 'text')
        .addColumn('lease_id', 'text')
        .addColumn('outcome_note', 'text')
        .execute();
      // Listing is newest first, optionally by state, principal or role.
      await db.schema.createIndex('requests_created_at').on('requests').columns(['created_at']).execute();
      await db.schema.createIndex('requests_state_created_at').on('requests').columns(['state', 'created_at']).execute();
      await db.schema.createIndex('requests_principal_created_at').on('requests').columns(['principal', 'created_at']).execute();
      await db.schema.createIndex('requests_role_created_at').on('requests').columns(['role', 'created_at']).execute();

      await db.schema
        .createTable('leases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
        .addColumn('principal', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('connector', 'text', (c) => c.notNull())
        .addColumn('target', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'bigint', (c) => c.notNull())
        .addColumn('requested_at', 'bigint', (c) => c.notNull())
        .addColumn('granted_at', 'bigint')
        .addColumn('grant_confirmed_at', 'bigint')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoke_reason', 'text')
        .addColumn('revoke_requested_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .addColumn('revoke_confirmed_at', 'bigint')
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'bigint')
        .addColumn('claimed_until', 'bigint')
        .execute();
      await db.schema.createIndex('leases_request_id').on('leases').columns(['request_id']).execute();
      await db.schema.createIndex('leases_requested_at').on('leases').columns(['requested_at']).execute();
      await db.schema.createIndex('leases_principal_requested_at').on('leases').columns(['principal', 'requested_at']).execute();
      await db.schema.createIndex('leases_role_requested_at').on('leases').columns(['role', 'requested_at']).execute();
      // findDueWork: one range scan per kind of due work, already in due order.
      await db.schema.createIndex('leases_state_expires_at').on('leases').columns(['state', 'expires_at']).execute();
      await db.schema.createIndex('leases_state_next_attempt_at').on('leases').columns(['state', 'next_attempt_at']).execute();
      await db.schema.createIndex('leases_state_claimed_until').on('leases').columns(['state', 'claimed_until']).execute();
      // Due revocations and overdue counts order/filter on when the revocation was asked for.
      await db.schema
        .createIndex('leases_state_revocation_due')
        .on('leases')
        .expression(sql`state, (coalesce(revoke_requested_at, expires_at))`)
        .execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('seq', traits.seqType, (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text')
        .addColumn('lease_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_events_request_id_seq').on('audit_events').columns(['request_id', 'seq']).execute();
      await db.schema.createIndex('audit_events_lease_id_seq').on('audit_events').columns(['lease_id', 'seq']).execute();

      await db.schema
        .createTable('audit_head')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addCheckConstraint('audit_head_single_row', sql`id = 1`)
        .execute();
      await sql`insert into audit_head (id, seq, hash) values (1, 0, ${GENESIS_HASH})`.execute(db);
    },
  };
}

/** Facts connectors keep across restarts: one value per (connector, key). */
const connectorMemo: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('connector_memo')
      .addColumn('connector', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('connector_memo_pk', ['connector', 'key'])
      .execute();
  },
};

/** What a requester hands in for a grant (e.g. an SSH public key) and what the grant produced (e.g. a certificate). */
const grantData: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('requests').addColumn('grant_input', 'text').execute();
    await db.schema.alterTable('leases').addColumn('grant_record', 'text').execute();
  },
};

/** SSH session transcripts that hosts upload for a lease. */
function sessionRecordings(traits: SqlDialectTraits): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('session_recordings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('lease_id', 'text', (c) => c.notNull().references('leases.id'))
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_at', 'bigint', (c) => c.notNull())
        .addColumn('ended_by', 'text', (c) => c.notNull())
        .addColumn('host', 'text', (c) => c.notNull())
        .addColumn('login', 'text', (c) => c.notNull())
        .addColumn('command', 'text')
        .addColumn('terminal', 'integer', (c) => c.notNull())
        .addColumn('uploaded_from', 'text', (c) => c.notNull())
        .addColumn('bytes', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('truncated', 'integer', (c) => c.notNull())
        .addColumn('content', traits.bytesType, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('session_recordings_lease_id').on('session_recordings').columns(['lease_id', 'started_at']).execute();
    },
  };
}

/** Tokens jitd issues (sign-in sessions, API tokens), and the people it has seen sign in. */
const identity: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('access_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
      .addColumn('principal', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text')
      .addColumn('email', 'text')
      .addColumn('groups', 'text', (c) => c.notNull())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .addColumn('last_used_at', 'bigint')
      .execute();
    await db.schema.createIndex('access_tokens_principal').on('access_tokens').columns(['principal', 'created_at']).execute();
    await db.schema
      .createTable('people')
      .addColumn('principal', 'text', (c) => c.primaryKey())
      .addColumn('display_name', 'text')
      .addColumn('email', 'text')
      .addColumn('groups', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
  },
};

/** Approval by people: each decision, and what a pending request waits for (how many, until when). */
const approvals: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('approvals')
      .addColumn('request_id', 'text', (c) => c.notNull().references('requests.id'))
      .addColumn('approver', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      // One decision per person per request, also under concurrent calls.
      .addPrimaryKeyConstraint('approvals_pk', ['request_id', 'approver'])
      .execute();
    await db.schema.alterTable('requests').addColumn('approvals_required', 'integer').execute();
    await db.schema.alterTable('requests').addColumn('approval_deadline', 'bigint').execute();
    // The scheduler's search for pending requests past their deadline.
    await db.schema.createIndex('requests_state_approval_deadline').on('requests').columns(['state', 'approval_deadline']).execute();
  },
};

/** Notifications waiting to be delivered, and what became of each (docs/notifications.md). */
const outbox: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('recipients', 'text', (c) => c.notNull())
      .addColumn('notification', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint')
      .addColumn('last_error', 'text')
      .addColumn('sent_at', 'bigint')
      .addColumn('detail', 'text')
      .execute();
    // The notifier's search for due messages, and the status view by state.
    await db.schema.createIndex('outbox_state_next_attempt_at').on('outbox').columns(['state', 'next_attempt_at']).execute();
    await db.schema.createIndex('outbox_created_at').on('outbox').columns(['created_at']).execute();
  },
};

/** Break-glass reviews, scheduled starts, extension requests and usage limits (docs/approvals.md). */
const policyExtras: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('requests').addColumn('start_at', 'bigint').execute();
    await db.schema.alterTable('requests').addColumn('extends_lease', 'text').execute();
    await db.schema.alterTable('requests').addColumn('limit_exceeded', 'text').execute();
    // The scheduler's search for scheduled requests whose start has come.
    await db.schema.createIndex('requests_state_start_at').on('requests').columns(['state', 'start_at']).execute();
    await db.schema.alterTable('leases').addColumn('review_required', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('leases').addColumn('reviewed_by', 'text').execute();
    await db.schema.alterTable('leases').addColumn('reviewed_at', 'bigint').execute();
    await db.schema.alterTable('leases').addColumn('review_verdict', 'text').execute();
    await db.schema.alterTable('leases').addColumn('review_comment', 'text').execute();
    // Usage limits read a principal's recent leases of a role.
    await db.schema.createIndex('leases_principal_role_requested_at').on('leases').columns(['principal', 'role', 'requested_at']).execute();
  },
};

/** The reconciler's counts over time, for the standing-access KPI (docs/kpis.md). */
const standingAccess: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('standing_access')
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('standing', 'integer', (c) => c.notNull())
      .addColumn('leased', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('standing_access_pk', ['role', 'at'])
      .execute();
    await db.schema.createIndex('standing_access_at').on('standing_access').columns(['at']).execute();
  },
};

/** Rows per page when the audit search keys are filled in for events that name their subject in data only. */
const BACKFILL_PAGE = 1000;

/**
 * Search keys on audit events (principal, role: see audit-subject.ts), filled in for the events already
 * stored, and indexes for the audit search (GET /v1/audit filters, newest first). Nothing hashed changes.
 */
const auditSearch: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // One transaction: a crash half-way leaves the table as it was, and the migration runs again whole.
    // (An engine whose migrator already runs in a transaction hands us that one.)
    const run = async (trx: Kysely<unknown>): Promise<void> => {
      await trx.schema.alterTable('audit_events').addColumn('principal', 'text').execute();
      await trx.schema.alterTable('audit_events').addColumn('role', 'text').execute();
      // Step 1 of the rule, set-based: the event's lease, else its request.
      await sql`
        update audit_events set
          principal = coalesce(
            (select leases.principal from leases where leases.id = audit_events.lease_id),
            (select requests.principal from requests where requests.id = audit_events.request_id)),
          role = coalesce(
            (select leases.role from leases where leases.id = audit_events.lease_id),
            (select requests.role from requests where requests.id = audit_events.request_id))
        where lease_id is not null or request_id is not null`.execute(trx);
      // Step 2, for events without a stored owner: what their data names (a JSON read no two engines spell alike).
      let after = 0;
      for (;;) {
        const page = await sql<{ seq: number; data: string }>`
          select seq, data from audit_events where principal is null and seq > ${after} order by seq limit ${BACKFILL_PAGE}`.execute(trx);
        for (const row of page.rows) {
          const subject = auditSubject(JSON.parse(row.data) as Record<string, unknown>, undefined);
          if (subject.principal !== null || subject.role !== null) {
            await sql`update audit_events set principal = ${subject.principal}, role = ${subject.role} where seq = ${row.seq}`.execute(trx);
          }
        }
        const last = page.rows.at(-1);
        if (last === undefined || page.rows.length < BACKFILL_PAGE) break;
        after = Number(last.seq);
      }
      // The search reads one of these per filter, already in seq order (newest first by reading backwards).
      await trx.schema.createIndex('audit_events_principal_seq').on('audit_events').columns(['principal', 'seq']).execute();
      await trx.schema.createIndex('audit_events_actor_seq').on('audit_events').columns(['actor', 'seq']).execute();
      await trx.schema.createIndex('audit_events_role_seq').on('audit_events').columns(['role', 'seq']).execute();
      await trx.schema.createIndex('audit_events_type_seq').on('audit_events').columns(['type', 'seq']).execute();
      await trx.schema.createIndex('audit_events_at').on('audit_events').columns(['at']).execute();
    };
    if (db.isTransaction) await run(db);
    else await db.transaction().execute(run);
  },
};

/** Every migration, by name; names sort in the order they must run. */
export function migrationProvider(traits: SqlDialectTraits): MigrationProvider {
  return {
    getMigrations: () =>
      Promise.resolve({
        '0001_initial': initial(traits), '0002_connector_memo': connectorMemo, '0003_grant_data': grantData, '0004_session_recordings': sessionRecordings(traits),
        '0005_identity': identity,
        '0006_approvals': approvals,
        '0007_outbox': outbox,
        '0008_policy_extras': policyExtras,
        '0009_standing_access': standingAccess,
        '0010_audit_search': auditSearch,
      }),
  };
}
