// The SQLite store: the shared store contract on real temp files, plus what is specific to a file on disk
// (reopening, migrations, pragmas).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { LeaseId, RequestId } from '../../src/core/ids.ts';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import { event, makeLease, makeRequest, runStoreContract } from '../contract/store.ts';
import { runIdentityStoreContract } from '../contract/store-identity.ts';

const dir = mkdtempSync(join(tmpdir(), 'jitd-store-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newPath = () => join(dir, `store-${++files}.db`);

runStoreContract('SQLite', () => openSqliteStore(newPath()));
runIdentityStoreContract('SQLite', () => openSqliteStore(newPath()));

describe('SQLite store file', () => {
  test('reopening the file keeps requests, leases, events and the chain head', async () => {
    const path = newPath();
    const store = await openSqliteStore(path);
    const request = makeRequest('r-1', { ticket: 'INC-1', leaseId: LeaseId('l-1') });
    const lease = makeLease('l-1', 'r-1', { state: 'granting', claimedUntil: new Date(Date.UTC(2030, 0, 1, 8, 1)) });
    const events = await store.commit({ insertRequests: [request], insertLeases: [lease], events: [event('request.created', { requestId: 'r-1' }, { reason: 'incident 42' })] });
    const head = await store.auditHead();
    await store.close();

    const reopened = await openSqliteStore(path);
    try {
      assert.deepEqual(await reopened.getRequest(RequestId('r-1')), request);
      assert.deepEqual(await reopened.getLease(LeaseId('l-1')), lease);
      assert.deepEqual(await reopened.listAuditEvents(), events);
      assert.deepEqual(await reopened.auditHead(), head);
      const [next] = await reopened.commit({ events: [event('lease.granted', { requestId: 'r-1', leaseId: 'l-1' })] });
      assert.equal(next?.seq, 2);
      assert.equal(next?.prevHash, head?.hash);
      assert.equal((await verifyAuditChain(reopened.readAuditRows(), await reopened.auditHead())).ok, true);
    } finally {
      await reopened.close();
    }
  });

  test('opening an already migrated file runs no migration again', async () => {
    const path = newPath();
    for (let i = 0; i < 3; i++) await (await openSqliteStore(path)).close();
    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(db.prepare('select name from kysely_migration order by name').pluck().all(), ['0001_initial', '0002_connector_memo', '0003_grant_data', '0004_session_recordings', '0005_identity', '0006_approvals', '0007_outbox', '0008_policy_extras', '0009_standing_access', '0010_audit_search']);
      assert.deepEqual(db.prepare('select id, seq, hash from audit_head').all(), [{ id: 1, seq: 0, hash: '0'.repeat(64) }]);
    } finally {
      db.close();
    }
  });

  test('the file is in WAL mode and foreign keys are enforced', async () => {
    const path = newPath();
    const store = await openSqliteStore(path);
    try {
      assert.deepEqual(store.capabilities, { supportsSkipLocked: false });
      // A lease for a request that does not exist breaks the foreign key: foreign_keys is on.
      await assert.rejects(store.commit({ insertLeases: [makeLease('l-orphan', 'r-missing')], events: [] }), /FOREIGN KEY constraint failed/);
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });

  test('a missing directory for the store file is created', async () => {
    const path = join(dir, 'new', 'nested', 'store.db');
    await (await openSqliteStore(path)).close();
    assert.equal(statSync(join(dir, 'new', 'nested')).mode & 0o777, 0o700);
    assert.ok(statSync(path).isFile());
  });

  test('a store that cannot be opened says where it looked', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const path = join(dir, 'a-file', 'store.db');
    await assert.rejects(openSqliteStore(path), { message: `cannot open the SQLite store at ${path}: EEXIST: file already exists, mkdir '${join(dir, 'a-file')}'` });
  });

  test('two processes committing to the same file take turns, and the chain stays whole', async () => {
    const path = newPath();
    await (await openSqliteStore(path)).close();
    const script = join(dir, 'writer.ts');
    writeFileSync(
      script,
      [
        `import { openSqliteStore } from ${JSON.stringify(new URL('../../src/store/sqlite/open.ts', import.meta.url).pathname)};`,
        `const store = await openSqliteStore(process.argv[2]);`,
        `for (let i = 0; i < 200; i++) await store.commit({ events: [{ type: 'request.created', at: new Date(), actor: process.argv[3], data: { i } }] });`,
        `await store.close();`,
      ].join('\n'),
    );
    const writers = ['one', 'two', 'three'].map((name) => {
      const child = spawn(process.execPath, [script, path, name], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      return once(child, 'exit').then(([code]) => assert.equal(code, 0, `writer ${name} failed: ${stderr}`));
    });
    await Promise.all(writers);
    const store = await openSqliteStore(path);
    try {
      const result = await verifyAuditChain(store.readAuditRows(), await store.auditHead());
      assert.deepEqual([result.ok, result.count, result.head?.seq], [true, 600, 600]);
    } finally {
      await store.close();
    }
  });
});
