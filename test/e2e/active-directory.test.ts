// "Domain Admins for 1 hour" end to end: a real `jitd serve` with an `ad` connector on a real Samba AD DC,
// driven through the CLI. The user's memberOf is read by the fixture with ldapsearch, not through jitd.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startJitdProcess, waitForFailingRevocation, type JitdProcess, type LeaseJson } from '../fixtures/jitd-process.ts';
import { startSambaDc, type SambaDc } from '../fixtures/samba.ts';

interface StatusJson {
  standingAccess?: { findings: { role: string; holder: string; raw: string; removed: boolean }[] };
}
interface RolesJson {
  roles: { name: string; accessMayOutliveLease: { upTo: string; why: string } | null }[];
}

describe('Domain Admins on a Samba AD DC through jitd serve and the CLI', () => {
  let dc: SambaDc;
  let jitd: JitdProcess;
  const inDomainAdmins = async (user: string) => (await dc.memberOf(dc.userDn(user))).includes(dc.groups.domainAdmins);

  before(async () => {
    dc = await startSambaDc();
    jitd = await startJitdProcess({
      target: {
        connectorName: 'corp-ad',
        connector: { type: 'ad', url: dc.ldapsUrl, tls: { caFile: dc.caFile, serverName: dc.serverName }, bindDn: dc.adminDn, timeout: '1s' },
        secret: { field: 'bindPassword', value: dc.adminPassword },
        roleTarget: { group: 'Domain Admins' },
      },
      reconciler: { enabled: true, interval: '1h' },
    });
  });
  after(async () => {
    await jitd?.stop();
    await dc?.destroy();
  });

  test('alice asks for Domain Admins, is in memberOf at once, and is out again after release', async () => {
    assert.equal(await inDomainAdmins('alice'), false);
    const { lease } = await jitd.json<{ lease: LeaseJson }>('alice', ['request', 'domain-admins', '--for', '1h', '--reason', 'CHG-42 patch the DCs']);
    assert.equal(lease.state, 'active');
    assert.equal(await inDomainAdmins('alice'), true);
    const released = await jitd.cli('alice', ['release', lease.id, '--reason', 'done']);
    assert.equal(released.code, 0, released.stderr);
    assert.equal(await inDomainAdmins('alice'), false);
  });

  test('jitd roles says how long access can outlive a lease on this DC (Kerberos tickets, no PAM feature)', async () => {
    const { roles } = await jitd.json<RolesJson>('alice', ['roles']);
    assert.equal(roles.find((r) => r.name === 'domain-admins')?.accessMayOutliveLease?.upTo, '10h');
    const table = await jitd.cli('alice', ['roles']);
    assert.match(table.stdout, /^ROLE\s+ELIGIBLE\s+APPROVAL\s+DEFAULT\s+MAX\s+NEEDS\s+OUTLIVES LEASE\s+TARGET$/m);
    assert.match(table.stdout, /^domain-admins\s+yes\s+auto\s+1h\s+4h\s+reason\s+up to 10h\s+Domain Admins$/m);
  });

  test('the reconciler reports the standing Domain Admin (Administrator) that holds it without a lease', async () => {
    let findings: NonNullable<StatusJson['standingAccess']>['findings'] = [];
    const found = await eventually(async () => {
      findings = (await jitd.json<StatusJson>('bob', ['status'])).standingAccess?.findings ?? [];
      return findings.length > 0;
    }, 10_000);
    assert.ok(found, 'the reconciler reported standing access');
    assert.deepEqual(
      findings.map((f) => ({ role: f.role, holder: f.holder, raw: f.raw, removed: f.removed })),
      [{ role: 'domain-admins', holder: 'Administrator', raw: dc.adminDn, removed: false }],
    );
  });

  test('a lease expiring while the DC is down shows revoke_failed, then is revoked once the DC is back', async () => {
    const { lease } = await jitd.json<{ lease: LeaseJson }>('alice', ['request', 'domain-admins', '--for', '2s', '--reason', 'outage test']);
    assert.equal(await inDomainAdmins('alice'), true);
    await dc.stop();
    try {
      const failing = await waitForFailingRevocation(jitd, lease.id);
      assert.ok(failing, 'the lease is in revoke_failed and retried');
      assert.match(failing.lastError ?? '', /^corp-ad: cannot reach LDAP server ldaps:\/\/[\d.]+:636: connection refused$/);
    } finally {
      await dc.start();
    }
    const revoked = await eventually(async () => (await jitd.json<{ lease: LeaseJson }>('bob', ['show', lease.id])).lease.state === 'revoked', 15_000);
    assert.ok(revoked, 'revoked on a retry after the DC came back');
    assert.equal(await inDomainAdmins('alice'), false);
  });
});
