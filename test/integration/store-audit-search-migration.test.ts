// Migration 0010_audit_search on a store written before it: the search keys of the events already stored are
// filled in by the same rule as new events get, and nothing that is hashed changes.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import canonicalize from 'canonicalize';
import { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import { appendToChain } from '../../src/audit/chain.ts';
import type { AuditEventDraft } from '../../src/core/audit-event.ts';
import { LeaseId, PrincipalId, RoleName } from '../../src/core/ids.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { leaseToRow } from '../../src/store/sql/lease-row.ts';
import { migrationProvider } from '../../src/store/sql/migrations.ts';
import { requestToRow } from '../../src/store/sql/request-row.ts';
import type { JitdDatabase } from '../../src/store/sql/schema.ts';
import { openSqliteStore, SQLITE_TRAITS } from '../../src/store/sqlite/open.ts';
import { ImmediateSqliteDialect } from '../../src/store/sqlite/sqlite-dialect.ts';
import { at, event, makeLease, makeRequest } from '../contract/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'jitd-audit-migration-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Sign-ins written before the migration: more than one page of the data-only backfill. */
const SIGN_INS = 1500;

/** A store file as jitd wrote it at migration 0009, with a request, a lease and their events, sign-ins and a finding. */
async function storeAt0009(path: string): Promise<void> {
  const sqlite = new Database(path);
  const db = new Kysely<JitdDatabase>({ dialect: new ImmediateSqliteDialect(sqlite) });
  const { error } = await new Migrator({ db, provider: migrationProvider(SQLITE_TRAITS) }).migrateTo('0009_standing_access');
  assert.equal(error, undefined);
  const request = makeRequest('r-1', { leaseId: LeaseId('l-1') });
  const lease = makeLease('l-1', 'r-1');
  const drafts: AuditEventDraft[] = [
    { ...event('request.created', { requestId: 'r-1' }, { principal: 'alice', role: 'db-admins' }), actor: 'alice' },
    event('lease.granting', { requestId: 'r-1', leaseId: 'l-1' }),
    event('lease.revoked', { requestId: 'r-1', leaseId: 'l-1' }, { attempts: 1 }),
    event('reconcile.standing_access_found', {}, { role: 'db-admins', holder: 'mallory' }),
    ...Array.from({ length: SIGN_INS }, (_, i) => ({ ...event('auth.signed_in', {}, { principal: `user-${i}` }), actor: `user-${i}`, at: at(i) })),
    { ...event('lease.expired', { requestId: 'r-gone', leaseId: 'l-gone' }, { note: 'refs to rows that are not stored' }), actor: 'system' },
  ];
  const { events, head } = appendToChain(undefined, drafts);
  const insert = sqlite.prepare('insert into audit_events (seq, id, at, type, actor, request_id, lease_id, data, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  sqlite.transaction(() => {
    sqlite.prepare(`insert into requests (${Object.keys(requestToRow(request)).join(', ')}) values (${Object.keys(requestToRow(request)).map(() => '?').join(', ')})`).run(...Object.values(requestToRow(request)));
    sqlite.prepare(`insert into leases (${Object.keys(leaseToRow(lease)).join(', ')}) values (${Object.keys(leaseToRow(lease)).map(() => '?').join(', ')})`).run(...Object.values(leaseToRow(lease)));
    for (const e of events) insert.run(e.seq, e.id, e.at.getTime(), e.type, e.actor, e.requestId ?? null, e.leaseId ?? null, canonicalize(e.data), e.prevHash, e.hash);
    sqlite.prepare('update audit_head set seq = ?, hash = ? where id = 1').run(head.seq, head.hash);
  })();
  await db.destroy();
}

const hashedColumns = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('select seq, id, at, type, actor, request_id, lease_id, data, prev_hash, hash from audit_events order by seq').all();
  } finally {
    db.close();
  }
};

describe('migration 0010_audit_search', () => {
  test('fills in who and which role each stored event is about, changes nothing hashed, and the chain still verifies', async () => {
    const path = join(dir, 'old.sqlite');
    await storeAt0009(path);
    const before = hashedColumns(path);
    const started = performance.now();
    const store = await openSqliteStore(path);
    const migrateMs = performance.now() - started;
    try {
      const seqs = async (query: Parameters<typeof store.listAuditEvents>[0]) => (await store.listAuditEvents(query)).map((e) => e.seq);
      const last = 4 + SIGN_INS + 1;
      assert.deepEqual(await seqs({ principal: PrincipalId('alice') }), [1, 2, 3]);
      assert.deepEqual(await seqs({ role: RoleName('db-admins') }), [1, 2, 3, 4]);
      assert.deepEqual(await seqs({ principal: PrincipalId('mallory') }), [4]);
      assert.deepEqual(await seqs({ principal: PrincipalId(`user-${SIGN_INS - 1}`) }), [4 + SIGN_INS], 'the last page of the data-only backfill');
      assert.deepEqual(await seqs({ principal: PrincipalId('system') }), [2, 3, 4, last]);
      assert.deepEqual(await seqs({ types: ['lease.expired'], role: RoleName('db-admins') }), [], 'an event whose lease and request are gone has no role');
      assert.deepEqual(hashedColumns(path), before);
      assert.deepEqual(await verifyAuditChain(store.readAuditRows(), await store.auditHead()), { ok: true, count: last, head: await store.auditHead() });
      // New events get their keys the same way.
      await store.commit({ events: [event('lease.revoke_failed', { requestId: 'r-1', leaseId: 'l-1' }, { error: 'down' })] });
      assert.deepEqual(await seqs({ principal: PrincipalId('alice'), order: 'desc', limit: 1 }), [last + 1]);
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      const indexes = db.prepare("select name from sqlite_master where type = 'index' and tbl_name = 'audit_events' and name like 'audit_events_%' order by name").pluck().all();
      assert.deepEqual(indexes, ['audit_events_actor_seq', 'audit_events_at', 'audit_events_lease_id_seq', 'audit_events_principal_seq', 'audit_events_request_id_seq', 'audit_events_role_seq', 'audit_events_type_seq']);
    } finally {
      db.close();
    }
    assert.ok(migrateMs < 10_000, `migrating ${SIGN_INS + 5} events took ${migrateMs.toFixed(0)} ms`);
  });
});
