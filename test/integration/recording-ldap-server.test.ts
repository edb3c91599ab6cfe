// The recording LDAP server (test/fixtures/recording-ldap-server.ts) through ldapts 9, the client jitd uses:
// real LDAPS, real LDAP messages. Each behaviour the AD "PAM" contract tests rely on is pinned here: rootDSE
// and feature detection, bind, search (scopes, filters, aliases, attributes, range retrieval), member
// modifies with AD's result codes, time-bound links and their expiry, the Samba-like mode, and the record.
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client, Control, EqualityFilter } from 'ldapts';
import type { Entry } from 'ldapts';
import { EXTENDED_DN_OID, LINK_TTL_OID, pamFeatureDn, startRecordingLdapServer } from '../fixtures/recording-ldap-server.ts';
import type { RecordingLdapEntry, RecordingLdapServer } from '../fixtures/recording-ldap-server.ts';

const BASE = 'DC=jit,DC=test';
const CONFIG = `CN=Configuration,${BASE}`;
const USERS = `CN=Users,${BASE}`;
const SERVICE = `CN=svc-jitd,${USERS}`;
const PASSWORD = 'correct horse battery staple';
const ALICE = `CN=alice,${USERS}`;
const BOB = `CN=bob,${USERS}`;
const CAROL = `CN=carol,${USERS}`;
const SMITH = `CN=Smith\\, José,${USERS}`;
const ADMINS = `CN=admins,${USERS}`;
const EMPTY = `CN=empty,${USERS}`;
const BIG = `CN=big,${USERS}`;
const ALICE_GUID_BYTES = Buffer.from('c5037f00a1b2ffee0102030405060708', 'hex');
const ALICE_GUID = '<GUID=007f03c5-b2a1-eeff-0102-030405060708>';
const ALICE_SID = '<SID=S-1-5-21-1004336348-1177238915-682003330-1104>';
const BIG_MEMBERS = Array.from({ length: 3200 }, (_, i) => `CN=user${String(i).padStart(4, '0')},${USERS}`);
const T0 = Date.UTC(2026, 0, 1);

const ENTRIES: readonly RecordingLdapEntry[] = [
  { dn: USERS, attributes: { objectClass: ['top', 'container'], cn: 'Users' } },
  { dn: SERVICE, attributes: { objectClass: ['top', 'person', 'user'], sAMAccountName: 'svc-jitd' } },
  {
    dn: ALICE,
    attributes: { objectClass: ['top', 'person', 'user'], sAMAccountName: 'alice', objectGUID: ALICE_GUID_BYTES },
    aliases: [ALICE_GUID, ALICE_SID],
  },
  { dn: BOB, attributes: { objectClass: ['top', 'person', 'user'], sAMAccountName: 'bob' } },
  { dn: CAROL, attributes: { objectClass: ['top', 'person', 'user'], sAMAccountName: 'carol' } },
  { dn: SMITH, attributes: { objectClass: ['top', 'person', 'user'], sAMAccountName: 'jsmith' } },
  { dn: ADMINS, attributes: { objectClass: ['top', 'group'], cn: 'admins', member: [BOB] } },
  { dn: EMPTY, attributes: { objectClass: ['top', 'group'], cn: 'empty' } },
  { dn: BIG, attributes: { objectClass: ['top', 'group'], cn: 'big', member: BIG_MEMBERS } },
];

interface Setup {
  readonly server: RecordingLdapServer;
  readonly client: Client;
  /** Moves the server's clock forward. */
  advance(ms: number): void;
  /** A new bound client. */
  connect(): Promise<Client>;
}

/** A server of its own for one test (≈0.1 s), a bound client, and the clock the server reads. */
async function setup(t: TestContext, pam: boolean): Promise<Setup> {
  let now = T0;
  const server = await startRecordingLdapServer({ pam, baseDn: BASE, bindDn: SERVICE, bindPassword: PASSWORD, entries: ENTRIES, now: () => now });
  const clients: Client[] = [];
  const open = (servername: string | undefined = server.serverName): Client => {
    const client = new Client({ url: server.url, timeout: 5000, tlsOptions: { ca: [readFileSync(server.caFile)], ...(servername ? { servername } : {}) } });
    clients.push(client);
    return client;
  };
  const connect = async (): Promise<Client> => {
    const client = open();
    await client.bind(SERVICE, PASSWORD);
    return client;
  };
  t.after(async () => {
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
    await server.close();
  });
  const client = await connect();
  server.clear();
  return { server, client, connect, advance: (ms) => (now += ms) };
}

const memberChange = (operation: 'add' | 'delete', ...values: string[]): Change =>
  new Change({ operation, modification: new Attribute({ type: 'member', values }) });
const linkTtl = (critical: boolean): Control => new Control(LINK_TTL_OID, { critical });

/** The one entry a base search returns, with only the attributes the server sent (ldapts adds [] for asked-for ones it did not get). */
async function one(client: Client, base: string, attributes: string[] = [], controls: Control[] = []): Promise<Entry> {
  const { searchEntries } = await client.search(base, { scope: 'base', attributes }, controls);
  assert.equal(searchEntries.length, 1);
  const [entry] = searchEntries as [Entry];
  return Object.fromEntries(Object.entries(entry).filter(([, v]) => !(Array.isArray(v) && v.length === 0))) as Entry;
}
async function until(condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 2000; !condition(); await new Promise((resolve) => setTimeout(resolve, 5))) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the server');
  }
}
const list = (value: Entry[string] | undefined): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

describe('rootDSE and feature detection', () => {
  test('a PAM server offers LINK_TTL and the extended-DN control in supportedControl, and names its naming contexts', async (t) => {
    const { client } = await setup(t, true);
    const rootDse = await one(client, '', ['supportedControl', 'defaultNamingContext', 'configurationNamingContext', 'supportedLDAPVersion']);
    assert.ok(list(rootDse.supportedControl).includes(LINK_TTL_OID));
    assert.ok(list(rootDse.supportedControl).includes(EXTENDED_DN_OID));
    assert.equal(rootDse.defaultNamingContext, BASE);
    assert.equal(rootDse.configurationNamingContext, CONFIG);
    assert.equal(rootDse.supportedLDAPVersion, '3');
  });

  test('a Samba-like server offers neither LINK_TTL nor the extended-DN control', async (t) => {
    const { client } = await setup(t, false);
    const rootDse = await one(client, '', ['supportedControl']);
    assert.deepEqual(list(rootDse.supportedControl).filter((oid) => oid === LINK_TTL_OID || oid === EXTENDED_DN_OID), []);
  });

  test('the rootDSE returns only the attributes asked for (any case), every one when none is asked, and none for 1.1', async (t) => {
    const { client } = await setup(t, true);
    assert.deepEqual(Object.keys(await one(client, '', ['DEFAULTNAMINGCONTEXT'])), ['dn', 'defaultNamingContext']);
    assert.deepEqual(Object.keys(await one(client, '')).sort(), ['configurationNamingContext', 'defaultNamingContext', 'dn', 'supportedControl', 'supportedLDAPVersion']);
    assert.deepEqual(Object.keys(await one(client, '', ['1.1'])), ['dn']);
  });

  test('CN=Partitions lists the PAM feature in msDS-EnabledFeature only when pam is on', async (t) => {
    const pam = await setup(t, true);
    const samba = await setup(t, false);
    const partitions = `CN=Partitions,${CONFIG}`;
    assert.equal((await one(pam.client, partitions, ['msDS-EnabledFeature']))['msDS-EnabledFeature'], pamFeatureDn(CONFIG));
    assert.equal(pamFeatureDn(CONFIG), `CN=Privileged Access Management Feature,CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,${CONFIG}`);
    assert.deepEqual(Object.keys(await one(samba.client, partitions, ['msDS-EnabledFeature'])), ['dn']);
  });
});

describe('bind and TLS', () => {
  test('only the configured simple bind is accepted: a wrong password is 49 invalidCredentials, and no password is recorded', async (t) => {
    const { server, connect } = await setup(t, true);
    const client = await connect();
    await assert.rejects(client.bind(SERVICE, 'wrong'), { name: 'InvalidCredentialsError', code: 49 });
    await assert.rejects(client.bind(ALICE, PASSWORD), { name: 'InvalidCredentialsError', code: 49 });
    await client.bind(SERVICE.toLowerCase(), PASSWORD); // DNs compare case-insensitively
    assert.deepEqual(
      server.requests.map((r) => [r.type, r.dn, r.resultCode]),
      [['bind', SERVICE, 0], ['bind', SERVICE, 49], ['bind', ALICE, 49], ['bind', SERVICE.toLowerCase(), 0]],
    );
    assert.ok(!JSON.stringify(server.requests).includes(PASSWORD));
  });

  test('the certificate names only the server name, so a client that does not pass it fails verification', async (t) => {
    const { server } = await setup(t, true);
    assert.equal(server.serverName, 'dc1.jit.test');
    assert.match(server.url, /^ldaps:\/\/127\.0\.0\.1:\d+$/);
    const client = new Client({ url: server.url, timeout: 5000, tlsOptions: { ca: [readFileSync(server.caFile)] } });
    await assert.rejects(client.bind(SERVICE, PASSWORD), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});

describe('search', () => {
  test('scopes base, one and sub select the entries under the base; filters match with case-insensitive attribute names', async (t) => {
    const { client } = await setup(t, true);
    const dns = async (base: string, scope: 'base' | 'one' | 'sub', filter: string): Promise<string[]> =>
      (await client.search(base, { scope, filter, attributes: ['1.1'] })).searchEntries.map((e) => e.dn);
    assert.deepEqual(await dns(USERS, 'base', '(objectClass=*)'), [USERS]);
    assert.deepEqual(await dns(BASE, 'one', '(objectClass=*)'), [CONFIG, USERS]);
    assert.deepEqual(await dns(BASE, 'sub', '(OBJECTCLASS=group)'), [ADMINS, EMPTY, BIG]);
    assert.deepEqual(await dns(BASE, 'sub', '(&(objectClass=user)(|(samaccountname=ALICE)(sAMAccountName=b*)))'), [ALICE, BOB]);
    assert.deepEqual(await dns(BASE, 'sub', `(&(objectClass=group)(member=${BOB.toLowerCase()}))`), [ADMINS]);
    assert.deepEqual(await dns(BASE, 'sub', '(&(objectClass=group)(!(member=*)))'), [EMPTY]);
  });

  test('a search under a base that does not exist is 32 noSuchObject', async (t) => {
    const { client } = await setup(t, true);
    await assert.rejects(client.search(`CN=nobody,${USERS}`, { scope: 'base' }), { name: 'NoSuchObjectError', code: 32, message: `no such object: CN=nobody,${USERS} Code: 0x20` });
  });

  test('an alias (<GUID=…> or <SID=…>) is accepted as search base, and the entry comes back under its DN', async (t) => {
    const { client, server } = await setup(t, true);
    assert.equal((await one(client, ALICE_GUID, ['sAMAccountName'])).dn, ALICE);
    assert.equal((await one(client, ALICE_SID, ['sAMAccountName'])).sAMAccountName, 'alice');
    assert.deepEqual(server.requests.map((r) => r.dn), [ALICE_GUID, ALICE_SID]);
  });

  test('a name that is neither a DN nor an alias is 34 invalidDNSyntax, and the connection stays usable', async (t) => {
    const { client } = await setup(t, true);
    await assert.rejects(client.search('not a dn', { scope: 'base' }), { name: 'InvalidDNSyntaxError', code: 34 });
    await assert.rejects(client.modify('<GUID=unknown>', memberChange('add', ALICE)), { name: 'InvalidDNSyntaxError', code: 34 });
    await assert.rejects(client.bind('alice@jit.test', PASSWORD), { name: 'InvalidCredentialsError', code: 49 });
    await client.bind(SERVICE, PASSWORD);
    assert.equal((await one(client, USERS, ['cn'])).cn, 'Users');
  });

  test('a binary equality filter (objectGUID) matches byte for byte and is recorded with \\xx escapes', async (t) => {
    const { client, server } = await setup(t, true);
    const other = Buffer.from(ALICE_GUID_BYTES);
    other[4] = 0xa2; // same UTF-8 decoding (both invalid), different bytes
    const find = async (guid: Buffer): Promise<string[]> =>
      (await client.search(BASE, { scope: 'sub', filter: new EqualityFilter({ attribute: 'objectGUID', value: guid }), attributes: ['objectGUID'] })).searchEntries.map((e) => e.dn);
    const endsInLeadByte = Buffer.from(ALICE_GUID_BYTES);
    endsInLeadByte[15] = 0xc5; // ldapjs' own filter handling throws on this one (and closes the connection)
    assert.deepEqual(await find(ALICE_GUID_BYTES), [ALICE]);
    assert.deepEqual(await find(other), []);
    assert.deepEqual(await find(endsInLeadByte), []);
    const [first] = server.requests;
    assert.equal(first?.type === 'search' ? first.filter : undefined, '(objectGUID=\\c5\\03\\7f\\00\\a1\\b2\\ff\\ee\\01\\02\\03\\04\\05\\06\\07\\08)');
  });

  test('requested attributes are matched in any case and returned with the entry’s own spelling; binary values stay bytes', async (t) => {
    const { client } = await setup(t, true);
    const alice = await one(client, ALICE, ['SAMACCOUNTNAME', 'objectguid', 'noSuchAttribute']);
    assert.deepEqual(alice, { dn: ALICE, sAMAccountName: 'alice', objectGUID: ALICE_GUID_BYTES });
  });

  test('DNs with escaped commas and non-ASCII characters are returned exactly as stored', async (t) => {
    const { client } = await setup(t, true);
    assert.equal((await one(client, `cn=smith\\2c josé,cn=users,dc=jit,dc=test`, ['1.1'])).dn, SMITH);
  });
});

describe('range retrieval, as AD does for member', () => {
  test('a member attribute of more than 1500 values is returned 1500 at a time: range=0-1499, 1500-2999, then 3000-*', async (t) => {
    const { client } = await setup(t, true);
    const first = await one(client, BIG, ['member']);
    assert.deepEqual(Object.keys(first), ['dn', 'member;range=0-1499']);
    assert.deepEqual(first['member;range=0-1499'], BIG_MEMBERS.slice(0, 1500));
    const all = await one(client, BIG); // no attributes asked: every one, member ranged all the same
    assert.deepEqual(all['member;range=0-1499'], BIG_MEMBERS.slice(0, 1500));
    const second = await one(client, BIG, ['member;range=1500-*']);
    assert.deepEqual(second['member;range=1500-2999'], BIG_MEMBERS.slice(1500, 3000));
    const last = await one(client, BIG, ['member;range=3000-*']);
    assert.deepEqual(last['member;range=3000-*'], BIG_MEMBERS.slice(3000));
    const slice = await one(client, BIG, ['member;range=10-19']);
    assert.deepEqual(slice['member;range=10-19'], BIG_MEMBERS.slice(10, 20));
  });

  test('a group of 1500 or fewer members returns plain member, or member;range=0-* when a range is asked', async (t) => {
    const { client } = await setup(t, true);
    assert.deepEqual(await one(client, ADMINS, ['member']), { dn: ADMINS, member: BOB });
    assert.deepEqual(await one(client, ADMINS, ['member;range=0-*']), { dn: ADMINS, 'member;range=0-*': BOB });
  });
});

describe('modify of member, with AD result codes', () => {
  test('adding and deleting members changes the group, and each modify is recorded with its changes', async (t) => {
    const { client, server } = await setup(t, true);
    await client.modify(ADMINS, memberChange('add', ALICE, CAROL));
    assert.deepEqual(server.members(ADMINS), [BOB, ALICE, CAROL]);
    await client.modify(ADMINS, memberChange('delete', BOB));
    assert.deepEqual(server.members(ADMINS), [ALICE, CAROL]);
    assert.deepEqual(server.requests, [
      { type: 'modify', dn: ADMINS, controls: [], resultCode: 0, changes: [{ operation: 'add', type: 'member', values: [ALICE, CAROL] }] },
      { type: 'modify', dn: ADMINS, controls: [], resultCode: 0, changes: [{ operation: 'delete', type: 'member', values: [BOB] }] },
    ]);
  });

  test('adding a member that is already there is 68 entryAlreadyExists', async (t) => {
    const { client } = await setup(t, true);
    await assert.rejects(client.modify(ADMINS, memberChange('add', BOB.toUpperCase())), { name: 'AlreadyExistsError', code: 68 });
  });

  test('deleting a member that is not there is 53 unwillingToPerform', async (t) => {
    const { client } = await setup(t, true);
    await assert.rejects(client.modify(ADMINS, memberChange('delete', ALICE)), { name: 'UnwillingToPerformError', code: 53 });
  });

  test('deleting from a group that has no members is 16 noSuchAttribute', async (t) => {
    const { client } = await setup(t, true);
    await assert.rejects(client.modify(EMPTY, memberChange('delete', ALICE)), { name: 'NoSuchAttributeError', code: 16 });
  });

  test('a modify of an unknown group, or adding an unknown member, is 32 noSuchObject', async (t) => {
    const { client } = await setup(t, true);
    await assert.rejects(client.modify(`CN=nogroup,${USERS}`, memberChange('add', ALICE)), { name: 'NoSuchObjectError', code: 32 });
    await assert.rejects(client.modify(ADMINS, memberChange('add', `CN=nobody,${USERS}`)), { name: 'NoSuchObjectError', code: 32 });
  });

  test('a modify that fails changes nothing, even where its first change was fine', async (t) => {
    const { client, server } = await setup(t, true);
    await assert.rejects(client.modify(ADMINS, [memberChange('add', ALICE), memberChange('add', BOB)]), { code: 68 });
    assert.deepEqual(server.members(ADMINS), [BOB]);
  });

  test('aliases are accepted as the modified DN and as member values, and a member is stored under its DN', async (t) => {
    const { client, server } = await setup(t, true);
    await client.modify(ADMINS, memberChange('add', ALICE_GUID));
    assert.deepEqual(server.members(ADMINS), [BOB, ALICE]);
    await assert.rejects(client.modify(ADMINS, memberChange('add', ALICE_SID)), { code: 68 });
    await client.modify(ADMINS, memberChange('delete', ALICE_SID));
    assert.deepEqual(server.members(ADMINS), [BOB]);
    await assert.rejects(client.modify(ALICE_GUID, memberChange('delete', BOB)), { code: 16 }); // alice has no members
  });

  test('changing any attribute other than member, or replacing member, is refused with 53', async (t) => {
    const { client } = await setup(t, true);
    const replace = new Change({ operation: 'replace', modification: new Attribute({ type: 'member', values: [ALICE] }) });
    await assert.rejects(client.modify(ADMINS, replace), { code: 53, message: 'this recording server only adds and deletes member values (got replace member) Code: 0x35' });
    const description = new Change({ operation: 'add', modification: new Attribute({ type: 'description', values: ['x'] }) });
    await assert.rejects(client.modify(ADMINS, description), { code: 53 });
  });
});

describe('compare', () => {
  test('compare of member is true for a member (by DN in any case, or alias) and false otherwise', async (t) => {
    const { client, server } = await setup(t, true);
    await client.modify(ADMINS, memberChange('add', ALICE));
    assert.equal(await client.compare(ADMINS, 'member', ALICE.toLowerCase()), true);
    assert.equal(await client.compare(ADMINS, 'member', ALICE_SID), true);
    assert.equal(await client.compare(ALICE_GUID, 'sAMAccountName', 'ALICE'), true);
    assert.equal(await client.compare(ADMINS, 'member', CAROL), false);
    assert.equal(await client.compare(EMPTY, 'member', CAROL), false);
    await assert.rejects(client.compare(`CN=nogroup,${USERS}`, 'member', CAROL), { code: 32 });
    assert.deepEqual(server.requests.at(-2), { type: 'compare', dn: EMPTY, controls: [], resultCode: 5, attribute: 'member', value: CAROL });
  });
});

describe('time-bound links (pam)', () => {
  test('an added <TTL=N,DN> link reads back as <TTL=remaining,DN> with the LINK_TTL control, and as the plain DN without it', async (t) => {
    const { client, server, advance } = await setup(t, true);
    await client.modify(ADMINS, memberChange('add', `<TTL=3600,${ALICE}>`));
    advance(600_000);
    assert.deepEqual((await one(client, ADMINS, ['member'], [linkTtl(true)])).member, [BOB, `<TTL=3000,${ALICE}>`]);
    assert.deepEqual((await one(client, ADMINS, ['member'], [linkTtl(false)])).member, [BOB, `<TTL=3000,${ALICE}>`]);
    assert.deepEqual((await one(client, ADMINS, ['member'])).member, [BOB, ALICE]);
    assert.deepEqual(server.members(ADMINS), [BOB, ALICE]);
  });

  test('a link is gone from search, filters, compare and members() once its TTL has run out', async (t) => {
    const { client, server, advance } = await setup(t, true);
    await client.modify(ADMINS, memberChange('add', `<TTL=60,${ALICE_GUID}>`));
    advance(59_999);
    assert.equal(await client.compare(ADMINS, 'member', ALICE), true);
    assert.deepEqual((await one(client, ADMINS, ['member'], [linkTtl(true)])).member, [BOB, `<TTL=1,${ALICE}>`]);
    advance(1);
    assert.equal(await client.compare(ADMINS, 'member', ALICE), false);
    assert.deepEqual((await one(client, ADMINS, ['member'], [linkTtl(true)])).member, BOB);
    assert.deepEqual((await client.search(BASE, { scope: 'sub', filter: `(member=${ALICE})` })).searchEntries, []);
    assert.deepEqual(server.members(ADMINS), [BOB]);
    await client.modify(ADMINS, memberChange('add', ALICE)); // gone, so adding it again is not 68
  });

  test('adding a TTL link for a DN that already has one sets the new TTL (our assumption about AD)', async (t) => {
    const { client, advance } = await setup(t, true);
    await client.modify(ADMINS, memberChange('add', `<TTL=60,${ALICE}>`));
    advance(30_000);
    await client.modify(ADMINS, memberChange('add', `<TTL=600,${ALICE}>`));
    assert.deepEqual((await one(client, ADMINS, ['member'], [linkTtl(true)])).member, [BOB, `<TTL=600,${ALICE}>`]);
  });

  test('adding a TTL link for a DN that is a permanent member is 68 entryAlreadyExists', async (t) => {
    const { client } = await setup(t, true);
    await assert.rejects(client.modify(ADMINS, memberChange('add', `<TTL=60,${BOB}>`)), { name: 'AlreadyExistsError', code: 68 });
  });

  test('a TTL that is not a whole number of seconds of at least 1 is 34 invalidDNSyntax', async (t) => {
    const { client, server } = await setup(t, true);
    for (const ttl of ['0', '-5', '1.5', 'abc', '']) {
      await assert.rejects(client.modify(ADMINS, memberChange('add', `<TTL=${ttl},${ALICE}>`)), { name: 'InvalidDNSyntaxError', code: 34 });
    }
    assert.deepEqual(server.members(ADMINS), [BOB]);
  });
});

describe('Samba-like (pam off)', () => {
  test('a <TTL=…> member value is 34 invalidDNSyntax', async (t) => {
    const { client } = await setup(t, false);
    await assert.rejects(client.modify(ADMINS, memberChange('add', `<TTL=3600,${ALICE}>`)), {
      name: 'InvalidDNSyntaxError',
      code: 34,
      message: `<TTL=3600,${ALICE}> is not a DN (no time-bound links without the PAM feature) Code: 0x22`,
    });
  });

  test('a critical LINK_TTL control is 12 unavailableCriticalExtension, a non-critical one is ignored', async (t) => {
    const { client } = await setup(t, false);
    await assert.rejects(client.search(ADMINS, { scope: 'base' }, [linkTtl(true)]), { name: 'UnavailableCriticalExtensionError', code: 12 });
    await assert.rejects(client.modify(ADMINS, memberChange('add', ALICE), [linkTtl(true)]), { code: 12 });
    assert.deepEqual((await one(client, ADMINS, ['member'], [linkTtl(false)])).member, BOB);
  });
});

describe('the record', () => {
  test('every request is recorded in order: type, DN as sent, controls with criticality, scope, filter, attributes, result', async (t) => {
    const { server, connect } = await setup(t, true);
    const client = await connect();
    await client.search('', { scope: 'base', attributes: ['supportedControl'] });
    await client.search(BASE, { scope: 'sub', filter: '(&(objectClass=group)(cn=adm*))', attributes: ['cn', 'member'] }, [linkTtl(true)]);
    await client.search(USERS, { scope: 'one', filter: '(sAMAccountName=carol)', attributes: ['1.1'] }, [new Control('2.16.840.1.113730.3.4.2')]);
    await client.modify(ALICE_GUID, memberChange('delete', BOB)).catch(() => undefined);
    await client.compare(ADMINS, 'member', BOB);
    await client.add(`CN=new,${USERS}`, { objectClass: 'user' }).catch(() => undefined);
    await client.unbind();
    await until(() => server.requests.at(-1)?.type === 'unbind'); // an unbind has no response to wait for
    assert.deepEqual(server.requests, [
      { type: 'bind', dn: SERVICE, controls: [], resultCode: 0 },
      { type: 'search', dn: '', controls: [], resultCode: 0, scope: 'base', filter: '(objectclass=*)', attributes: ['supportedControl'] },
      { type: 'search', dn: BASE, controls: [{ oid: LINK_TTL_OID, critical: true }], resultCode: 0, scope: 'sub', filter: '(&(objectClass=group)(cn=adm*))', attributes: ['cn', 'member'] },
      { type: 'search', dn: USERS, controls: [{ oid: '2.16.840.1.113730.3.4.2', critical: false }], resultCode: 0, scope: 'one', filter: '(sAMAccountName=carol)', attributes: ['1.1'] },
      { type: 'modify', dn: ALICE_GUID, controls: [], resultCode: 16, changes: [{ operation: 'delete', type: 'member', values: [BOB] }] },
      { type: 'compare', dn: ADMINS, controls: [], resultCode: 6, attribute: 'member', value: BOB },
      { type: 'other', dn: `CN=new,${USERS}`, controls: [], resultCode: 53, operation: 'AddRequest' },
      { type: 'unbind', dn: '', controls: [], resultCode: undefined },
    ]);
    server.clear();
    assert.deepEqual(server.requests, []);
  });

  test('requests from several connections are all recorded', async (t) => {
    const { server, connect } = await setup(t, true);
    const clients = await Promise.all([connect(), connect(), connect()]);
    await Promise.all(clients.map((c) => c.compare(ADMINS, 'member', BOB)));
    assert.deepEqual(server.requests.map((r) => `${r.type} ${String(r.resultCode)}`).sort(), ['bind 0', 'bind 0', 'bind 0', 'compare 6', 'compare 6', 'compare 6']);
  });
});
