// Contract test of the AD connector's time-bound membership (the PAM optional feature of Windows Server
// 2016+ forests), which no DC reachable here implements (Samba rejects it, see ad-connector.test.ts). The
// connector talks real LDAPS to test/fixtures/recording-ldap-server.ts, which speaks the LDAP wire format,
// behaves like a PAM-enabled DC for these operations and records every request; the tests assert the
// exact messages: how the feature is detected, and the `<TTL=seconds,DN>` member value a grant writes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { createAdConnector } from '../../src/connectors/ad/connector.ts';
import type { AdConnector } from '../../src/connectors/ad/connector.ts';
import { guidToBytes } from '../../src/connectors/ad/binary-ids.ts';
import { ConnectorError } from '../../src/connectors/connector.ts';
import type { AdConnectorConfig } from '../../src/config/types.ts';
import { ConnectorName, LeaseId, PrincipalId } from '../../src/core/ids.ts';
import { LINK_TTL_OID, startRecordingLdapServer } from '../fixtures/recording-ldap-server.ts';
import type { RecordedRequest, RecordingLdapServer } from '../fixtures/recording-ldap-server.ts';

const BASE = 'DC=jit,DC=test';
const CONFIG_NC = `CN=Configuration,${BASE}`;
const SERVICE = `CN=svc-jitd,CN=Users,${BASE}`;
const PASSWORD = 'contract-test-password';
const ALICE = `CN=Alice Smith,CN=Users,${BASE}`;
const ALICE_GUID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const OPS = `CN=jit-ops,OU=Groups,${BASE}`;
const OPS_GUID = '11111111-2222-3333-4444-555555555555';
const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);
const HOUR = 3_600_000;

const guidBytes = (guid: string): Buffer => {
  const bytes = guidToBytes(guid);
  assert.ok(bytes);
  return bytes;
};

interface Setup {
  readonly server: RecordingLdapServer;
  readonly connector: AdConnector;
  advance(ms: number): void;
}

async function setup(t: TestContext, pam: boolean, timeBoundMembership: AdConnectorConfig['timeBoundMembership'] = 'auto'): Promise<Setup> {
  let now = T0;
  const server = await startRecordingLdapServer({
    pam,
    baseDn: BASE,
    bindDn: SERVICE,
    bindPassword: PASSWORD,
    now: () => now,
    entries: [
      { dn: `CN=Users,${BASE}`, attributes: { objectClass: ['top', 'container'] } },
      { dn: `OU=Groups,${BASE}`, attributes: { objectClass: ['top', 'organizationalUnit'] } },
      { dn: SERVICE, attributes: { objectClass: ['top', 'person', 'user'], sAMAccountName: 'svc-jitd', sAMAccountType: '805306368' } },
      {
        dn: ALICE,
        attributes: { objectClass: ['top', 'person', 'user'], sAMAccountName: 'alice', sAMAccountType: '805306368', objectGUID: guidBytes(ALICE_GUID) },
        aliases: [`<GUID=${ALICE_GUID}>`],
      },
      {
        dn: OPS,
        attributes: { objectClass: ['top', 'group'], sAMAccountName: 'jit-ops', objectGUID: guidBytes(OPS_GUID) },
        aliases: [`<GUID=${OPS_GUID}>`],
      },
    ],
  });
  const connector = createAdConnector(
    ConnectorName('corp'),
    {
      type: 'ad',
      url: server.url,
      startTls: false,
      tls: { caFile: server.caFile, serverName: server.serverName, rejectUnauthorized: true },
      bindDn: SERVICE,
      bindPassword: { env: 'UNUSED' },
      principalAttribute: 'sAMAccountName',
      timeBoundMembership,
      maxTicketLifetimeMs: 10 * HOUR,
      timeoutMs: 5_000,
    },
    { bindPassword: PASSWORD },
    { now: () => now },
  );
  t.after(async () => {
    await connector.close();
    await server.close();
  });
  return { server, connector, advance: (ms) => (now += ms) };
}

const grant = (connector: AdConnector, expiresAt: Date): Promise<unknown> =>
  connector.grant({ principal: PrincipalId('alice'), target: { group: 'jit-ops' }, leaseId: LeaseId('lease-1'), expiresAt });
const holds = (connector: AdConnector): Promise<boolean> => connector.holds({ principal: PrincipalId('alice'), target: { group: 'jit-ops' } });

const searches = (requests: readonly RecordedRequest[]) => requests.filter((r) => r.type === 'search');
const modifies = (requests: readonly RecordedRequest[]) => requests.filter((r) => r.type === 'modify');

describe('AD time-bound membership (contract test against a recording LDAP server)', () => {
  test('on a PAM forest, detection reads supportedControl from the rootDSE and msDS-EnabledFeature from CN=Partitions', async (t) => {
    const { server, connector } = await setup(t, true);
    await connector.prepare?.();
    const [rootDse, partitions] = searches(server.requests);
    assert.deepEqual(
      { dn: rootDse?.dn, scope: rootDse?.scope, attributes: rootDse?.attributes },
      { dn: '', scope: 'base', attributes: ['supportedControl', 'configurationNamingContext'] },
    );
    assert.deepEqual({ dn: partitions?.dn, scope: partitions?.scope, attributes: partitions?.attributes }, { dn: `CN=Partitions,${CONFIG_NC}`, scope: 'base', attributes: ['msDS-EnabledFeature'] });
    assert.deepEqual(connector.timeBound(), { available: true, reason: 'the Privileged Access Management optional feature is enabled' });
    assert.equal(connector.capabilities.nativeExpiry, true);
    assert.equal(connector.residualAccess?.({ group: 'jit-ops' })?.upToMs, 0);
  });

  test('a grant writes one modify of the group (by GUID) adding <TTL=seconds-to-expiry,account DN>, and the DC ends it itself', async (t) => {
    const { server, connector, advance } = await setup(t, true);
    await connector.prepare?.();
    server.clear();
    await grant(connector, new Date(T0 + HOUR));
    assert.deepEqual(
      modifies(server.requests).map((m) => ({ dn: m.dn, changes: m.changes, controls: m.controls })),
      [{ dn: `<GUID=${OPS_GUID}>`, changes: [{ operation: 'add', type: 'member', values: [`<TTL=3600,${ALICE}>`] }], controls: [] }],
    );
    assert.deepEqual(server.members(OPS), [ALICE]);
    assert.equal(await holds(connector), true);

    // jitd is "down": nothing revokes. The directory removes the link when its TTL runs out.
    advance(HOUR - 1_000);
    assert.deepEqual(server.members(OPS), [ALICE]);
    advance(1_000);
    assert.deepEqual(server.members(OPS), []);
    assert.equal(await holds(connector), false);
  });

  test('the scheduler revocation stays the second line: revoke removes the time-bound link before it runs out', async (t) => {
    const { server, connector } = await setup(t, true);
    await grant(connector, new Date(T0 + 4 * HOUR));
    server.clear();
    await connector.revoke({ principal: PrincipalId('alice'), target: { group: 'jit-ops' } });
    assert.deepEqual(
      modifies(server.requests).map((m) => m.changes),
      [[{ operation: 'delete', type: 'member', values: [`<GUID=${ALICE_GUID}>`] }]],
    );
    assert.deepEqual(server.members(OPS), []);
    assert.equal(await holds(connector), false);
  });

  test('without the feature (as on Samba) the member value is the account by GUID, with no TTL, and tickets may outlive the lease', async (t) => {
    const { server, connector } = await setup(t, false);
    await grant(connector, new Date(T0 + HOUR));
    assert.deepEqual(
      modifies(server.requests).map((m) => m.changes),
      [[{ operation: 'add', type: 'member', values: [`<GUID=${ALICE_GUID}>`] }]],
    );
    assert.deepEqual(connector.timeBound(), { available: false, reason: `the domain controller does not offer the LINK_TTL control (${LINK_TTL_OID})` });
    assert.equal(connector.capabilities.nativeExpiry, false);
    assert.equal(connector.residualAccess?.({ group: 'jit-ops' })?.upToMs, 10 * HOUR);
  });

  test('timeBoundMembership: required refuses a grant where the feature is missing, and changes nothing', async (t) => {
    const { server, connector } = await setup(t, false, 'required');
    await assert.rejects(grant(connector, new Date(T0 + HOUR)), (err: unknown) => {
      assert.ok(err instanceof ConnectorError);
      assert.equal(err.retryable, false);
      assert.equal(err.message, `corp: timeBoundMembership is required but the domain controller does not offer the LINK_TTL control (${LINK_TTL_OID})`);
      return true;
    });
    assert.deepEqual(modifies(server.requests), []);
  });

  test('timeBoundMembership: off never asks the DC and writes no TTL, even on a PAM forest', async (t) => {
    const { server, connector } = await setup(t, true, 'off');
    await grant(connector, new Date(T0 + HOUR));
    // (The rootDSE is still read once, for defaultNamingContext, since no baseDn is configured.)
    assert.equal(
      searches(server.requests).some((s) => s.attributes.includes('supportedControl') || s.dn.startsWith('CN=Partitions')),
      false,
    );
    assert.deepEqual(
      modifies(server.requests).map((m) => m.changes),
      [[{ operation: 'add', type: 'member', values: [`<GUID=${ALICE_GUID}>`] }]],
    );
  });
});
