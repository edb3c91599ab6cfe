// The ldap connector against a real slapd: the shared connector contract, then what is specific to LDAP
// (placeholder member, bind and access errors, TLS and StartTLS, DN escaping, timeouts).
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LdapConnectorConfig } from '../../src/config/types.ts';
import { ConnectorError } from '../../src/connectors/connector.ts';
import type { Connector } from '../../src/connectors/connector.ts';
import { createLdapConnector } from '../../src/connectors/ldap/connector.ts';
import { ConnectorName, LeaseId, PrincipalId } from '../../src/core/ids.ts';
import { assertConnectorError, runConnectorContract } from '../contract/connector.ts';
import { startSlapd } from '../fixtures/slapd.ts';
import { createTestCa } from '../fixtures/tls.ts';

const slapd = await startSlapd({ tls: true });

const NAME = ConnectorName('ldap-test');
const base = slapd.suffix;
const alice = PrincipalId('alice');
const bob = PrincipalId('bob');
const carol = PrincipalId('carol');
const ldapsUrl = slapd.ldapsUrl ?? '';
const caFile = slapd.caFile ?? '';
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function config(overrides: Partial<LdapConnectorConfig> = {}): LdapConnectorConfig {
  return {
    type: 'ldap',
    url: slapd.url,
    startTls: false,
    tls: { rejectUnauthorized: true },
    bindDn: slapd.serviceDn,
    bindPassword: { env: 'JITD_TEST_UNUSED' },
    userDn: `uid={principal},ou=people,${base}`,
    placeholderMember: slapd.placeholderDn,
    timeoutMs: 2000,
    ...overrides,
  };
}

const open: Connector[] = [];
function connector(overrides: Partial<LdapConnectorConfig> = {}, password = slapd.servicePassword): Connector {
  const c = createLdapConnector(NAME, config(overrides), { bindPassword: password });
  open.push(c);
  return c;
}
after(async () => {
  await Promise.all(open.map((c) => c.close()));
  await slapd.destroy();
});

let groups = 0;
/** A fresh group holding the placeholder (and `members`, given as uids). */
async function group(members: readonly string[] = [], { placeholder = true } = {}): Promise<string> {
  groups += 1;
  return await slapd.addGroup(`g${groups}`, [...(placeholder ? [slapd.placeholderDn] : []), ...members.map((uid) => slapd.userDn(uid))]);
}

const grantCtx = (principal: PrincipalId, groupDn: string) => ({ principal, target: { group: groupDn }, leaseId: LeaseId('lease-1'), expiresAt: new Date(Date.now() + 60_000) });
const ref = (principal: PrincipalId, groupDn: string) => ({ principal, target: { group: groupDn } });

runConnectorContract('ldap (slapd)', async () => {
  const target = { group: await group() };
  const peoplePrefix = new RegExp(`^uid=([^,\\\\]+),ou=people,${esc(base)}$`, 'i');
  return {
    connector: connector(),
    principal: alice,
    otherPrincipal: bob,
    target,
    outsideView: async (t) => (await slapd.members(t.group ?? '')).flatMap((dn) => peoplePrefix.exec(dn)?.[1] ?? []),
    missingTarget: { group: `cn=no-such-group,ou=groups,${base}` },
    missingTargetMention: `group cn=no-such-group,ou=groups,${base} does not exist`,
    stopTarget: () => slapd.stop(),
    startTarget: () => slapd.start(),
    unavailableMessage: new RegExp(`^ldap-test: cannot reach LDAP server ${esc(slapd.url)}: connection refused$`),
  };
});

describe('ldap connector: groupOfNames and the placeholder member', () => {
  test('revoking the only real member of a group that also holds the placeholder succeeds and keeps the placeholder', async () => {
    const g = await group(['alice']);
    const c = connector();
    await c.revoke(ref(alice, g));
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn]);
    assert.deepEqual(await c.inspect({ group: g }), []);
  });

  test('revoking the last member of a group without the placeholder puts the placeholder in its place', async () => {
    const g = await group(['alice'], { placeholder: false });
    await connector().revoke(ref(alice, g));
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn]);
  });

  test('without a configured placeholder, revoking the last member fails permanently and says what to configure', async () => {
    const g = await group(['alice'], { placeholder: false });
    const c = createLdapConnector(NAME, { ...config(), placeholderMember: undefined }, { bindPassword: slapd.servicePassword });
    open.push(c);
    await assertConnectorError(c.revoke(ref(alice, g)), {
      retryable: false,
      message: `ldap-test: cannot remove uid=alice,ou=people,${base} from ${g}: it is the last member and the group's object class requires one; set placeholderMember in the connector config`,
    });
    assert.deepEqual(await slapd.members(g), [slapd.userDn('alice')]);
  });

  test('inspect() never reports the placeholder, however the directory spells its DN', async () => {
    const g = await group(['bob']);
    const c = connector({ placeholderMember: `CN=Placeholder, OU=Services, ${base.toUpperCase()}` });
    assert.deepEqual(await c.inspect({ group: g }), [{ principal: 'bob', raw: slapd.userDn('bob'), mapped: true }]);
  });

  test('inspect() reports a member outside the userDn template by its DN', async () => {
    const g = await group(['carol']);
    const stranger = `cn=Stranger,ou=services,${base}`;
    await slapd.ldapmodify(`dn: ${g}\nchangetype: modify\nadd: member\nmember: ${stranger}\n`);
    const holders = await connector().inspect({ group: g });
    assert.deepEqual(
      holders.map((h) => h.principal),
      ['carol', stranger],
    );
  });
});

describe('ldap connector: principal ids that need DN escaping', () => {
  const awkward = ["o'neil, jr", '#hash first', ' leading and trailing ', 'a+b=c', 'semi;colon <angle> "quote"', 'back\\slash', 'zoë 日本'];

  test('each principal id round-trips through grant, the directory, inspect, holds and revoke', async () => {
    await slapd.addUsers(awkward);
    const g = await group();
    const c = connector();
    for (const id of awkward) await c.grant(grantCtx(PrincipalId(id), g));
    const holders = await c.inspect({ group: g });
    assert.deepEqual(holders.map((h) => h.principal).sort(), [...awkward].sort());
    for (const id of awkward) assert.equal(await c.holds(ref(PrincipalId(id), g)), true, id);
    // The directory itself holds the DN of the user's real entry (slapd resolves it via memberof/refint only
    // if it exists, so compare with an independent search by uid).
    for (const id of awkward) {
      const found = await slapd.ldapsearch(['-b', `ou=people,${base}`, '-s', 'one', `(&(uid=${id.replace(/[\\*()]/g, (ch) => `\\${ch.charCodeAt(0).toString(16)}`)})(memberOf=${g}))`, 'dn']);
      assert.match(found, /^dn::? /m, `memberOf of ${JSON.stringify(id)} does not name ${g}`);
    }
    assert.equal((await slapd.members(g)).find((m) => m.startsWith("uid=o'neil")), `uid=o'neil\\2C jr,ou=people,${base}`);
    for (const id of awkward) await c.revoke(ref(PrincipalId(id), g));
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn]);
  });
});

describe('ldap connector: errors', () => {
  test('wrong bind credentials fail permanently, naming the bind DN and never the password', async () => {
    const g = await group();
    const c = connector({}, 'not-the-password');
    const err = await assertConnectorError(c.grant(grantCtx(alice, g)), {
      retryable: false,
      message: `ldap-test: bind as ${slapd.serviceDn} failed: invalid credentials`,
    });
    assert.equal(err.kind, 'target_rejected');
    const everything = JSON.stringify({ message: err.message, stack: err.stack, cause: String(err.cause), causeStack: (err.cause as Error).stack });
    assert.ok(!everything.includes('not-the-password'));
  });

  test('an account without write access to the group fails permanently with insufficient access rights', async () => {
    await slapd.ldapadd(`dn: cn=reader,ou=services,${base}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: reader-secret\n`);
    const g = await group();
    const c = connector({ bindDn: `cn=reader,ou=services,${base}` }, 'reader-secret');
    await assertConnectorError(c.grant(grantCtx(alice, g)), {
      retryable: false,
      message: `ldap-test: cn=reader,ou=services,${base} may not add uid=alice,ou=people,${base} to ${g}: insufficient access rights (grant it write access to member of the group)`,
    });
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn]);
  });

  test('a directory that refuses writes (53) fails grant and revoke permanently, but revoking a non-member still succeeds', async () => {
    const g = await group(['alice']);
    const c = connector();
    await slapd.setReadOnly(true);
    try {
      // 53 is also what AD answers for "not a member": a compare decides.
      await c.revoke(ref(bob, g));
      await assertConnectorError(c.revoke(ref(alice, g)), {
        retryable: false,
        message: `ldap-test: ${slapd.url} is unwilling to remove uid=alice,ou=people,${base} from ${g} (LDAP result 53: operation restricted)`,
      });
      await assertConnectorError(c.grant(grantCtx(bob, g)), {
        retryable: false,
        message: `ldap-test: ${slapd.url} is unwilling to add uid=bob,ou=people,${base} to ${g} (LDAP result 53: operation restricted)`,
      });
    } finally {
      await slapd.setReadOnly(false);
    }
    await c.revoke(ref(alice, g));
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn]);
  });

  test('a group that does not exist fails permanently with "group … does not exist"', async () => {
    const missing = `cn=ghost,ou=groups,${base}`;
    await assertConnectorError(connector().grant(grantCtx(alice, missing)), { retryable: false, message: `ldap-test: group ${missing} does not exist` });
  });

  test('a server that accepts the connection but never answers fails as retryable after the timeout', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const g = `cn=any,ou=groups,${base}`;
      const started = Date.now();
      await assertConnectorError(connector({ url: `ldap://127.0.0.1:${port}`, timeoutMs: 200 }).grant(grantCtx(alice, g)), {
        retryable: true,
        message: `ldap-test: ldap://127.0.0.1:${port} did not answer within 200 ms, could not add uid=alice,ou=people,${base} to ${g}`,
      });
      assert.ok(Date.now() - started < 1500, 'the timeout applies');
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  test('a crashed and restarted server is reconnected to by the same connector', async () => {
    const g = await group();
    const c = connector();
    await c.grant(grantCtx(alice, g));
    await slapd.kill();
    await assertConnectorError(c.holds(ref(alice, g)), { retryable: true, message: /cannot reach LDAP server/ });
    await slapd.start();
    assert.equal(await c.holds(ref(alice, g)), true);
    await c.revoke(ref(alice, g));
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn]);
  });

  test('many concurrent operations on one connector all succeed over one bind', async () => {
    const uids = Array.from({ length: 40 }, (_, i) => `load${i}`);
    await slapd.addUsers(uids);
    const g = await group();
    const tcpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const socketsBefore = tcpSockets();
    const c = connector();
    await Promise.all(uids.map((uid) => c.grant(grantCtx(PrincipalId(uid), g))));
    assert.equal(tcpSockets() - socketsBefore, 1, 'one connection for all operations');
    assert.equal((await slapd.members(g)).length, uids.length + 1);
    await Promise.all(uids.map((uid) => c.revoke(ref(PrincipalId(uid), g))));
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn]);
  });

  test('a closed connector refuses further operations', async () => {
    const c = connector();
    await c.close();
    await assertConnectorError(c.holds(ref(alice, `cn=any,ou=groups,${base}`)), { retryable: false, message: 'ldap-test: the connector is closed' });
  });

  test('an unreadable tls.caFile is reported when the connector is created', () => {
    assert.throws(() => connector({ url: ldapsUrl, tls: { caFile: '/nonexistent/ca.pem', rejectUnauthorized: true } }), (err: unknown) => {
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.retryable, false);
      assert.match(err.message, /^ldap-test: cannot read tls\.caFile \/nonexistent\/ca\.pem: ENOENT/);
      return true;
    });
  });
});

describe('ldap connector: TLS', () => {
  const grantAndRevoke = async (c: Connector): Promise<void> => {
    const g = await group();
    await c.grant(grantCtx(carol, g));
    assert.equal(await c.holds(ref(carol, g)), true);
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn, slapd.userDn('carol')]);
    await c.revoke(ref(carol, g));
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn]);
  };

  test('LDAPS with the CA that signed the server certificate works', async () => {
    await grantAndRevoke(connector({ url: ldapsUrl, tls: { caFile, rejectUnauthorized: true } }));
  });

  test('LDAPS by host name (localhost) with the right CA works', async () => {
    await grantAndRevoke(connector({ url: ldapsUrl.replace('127.0.0.1', 'localhost'), tls: { caFile, rejectUnauthorized: true } }));
  });

  test('StartTLS on the plain port with the right CA works', async () => {
    await grantAndRevoke(connector({ startTls: true, tls: { caFile, rejectUnauthorized: true } }));
  });

  test('a StartTLS connection survives a server restart between two operations', async () => {
    const g = await group();
    const c = connector({ startTls: true, tls: { caFile, rejectUnauthorized: true } });
    await c.grant(grantCtx(carol, g));
    await slapd.stop();
    await slapd.start();
    const started = Date.now();
    assert.equal(await c.holds(ref(carol, g)), true);
    await c.revoke(ref(carol, g));
    assert.ok(Date.now() - started < 500, `reconnecting took ${Date.now() - started} ms`);
    assert.deepEqual(await slapd.members(g), [slapd.placeholderDn]);
  });

  const untrusted = new RegExp(`^ldap-test: TLS certificate of ${esc(ldapsUrl)} is not trusted \\(.+\\): set tls\\.caFile to the PEM file of the CA that signed it$`);

  test('LDAPS without a CA file (system CAs only) is refused with a message about tls.caFile', async () => {
    await assertConnectorError(connector({ url: ldapsUrl }).holds(ref(alice, `cn=any,ou=groups,${base}`)), { retryable: false, message: untrusted });
  });

  test('LDAPS with the wrong CA is refused with a message about tls.caFile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jitd-other-ca-'));
    const other = await createTestCa(dir, 'other-ca');
    await assertConnectorError(connector({ url: ldapsUrl, tls: { caFile: other.certFile, rejectUnauthorized: true } }).holds(ref(alice, `cn=any,ou=groups,${base}`)), {
      retryable: false,
      message: untrusted,
    });
  });

  test('StartTLS without the CA is refused before any credentials are sent', async () => {
    await assertConnectorError(connector({ startTls: true }).holds(ref(alice, `cn=any,ou=groups,${base}`)), {
      retryable: false,
      message: new RegExp(`^ldap-test: TLS certificate of ${esc(slapd.url)} is not trusted`),
    });
  });

  test('a certificate that does not name tls.serverName is refused with a message about tls.serverName', async () => {
    await assertConnectorError(
      connector({ url: ldapsUrl, tls: { caFile, serverName: 'ldap.example.com', rejectUnauthorized: true } }).holds(ref(alice, `cn=any,ou=groups,${base}`)),
      { retryable: false, message: new RegExp(`^ldap-test: TLS certificate of ${esc(ldapsUrl)} does not name the server \\(.+\\): connect by a name in the certificate or set tls\\.serverName$`) },
    );
  });
});

describe('ldap connector: configuration', () => {
  const rejects = (overrides: Partial<LdapConnectorConfig>, message: string): void => {
    assert.throws(() => createLdapConnector(NAME, config(overrides), { bindPassword: 'x' }), (err: unknown) => {
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.retryable, false);
      assert.equal(err.message, message);
      return true;
    });
  };

  test('a userDn template that is not a DN is rejected when the connector is created', () => {
    rejects({ userDn: '{principal}' }, 'ldap-test: userDn "{principal}" is not a valid DN template (e.g. uid={principal},ou=people,dc=example,dc=com)');
    rejects({ userDn: 'uid={principal},cn={principal}' }, 'ldap-test: userDn "uid={principal},cn={principal}" must contain {principal} exactly once');
  });

  test('a placeholderMember that is not a DN is rejected when the connector is created', () => {
    rejects({ placeholderMember: 'placeholder' }, 'ldap-test: placeholderMember "placeholder" is not a DN');
  });
});

describe('ldap connector: targets', () => {
  test('validateTarget accepts a group DN and explains what is wrong otherwise', () => {
    const c = connector();
    assert.deepEqual(c.validateTarget({ group: `cn=admins,ou=groups,${base}` }), []);
    assert.deepEqual(c.validateTarget({ group: 'admins' }), ['group: "admins" is not a valid DN: expected "=" after "admins" at position 7']);
    assert.deepEqual(c.validateTarget({ group: '' }), ['group: Too small: expected string to have >=1 characters']);
    assert.equal(c.validateTarget({}).length, 1);
    assert.match(c.validateTarget({ group: `cn=a,${base}`, role: 'x' })[0] ?? '', /role/);
  });
});
