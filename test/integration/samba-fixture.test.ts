// The Samba AD DC fixture itself: what the AD connector's tests rely on it for.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Attribute, Change, Client } from 'ldapts';
import { startSambaDc } from '../fixtures/samba.ts';
import type { SambaDc } from '../fixtures/samba.ts';

async function ldapsClient(dc: SambaDc, dn: string, password: string): Promise<Client> {
  const client = new Client({ url: dc.ldapsUrl, timeout: 10_000, tlsOptions: { ca: await readFile(dc.caFile), servername: dc.serverName } });
  await client.bind(dn, password);
  return client;
}

function addMember(client: Client, groupDn: string, memberDn: string): Promise<void> {
  return client.modify(groupDn, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [memberDn] }) }));
}

describe('Samba AD DC fixture', () => {
  let dc: SambaDc;
  before(async () => {
    dc = await startSambaDc();
  });
  after(async () => {
    await dc?.destroy();
  });

  test('the DC accepts an LDAPS bind verified against its CA under its certificate name, on a non-default loopback address', async () => {
    assert.match(dc.host, /^127\.\d+\.\d+\.\d+$/);
    assert.notEqual(dc.host, '127.0.0.1');
    const client = await ldapsClient(dc, dc.adminDn, dc.adminPassword);
    const { searchEntries } = await client.search('', { scope: 'base', attributes: ['defaultNamingContext'] });
    assert.equal(searchEntries[0]?.defaultNamingContext, dc.baseDn);
    await client.unbind();
  });

  test('the password files hold the passwords, and the service account binds over StartTLS on the plain LDAP port', async () => {
    assert.equal(await readFile(dc.servicePasswordFile, 'utf8'), dc.servicePassword);
    assert.equal(await readFile(dc.adminPasswordFile, 'utf8'), dc.adminPassword);
    const client = new Client({ url: dc.ldapUrl, timeout: 10_000 });
    await client.startTLS({ ca: await readFile(dc.caFile), servername: dc.serverName });
    await client.bind(dc.serviceDn, dc.servicePassword);
    await client.unbind();
  });

  test('big-group has all its members, read back complete by members()', async () => {
    const members = await dc.members(dc.groups.big);
    assert.equal(members.length, dc.bigGroupSize);
    assert.equal(dc.bigGroupSize, 1600);
    assert.ok(members.includes(dc.userDn('user1600')));
  });

  test('the service account may change members of jit-ops but is refused (50) on Domain Admins', async () => {
    const client = await ldapsClient(dc, dc.serviceDn, dc.servicePassword);
    try {
      await addMember(client, dc.groups.ops, dc.userDn('alice'));
      assert.deepEqual(await dc.members(dc.groups.ops), [dc.userDn('alice')]);
      assert.deepEqual(await dc.memberOf(dc.userDn('alice')), [dc.groups.ops]);
      await assert.rejects(addMember(client, dc.groups.domainAdmins, dc.userDn('alice')), { code: 50 });
    } finally {
      await client.unbind();
      await dc.removeMember(dc.groups.ops, dc.userDn('alice'));
    }
    assert.deepEqual(await dc.members(dc.groups.ops), []);
  });

  test('created users and groups exist and membership changes made by the harness read back', async () => {
    const group = await dc.createGroup('fixture-made');
    const user = await dc.createUser('erin');
    assert.equal(user, dc.userDn('erin'));
    await dc.addMember(group, user);
    await dc.addMember(group, dc.userDn('bob'));
    assert.deepEqual((await dc.members(group)).sort(), [dc.userDn('bob'), user].sort());
    await dc.removeMember(group, dc.userDn('bob'));
    assert.deepEqual(await dc.members(group), [user]);
  });

  test('data survives stop and start on the same address, and after a kill', async () => {
    const group = await dc.createGroup('survivor');
    await dc.addMember(group, dc.userDn('carol'));
    const host = dc.host;
    await dc.stop();
    await dc.start();
    assert.equal(dc.host, host);
    assert.deepEqual(await dc.members(group), [dc.userDn('carol')]);
    await dc.kill();
    await dc.start();
    const client = await ldapsClient(dc, dc.adminDn, dc.adminPassword);
    assert.equal(await client.compare(group, 'member', dc.userDn('carol')), true);
    await client.unbind();
  });

  test('two DCs run side by side with separate data, and destroy removes a DC and its directory', async () => {
    const second = await startSambaDc();
    try {
      assert.notEqual(second.host, dc.host);
      await second.addMember(second.groups.ops, second.userDn('dave'));
      assert.deepEqual(await second.members(second.groups.ops), [second.userDn('dave')]);
      assert.deepEqual(await dc.members(dc.groups.ops), []);
    } finally {
      await second.destroy();
    }
    assert.equal(existsSync(second.dir), false);
    await assert.rejects(ldapsClient(second, second.adminDn, second.adminPassword));
  });
});
