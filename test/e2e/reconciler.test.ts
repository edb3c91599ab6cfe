// Standing access: someone added to a managed group by hand, without a lease. The reconciler reports it
// (status, audit, metric) and, for a role with `enforce: true`, removes it — while leaving leased members alone.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startJitdProcess, type JitdProcess } from '../fixtures/jitd-process.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';

interface StatusJson {
  standingAccess?: { findings: { role: string; holder: string; raw: string; removed: boolean }[] };
}

describe('the reconciler against a real slapd', () => {
  let slapd: Slapd;
  let jitd: JitdProcess;
  let enforcedGroup: string;
  const addMember = (group: string, uid: string) => slapd.ldapmodify(`dn: ${group}\nchangetype: modify\nadd: member\nmember: ${slapd.userDn(uid)}\n`);

  before(async () => {
    slapd = await startSlapd();
    enforcedGroup = await slapd.addGroup('web-01-admins', [slapd.placeholderDn]);
    jitd = await startJitdProcess({
      slapd,
      reconciler: { interval: '300ms' },
      roles: {
        'web-01-admin': { connector: 'test-ldap', group: enforcedGroup, maxDuration: '4h', eligible: ['group:ops'], approval: 'auto', enforce: true },
      },
    });
  });
  after(async () => {
    await jitd?.stop();
    await slapd?.destroy();
  });

  test('a member without a lease is reported as standing access, and a leased member is not', async () => {
    await jitd.json('alice', ['request', 'domain-admins', '--reason', 'leased member']);
    await addMember(jitd.groupDn, 'carol');
    let findings: NonNullable<StatusJson['standingAccess']>['findings'] = [];
    const found = await eventually(async () => {
      findings = (await jitd.json<StatusJson>('bob', ['status'])).standingAccess?.findings ?? [];
      return findings.some((f) => f.holder === 'carol');
    }, 10_000);
    assert.ok(found, 'carol is reported');
    assert.deepEqual(
      findings.filter((f) => f.role === 'domain-admins').map((f) => ({ holder: f.holder, raw: f.raw, removed: f.removed })),
      [{ holder: 'carol', raw: slapd.userDn('carol'), removed: false }],
      'only carol: alice holds a lease, and the placeholder is not a holder',
    );
    assert.deepEqual((await slapd.members(jitd.groupDn)).includes(slapd.userDn('carol')), true, 'reported, not removed (enforce is off)');
    const text = await jitd.cli('bob', ['status']);
    assert.match(text.stdout, /Standing access without a lease .*\n.*ROLE\s+HOLDER\s+SINCE\s+ACTION\n.*domain-admins\s+uid=carol,ou=people,dc=jitd,dc=test\s+\S+ \S+\s+reported/);
    const metrics = await (await fetch(`${jitd.url}/metrics`)).text();
    assert.match(metrics, /^jitd_standing_access_holders\{role="domain-admins"\} 1$/m);
    const audit = (await jitd.cli('dave', ['audit', 'export'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { holder?: string } });
    const reported = audit.filter((e) => e.type === 'reconcile.standing_access_found' && e.data.holder === 'carol');
    assert.equal(reported.length, 1, 'one event per standing holder, not one per pass');

    // The KPIs read the reconciler's kept counts: carol is standing access now, and alice's lease a JIT grant.
    const kpi = await jitd.json<{ standingAccess: { current: number }; utilization: { jitGrants: number; standingHolders: number } }>('dave', ['report', 'kpi', '--since', '1d']);
    assert.ok(kpi.standingAccess.current >= 1, `standing access counted: ${JSON.stringify(kpi.standingAccess)}`);
    assert.ok(kpi.utilization.jitGrants >= 1 && kpi.utilization.standingHolders >= 1, JSON.stringify(kpi.utilization));
    assert.match(metrics, /^jitd_kpi_revocations\{outcome="total"\} \d+$/m);
  });

  test('with enforce: true the standing member is removed and the removal is audited', async () => {
    await addMember(enforcedGroup, 'carol');
    const removed = await eventually(async () => !(await slapd.members(enforcedGroup)).includes(slapd.userDn('carol')), 10_000);
    assert.ok(removed, 'carol removed from web-01-admins');
    assert.ok((await slapd.members(enforcedGroup)).includes(slapd.placeholderDn), 'the placeholder stays');
    const audit = (await jitd.cli('dave', ['audit', 'export'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { role?: string } });
    assert.ok(audit.some((e) => e.type === 'reconcile.standing_access_removed' && e.data.role === 'web-01-admin'));
  });

  test('a standing member that is not a person (does not fit userDn) is reported, not removed, and reported once', async () => {
    await slapd.ldapmodify(`dn: ${enforcedGroup}\nchangetype: modify\nadd: member\nmember: ${slapd.serviceDn}\n`);
    let status: StatusJson & { standingAccess?: { errors: { role: string; error: string }[] } } = {};
    const reported = await eventually(async () => {
      status = await jitd.json('bob', ['status']);
      return (status.standingAccess?.errors ?? []).some((e) => e.role === 'web-01-admin');
    }, 10_000);
    assert.ok(reported);
    assert.deepEqual(status.standingAccess?.errors, [
      { role: 'web-01-admin', error: `cannot remove standing holder ${slapd.serviceDn}: it does not match the connector's principal mapping` },
    ]);
    await new Promise((r) => setTimeout(r, 1_000)); // a few more passes
    assert.ok((await slapd.members(enforcedGroup)).includes(slapd.serviceDn), 'left in place');
    const audit = (await jitd.cli('dave', ['audit', 'export'])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { raw?: string } });
    assert.equal(audit.filter((e) => e.data.raw === slapd.serviceDn).map((e) => e.type).join(','), 'reconcile.standing_access_found');
  });
});
