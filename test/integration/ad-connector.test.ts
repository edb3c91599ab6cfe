// The `ad` connector against a real Samba AD DC (test/fixtures/samba.ts): the connector conformance suite,
// Domain Admins, big groups (range retrieval), renames, the least-privilege service account, TLS refusals,
// and what detection concludes about time-bound membership on a DC that does not have it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { guidFromBytes, sidFromBytes } from '../../src/connectors/ad/binary-ids.ts';
import { createAdConnector } from '../../src/connectors/ad/connector.ts';
import type { AdConnector } from '../../src/connectors/ad/connector.ts';
import { memoryMemo } from '../../src/connectors/connector.ts';
import type { ConnectorMemo } from '../../src/connectors/connector.ts';
import type { AdConnectorConfig } from '../../src/config/types.ts';
import { ConnectorName, LeaseId, PrincipalId } from '../../src/core/ids.ts';
import type { RoleTarget } from '../../src/core/role.ts';
import { assertConnectorError, runConnectorContract } from '../contract/connector.ts';
import { startSambaDc } from '../fixtures/samba.ts';
import { createTestCa } from '../fixtures/tls.ts';

const dc = await startSambaDc();

const NAME = ConnectorName('ad-test');
const alice = PrincipalId('alice');
const bob = PrincipalId('bob');
const carol = PrincipalId('carol');
const dave = PrincipalId('dave');
const HOUR = 3_600_000;
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function config(overrides: Partial<AdConnectorConfig> = {}): AdConnectorConfig {
  return {
    type: 'ad',
    url: dc.ldapsUrl,
    startTls: false,
    tls: { caFile: dc.caFile, serverName: dc.serverName, rejectUnauthorized: true },
    bindDn: dc.adminDn,
    bindPassword: { env: 'JITD_TEST_UNUSED' },
    principalAttribute: 'sAMAccountName',
    timeBoundMembership: 'auto',
    maxTicketLifetimeMs: 10 * HOUR,
    timeoutMs: 2_000,
    ...overrides,
  };
}

const open: AdConnector[] = [];
function connector(overrides: Partial<AdConnectorConfig> = {}, options: { password?: string; memo?: ConnectorMemo } = {}): AdConnector {
  const c = createAdConnector(NAME, config(overrides), { bindPassword: options.password ?? dc.adminPassword }, { memo: options.memo ?? memoryMemo() });
  open.push(c);
  return c;
}
after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await dc.destroy();
});

const grant = (c: AdConnector, principal: PrincipalId, target: RoleTarget): Promise<unknown> =>
  c.grant({ principal, target, leaseId: LeaseId('lease-ad'), expiresAt: new Date(Date.now() + HOUR) });
/** sAMAccountNames of a group's members, read by the fixture with ldapsearch (CN=<name>,CN=Users,… in this domain). */
const memberNames = async (groupDn: string): Promise<string[]> =>
  (await dc.members(groupDn)).flatMap((dn) => /^CN=([^,]+),CN=Users,/i.exec(dn)?.[1] ?? []);
let groupCount = 0;
const newGroup = (): Promise<string> => dc.createGroup(`jit-test-${process.pid}-${(groupCount += 1)}`);

runConnectorContract('ad (Samba AD DC)', async () => {
  const group = await newGroup();
  return {
    connector: connector(),
    principal: alice,
    otherPrincipal: bob,
    target: { group },
    outsideView: async (t) => memberNames(t.group ?? ''),
    missingTarget: { group: 'no-such-group' },
    missingTargetMention: 'group no-such-group does not exist',
    stopTarget: () => dc.stop(),
    startTarget: () => dc.start(),
    unavailableMessage: new RegExp(`^ad-test: cannot reach LDAP server ${esc(dc.ldapsUrl)}: connection refused$`),
  };
});

describe('ad connector: Domain Admins and group references', () => {
  test('granting Domain Admins by name puts it in the user\'s memberOf; revoking takes it out', async () => {
    const c = connector();
    await grant(c, carol, { group: 'Domain Admins' });
    assert.ok((await dc.memberOf(dc.userDn('carol'))).includes(dc.groups.domainAdmins));
    assert.equal(await c.holds({ principal: carol, target: { group: 'Domain Admins' } }), true);
    await c.revoke({ principal: carol, target: { group: 'Domain Admins' } });
    assert.ok(!(await dc.memberOf(dc.userDn('carol'))).includes(dc.groups.domainAdmins));
  });

  test('a group named by DN, by name and by SID is the same group', async () => {
    const dn = await newGroup();
    const [line] = (await dc.ldapsearch(['-b', dn, '-s', 'base', 'objectSid'])).split('\n').filter((l) => l.startsWith('objectSid::'));
    const sid = sidFromBytes(Buffer.from(line?.slice('objectSid::'.length).trim() ?? '', 'base64'));
    const name = /^CN=([^,]+),/.exec(dn)?.[1] ?? '';
    const c = connector();
    await grant(c, alice, { group: sid });
    for (const group of [dn, name, sid]) assert.equal(await c.holds({ principal: alice, target: { group } }), true, group);
    await c.revoke({ principal: alice, target: { group: dn } });
    assert.deepEqual(await memberNames(dn), []);
  });

  test('inspect reads a group of 1,600 members in slices (range retrieval) and maps every one to its principal', async () => {
    const holders = await connector().inspect({ group: dc.groups.big });
    assert.equal(holders.length, dc.bigGroupSize);
    assert.ok(holders.every((h) => h.mapped && /^user\d+$/.test(h.principal)), 'every member maps to its sAMAccountName');
    assert.equal(new Set(holders.map((h) => h.principal)).size, dc.bigGroupSize);
  });

  test('inspect reports a member that is not a user account (a nested group) by its DN, unmapped', async () => {
    const outer = await newGroup();
    const inner = await newGroup();
    await dc.addMember(outer, inner);
    await dc.addMember(outer, dc.userDn('dave'));
    const holders = await connector().inspect({ group: outer });
    assert.deepEqual(
      holders.map((h) => ({ principal: h.principal, mapped: h.mapped })).sort((a, b) => a.principal.localeCompare(b.principal)),
      [
        { principal: inner, mapped: false },
        { principal: 'dave', mapped: true },
      ].sort((a, b) => a.principal.localeCompare(b.principal)),
    );
  });

  test('renaming and moving the group after a grant breaks nothing: the group is kept by GUID, across restarts too', async () => {
    const dn = await newGroup();
    const name = /^CN=([^,]+),/.exec(dn)?.[1] ?? '';
    const memo = memoryMemo(); // what the store keeps for the connector across restarts
    await grant(connector({}, { memo }), alice, { group: name });
    await dc.ldapmodify(`dn: ${dn}\nchangetype: modify\nreplace: sAMAccountName\nsAMAccountName: ${name}-renamed\n\ndn: ${dn}\nchangetype: modrdn\nnewrdn: CN=${name}-renamed\ndeleteoldrdn: 1\nnewsuperior: CN=Users,${dc.baseDn}\n`);
    const moved = `CN=${name}-renamed,CN=Users,${dc.baseDn}`;
    assert.deepEqual(await memberNames(moved), ['alice']);
    const restarted = connector({}, { memo });
    assert.equal(await restarted.holds({ principal: alice, target: { group: name } }), true);
    await restarted.revoke({ principal: alice, target: { group: name } });
    assert.deepEqual(await memberNames(moved), []);
  });

  test('renaming the account after a grant does not stop the revocation: it acts on the account granted to', async () => {
    const sam = `ren-${process.pid}`;
    const userDn = await dc.createUser(sam);
    const group = await newGroup();
    const c = connector();
    await grant(c, PrincipalId(sam), { group });
    await dc.ldapmodify(`dn: ${userDn}\nchangetype: modify\nreplace: sAMAccountName\nsAMAccountName: ${sam}-new\n`);
    await c.revoke({ principal: PrincipalId(sam), target: { group } });
    assert.deepEqual(await dc.members(group), []);
  });

  test('principals can be user principal names, SIDs or GUIDs: grant, holds and inspect use the same form', async () => {
    const attribute = async (name: string): Promise<Buffer> => {
      const line = (await dc.ldapsearch(['-b', dc.userDn('bob'), '-s', 'base', name])).split('\n').find((l) => l.startsWith(`${name}::`));
      return Buffer.from(line?.slice(name.length + 2).trim() ?? '', 'base64');
    };
    const forms: [AdConnectorConfig['principalAttribute'], string][] = [
      ['userPrincipalName', 'bob@jit.test'],
      ['objectSid', sidFromBytes(await attribute('objectSid'))],
      ['objectGUID', guidFromBytes(await attribute('objectGUID'))],
    ];
    for (const [principalAttribute, id] of forms) {
      const group = await newGroup();
      const c = connector({ principalAttribute });
      await grant(c, PrincipalId(id), { group });
      assert.deepEqual(await memberNames(group), ['bob'], principalAttribute);
      assert.equal(await c.holds({ principal: PrincipalId(id), target: { group } }), true, principalAttribute);
      assert.deepEqual((await c.inspect({ group })).map((h) => [h.principal, h.mapped]), [[id, true]], principalAttribute);
      await c.revoke({ principal: PrincipalId(id), target: { group } });
      assert.deepEqual(await memberNames(group), [], principalAttribute);
    }
  });

  test('an account that does not exist is refused permanently, naming it', async () => {
    await assertConnectorError(grant(connector(), PrincipalId('nobody-here'), { group: dc.groups.ops }), {
      retryable: false,
      message: 'ad-test: account nobody-here does not exist (or the service account cannot see it)',
    });
  });
});

describe('ad connector: least privilege and TLS', () => {
  test('the delegated service account (bound by UPN) manages its group, and is refused Domain Admins with what to delegate', async () => {
    const c = connector({ bindDn: 'svc-jitd@jit.test' }, { password: dc.servicePassword });
    await grant(c, dave, { group: dc.groups.ops });
    assert.deepEqual(await memberNames(dc.groups.ops), ['dave']);
    await c.revoke({ principal: dave, target: { group: dc.groups.ops } });
    const err = await assertConnectorError(grant(c, dave, { group: 'Domain Admins' }), { retryable: false, message: /insufficient access rights/ });
    assert.match(err.message, /^ad-test: svc-jitd@jit\.test may not add account dave to group Domain Admins: insufficient access rights \(delegate "Write member" on the group to the service account; for protected groups such as Domain Admins set it on CN=AdminSDHolder,CN=System/);
  });

  test('StartTLS on the plain LDAP port works like LDAPS', async () => {
    const c = connector({ url: dc.ldapUrl, startTls: true });
    const group = await newGroup();
    await grant(c, bob, { group });
    assert.deepEqual(await memberNames(group), ['bob']);
  });

  test('a DC certificate from another CA is refused with what to set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jitd-ad-ca-'));
    try {
      const other = await createTestCa(dir, 'other-ca');
      await assertConnectorError(grant(connector({ tls: { caFile: other.certFile, serverName: dc.serverName, rejectUnauthorized: true } }), alice, { group: dc.groups.ops }), {
        retryable: false,
        message: new RegExp(`^ad-test: TLS certificate of ${esc(dc.ldapsUrl)} is not trusted \\(.*\\): set tls\\.caFile to the PEM file of the CA that signed it$`),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a certificate that does not name the server (no tls.serverName for an IP, or a wrong one) is refused with what to set', async () => {
    for (const tls of [{ caFile: dc.caFile, rejectUnauthorized: true }, { caFile: dc.caFile, serverName: 'dc9.jit.test', rejectUnauthorized: true }]) {
      await assertConnectorError(grant(connector({ tls }), alice, { group: dc.groups.ops }), {
        retryable: false,
        message: new RegExp(`^ad-test: TLS certificate of ${esc(dc.ldapsUrl)} does not name the server \\(.*\\): connect by a name in the certificate or set tls\\.serverName$`),
      });
    }
  });
});

describe('ad connector: time-bound membership on Samba', () => {
  test('detection finds no PAM feature, so grants are plain members, the scheduler revokes, and tickets may outlive the lease', async () => {
    const c = connector();
    await c.prepare?.();
    assert.deepEqual(c.timeBound(), { available: false, reason: 'the domain controller does not offer the LINK_TTL control (1.2.840.113556.1.4.2309)' });
    assert.deepEqual(c.capabilities.nativeExpiry, false);
    assert.equal(c.residualAccess?.({ group: 'Domain Admins' })?.upToMs, 10 * HOUR);
    const group = await newGroup();
    await grant(c, alice, { group });
    assert.deepEqual(await memberNames(group), ['alice']);
  });

  test('timeBoundMembership: required refuses the grant on Samba and adds nobody', async () => {
    const group = await newGroup();
    await assertConnectorError(grant(connector({ timeBoundMembership: 'required' }), alice, { group }), {
      retryable: false,
      message: 'ad-test: timeBoundMembership is required but the domain controller does not offer the LINK_TTL control (1.2.840.113556.1.4.2309)',
    });
    assert.deepEqual(await dc.members(group), []);
  });
});
