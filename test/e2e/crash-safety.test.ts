// kill -9 of `jitd serve` at the two dangerous moments. Whatever the target saw, the restarted server finds
// the lease in its table and the access still ends at expiry, with an audit chain that verifies.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { eventually, startJitdProcess, type JitdProcess } from '../fixtures/jitd-process.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';

interface LeaseJson {
  id: string;
  state: string;
  expiresAt: string;
  revokeReason?: string;
}

function leaseRows(dbPath: string): { id: string; state: string }[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT id, state FROM leases ORDER BY requested_at').all() as { id: string; state: string }[];
  } finally {
    db.close();
  }
}

describe('crash safety of jitd serve (kill -9)', () => {
  let slapd: Slapd;
  let jitd: JitdProcess;
  const isMember = async () => (await slapd.members(jitd.groupDn)).includes(slapd.userDn('alice'));
  const leaseState = async (id: string) => (await jitd.json<{ lease: LeaseJson }>('bob', ['show', id]).catch(() => undefined))?.lease;
  const eventsOf = async (leaseId: string) => {
    const out = await jitd.cli('dave', ['audit', 'export']);
    return out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; leaseId?: string })
      .filter((e) => e.leaseId === leaseId)
      .map((e) => e.type);
  };

  before(async () => {
    slapd = await startSlapd();
    jitd = await startJitdProcess({ slapd, scheduler: { grantTimeout: '2s' } });
  });
  after(async () => {
    await jitd?.stop();
    await slapd?.destroy();
  });

  test('killed after the lease row is committed but before the grant completed: the restart finishes it and it still ends at expiry', async () => {
    slapd.pause(); // the grant hangs inside slapd
    const pending = jitd.cli('alice', ['request', 'domain-admins', '--for', '5s', '--reason', 'crash test a']);
    const committed = await eventually(async () => leaseRows(jitd.dbPath).some((l) => l.state === 'granting'), 10_000, 20);
    assert.ok(committed, 'the lease row is committed in state granting while the target hangs');
    const leaseId = leaseRows(jitd.dbPath).find((l) => l.state === 'granting')!.id;
    await jitd.kill();
    assert.notEqual((await pending).code, 0, 'the request did not succeed: its server died');
    slapd.resume();
    await jitd.start();

    const revoked = await eventually(async () => (await leaseState(leaseId))?.state === 'revoked', 20_000, 200);
    assert.ok(revoked, `lease ${leaseId} ends revoked`);
    assert.equal(await isMember(), false, 'alice is not a member afterwards');
    assert.deepEqual(await eventsOf(leaseId), ['request.approved', 'lease.granting', 'lease.granted', 'lease.expired', 'lease.revoked']);
    const verify = await jitd.cli('dave', ['audit', 'verify']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });

  test('killed right after the grant, and down past the expiry: the restart revokes at once', async () => {
    const { lease } = await jitd.json<{ lease: LeaseJson }>('alice', ['request', 'domain-admins', '--for', '2s', '--reason', 'crash test b']);
    assert.equal(lease.state, 'active');
    await jitd.kill();
    await new Promise((r) => setTimeout(r, Date.parse(lease.expiresAt) - Date.now() + 1_000));
    assert.equal(await isMember(), true, 'with jitd down, nothing removed the member (LDAP has no native expiry)');
    await jitd.start();
    assert.ok(await eventually(async () => !(await isMember()), 5_000, 50), 'removed soon after the restart');
    assert.ok(await eventually(async () => (await leaseState(lease.id))?.state === 'revoked', 5_000, 100));
    assert.equal((await leaseState(lease.id))?.revokeReason, 'expired');
    const verify = await jitd.cli('dave', ['audit', 'verify']);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
});
