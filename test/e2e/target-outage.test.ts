// The directory is down when a lease expires: the lease shows `revoke_failed` with the error, is retried with
// backoff, and is revoked once the directory is back. Then the audit trail is tampered with and verify says where.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { eventually, startJitdProcess, waitForFailingRevocation, type JitdProcess, type LeaseJson } from '../fixtures/jitd-process.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';


describe('a target outage during expiry', () => {
  let slapd: Slapd;
  let jitd: JitdProcess;
  const isMember = async () => (await slapd.members(jitd.groupDn)).includes(slapd.userDn('alice'));

  before(async () => {
    slapd = await startSlapd();
    jitd = await startJitdProcess({ slapd, ldapTimeout: '1s' });
  });
  after(async () => {
    await jitd?.stop();
    await slapd?.destroy();
  });

  test('a lease expiring while slapd is down shows revoke_failed, then is revoked once slapd is back', async () => {
    const { lease } = await jitd.json<{ lease: LeaseJson }>('alice', ['request', 'domain-admins', '--for', '2s', '--reason', 'outage test']);
    await slapd.stop();
    const failing = await waitForFailingRevocation(jitd, lease.id);
    assert.ok(failing, 'the lease is in revoke_failed and retried');
    assert.match(failing.lastError ?? '', /^test-ldap: .*(ECONNREFUSED|connect)/i);
    assert.ok(failing.nextAttemptAt, 'the next attempt is scheduled');

    const status = await jitd.cli('bob', ['status']);
    assert.match(status.stdout, /Revocations in progress or failing \(1\):/);
    assert.match(status.stdout, new RegExp(`${lease.id}\\s+revoke_failed\\s+alice\\s+domain-admins`));
    const metrics = await (await fetch(`${jitd.url}/metrics`)).text();
    assert.match(metrics, /^jitd_leases\{state="revoke_failed"\} 1$/m);
    assert.match(metrics, /^jitd_revocations_total\{role="domain-admins",outcome="failed"\} [1-9]/m);

    await slapd.start();
    assert.equal(await isMember(), true, 'alice is still a member while revocation has not succeeded');
    const revoked = await eventually(async () => (await jitd.json<{ lease: LeaseJson }>('bob', ['show', lease.id])).lease.state === 'revoked', 10_000);
    assert.ok(revoked, 'revoked on a retry after slapd came back');
    assert.equal(await isMember(), false);
    const events = (await jitd.cli('dave', ['audit', 'export'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; leaseId?: string })
      .filter((e) => e.leaseId === lease.id)
      .map((e) => e.type);
    assert.equal(events.at(-1), 'lease.revoked');
    assert.ok(events.filter((t) => t === 'lease.revoke_failed').length >= 2, events.join(', '));
  });

  test('a request while slapd is down fails with the target error, and its lease is cleaned up once slapd is back', async () => {
    await slapd.stop();
    const refused = await jitd.cli('alice', ['request', 'domain-admins', '--for', '1h', '--reason', 'during outage']);
    assert.equal(refused.code, 7, refused.stderr);
    assert.match(refused.stderr, /^jitd: test-ldap: /);
    const { requests } = await jitd.json<{ requests: { state: string; outcomeNote?: string; leaseId: string }[] }>('alice', ['requests', '--limit', '1']);
    assert.equal(requests[0]?.state, 'failed');
    assert.match(requests[0]?.outcomeNote ?? '', /^test-ldap: /);
    await slapd.start();
    const cleaned = await eventually(async () => (await jitd.json<{ lease: LeaseJson }>('bob', ['show', requests[0]!.leaseId])).lease.state === 'revoked', 10_000);
    assert.ok(cleaned, 'the lease of the failed grant ends revoked');
    assert.equal(await isMember(), false);
  });

  test('jitd audit verify --db checks a backup copy read-only, and refuses a file that is not a jitd store', async () => {
    const backup = join(jitd.dir, 'backup.sqlite');
    const live = new Database(jitd.dbPath, { readonly: true });
    await live.backup(backup);
    live.close();
    const before = statSync(backup).mtimeMs;
    const ok = await jitd.cli(undefined, ['audit', 'verify', '--db', backup]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^audit chain OK: \d+ events, head #\d+ [0-9a-f]{64}$/m);
    const exported = await jitd.cli(undefined, ['audit', 'export', '--db', backup]);
    assert.equal(exported.stdout.trim().split('\n').length, Number(/OK: (\d+) events/.exec(ok.stdout)![1]));
    assert.equal(statSync(backup).mtimeMs, before, 'the copy was not written to');
    const notAStore = join(jitd.dir, 'empty.sqlite');
    new Database(notAStore).close();
    const refused = await jitd.cli(undefined, ['audit', 'verify', '--db', notAStore]);
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr.trim(), `jitd: cannot open the SQLite store at ${notAStore} read-only: it is not a jitd store (no audit_events table)`);
  });

  test('jitd audit verify --config names the event that was edited in the SQLite file', async () => {
    await jitd.stop();
    const ok = await jitd.cli(undefined, ['audit', 'verify', '--config', jitd.configPath]);
    assert.equal(ok.code, 0, ok.stderr);
    const db = new Database(jitd.dbPath);
    const row = db.prepare("SELECT seq, id FROM audit_events WHERE type = 'lease.granted' ORDER BY seq LIMIT 1").get() as { seq: number; id: string };
    db.prepare("UPDATE audit_events SET data = json_set(data, '$.expiresAt', '2099-01-01T00:00:00.000Z') WHERE seq = ?").run(row.seq);
    db.close();
    const broken = await jitd.cli(undefined, ['audit', 'verify', '--config', jitd.configPath]);
    assert.equal(broken.code, 9);
    assert.equal(broken.stdout.trim(), `audit chain BROKEN after checking ${row.seq} events: event #${row.seq} (lease.granted ${row.id.slice(0, 8)}…) was edited: its hash does not match its content`);
    const json = JSON.parse((await jitd.cli(undefined, ['audit', 'verify', '--config', jitd.configPath, '-o', 'json'])).stdout) as { ok: boolean; problem: { seq: number; id: string; kind: string } };
    assert.deepEqual({ ok: json.ok, ...json.problem, message: undefined }, { ok: false, seq: row.seq, id: row.id, kind: 'edited', message: undefined });
  });
});
