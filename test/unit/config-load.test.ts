import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.ts';
import type { JitdConfig } from '../../src/config/types.ts';
import { ConnectorName, RoleName } from '../../src/core/ids.ts';
import { TempConfigs, yaml } from '../fixtures/configs/temp-config.ts';

const fixtures = fileURLToPath(new URL('../fixtures/configs/', import.meta.url));
const configs = new TempConfigs();
after(() => configs.cleanup());

describe('loadConfig with a valid file', () => {
  test('a config that sets every field loads into the expected JitdConfig', async () => {
    const file = path.join(fixtures, 'full.yaml');
    const { config, issues } = await loadConfig(file, { env: { JITD_LDAP_PASSWORD: 'secret' } });
    assert.deepEqual(issues, []);
    const expected: JitdConfig = {
      source: file,
      server: {
        host: '::1',
        port: 9443,
        tls: { certFile: path.join(fixtures, 'tls/cert.pem'), keyFile: '/etc/jitd/key.pem' },
        bodyLimitBytes: 1_048_576,
        publicUrl: 'https://jitd.example.test',
        sessionRecordingLimitBytes: 1_048_576,
      },
      dataDir: path.join(fixtures, 'state'),
      store: { type: 'sqlite', path: path.join(fixtures, 'state/db/jitd.sqlite') },
      identities: {
        tokens: [
          {
            principal: 'alice',
            displayName: 'Alice Admin',
            groups: ['ops', 'jitd-admins'],
            tokenSha256: '10fe24a75b300e787dcd965dd547e18d561b688877428161ebdde3149430bdba',
          },
          { principal: 'bob', groups: [], tokenSha256: '3af3645f8d45bbf65decdb11954254d92c485a1e08f25f0ea824565eb95e6724' },
        ],
      },
      authorization: { admins: ['group:jitd-admins'], auditors: ['group:security', 'user:eve'] },
      scheduler: {
        pollIntervalMs: 1_500,
        batchSize: 50,
        grantTimeoutMs: 45_000,
        overdueAfterMs: 120_000,
        retry: { initialDelayMs: 2_000, maxDelayMs: 600_000, factor: 3, jitter: 0.1 },
      },
      reconciler: { enabled: false, intervalMs: 3_600_000 },
      notifications: { webhooks: [], securityContacts: [], pollIntervalMs: 1_000, retry: { initialDelayMs: 10_000, maxDelayMs: 600_000, factor: 2, jitter: 0.2 } },
      log: { level: 'debug' },
      connectors: new Map([
        [
          ConnectorName('corp-ldap'),
          {
            type: 'ldap',
            url: 'ldaps://ldap.example.org:636',
            startTls: false,
            tls: { caFile: path.join(fixtures, 'tls/ca.pem'), serverName: 'ldap.internal', rejectUnauthorized: true },
            bindDn: 'cn=jitd,dc=example,dc=org',
            bindPassword: { env: 'JITD_LDAP_PASSWORD' },
            userDn: 'uid={principal},ou=people,dc=example,dc=org',
            placeholderMember: 'cn=placeholder,dc=example,dc=org',
            timeoutMs: 1_500,
          },
        ],
        [
          ConnectorName('lab-ldap'),
          {
            type: 'ldap',
            url: 'ldap://127.0.0.1:389',
            startTls: true,
            tls: { rejectUnauthorized: true },
            bindDn: 'cn=admin,dc=lab',
            bindPassword: { file: 'secrets/ldap-password' },
            userDn: 'uid={principal},dc=lab',
            timeoutMs: 5_000,
          },
        ],
      ]),
      roles: [
        {
          name: RoleName('domain-admins'),
          description: 'Domain administrators',
          connector: ConnectorName('corp-ldap'),
          target: { group: 'cn=Domain Admins,ou=groups,dc=example,dc=org' },
          eligible: ['group:ops', 'user:alice'],
          approval: { mode: 'auto' },
          defaultDurationMs: 3_600_000,
          maxDurationMs: 14_400_000,
          requireReason: false,
          ticketPattern: 'INC-\\d+',
          enforce: true,
          breakGlass: false,
          maxExtendedDurationMs: 14_400_000,
        },
        {
          name: RoleName('db-owner'),
          connector: ConnectorName('lab-ldap'),
          target: { group: 'cn=db,dc=lab' },
          eligible: ['group:ops'],
          approval: { mode: 'auto' },
          defaultDurationMs: 1_800_000,
          maxDurationMs: 1_800_000,
          requireReason: true,
          enforce: false,
          breakGlass: false,
          maxExtendedDurationMs: 1_800_000,
        },
      ],
    };
    assert.deepEqual(config, expected);
  });

  test('a file with only the version gets every default, paths next to the config file', async () => {
    const file = await configs.write(yaml('version: 1'));
    const dir = path.dirname(file);
    const { config, issues } = await loadConfig(file, { env: {} });
    assert.deepEqual(issues, []);
    assert.deepEqual(config, {
      source: file,
      server: { host: '127.0.0.1', port: 8080, bodyLimitBytes: 65_536, publicUrl: 'http://127.0.0.1:8080', sessionRecordingLimitBytes: 16_777_216 },
      dataDir: path.join(dir, 'data'),
      store: { type: 'sqlite', path: path.join(dir, 'data', 'jitd.sqlite') },
      identities: { tokens: [] },
      authorization: { admins: [], auditors: [] },
      scheduler: {
        pollIntervalMs: 250,
        batchSize: 500,
        grantTimeoutMs: 30_000,
        overdueAfterMs: 60_000,
        retry: { initialDelayMs: 1_000, maxDelayMs: 300_000, factor: 2, jitter: 0.2 },
      },
      reconciler: { enabled: true, intervalMs: 300_000 },
      notifications: { webhooks: [], securityContacts: [], pollIntervalMs: 1_000, retry: { initialDelayMs: 10_000, maxDelayMs: 600_000, factor: 2, jitter: 0.2 } },
      log: { level: 'info' },
      connectors: new Map(),
      roles: [],
    } satisfies JitdConfig);
  });

  test('a role and a connector that set only required fields get their defaults', async () => {
    const { config, issues } = await configs.load(
      yaml(
        'version: 1',
        'connectors:',
        '  dir: { type: ldap, url: "ldap://localhost:389", bindDn: cn=a, bindPassword: { env: PW }, userDn: "uid={principal}" }',
        'roles:',
        '  short: { connector: dir, group: cn=g, maxDuration: 20m, eligible: [user:a], approval: auto }',
        '  long: { connector: dir, group: cn=h, maxDuration: 2d, eligible: [user:a], approval: auto }',
      ),
      { PW: 'pw' },
    );
    assert.deepEqual(issues, []);
    assert.deepEqual(config?.connectors.get(ConnectorName('dir')), {
      type: 'ldap',
      url: 'ldap://localhost:389',
      startTls: false,
      tls: { rejectUnauthorized: true },
      bindDn: 'cn=a',
      bindPassword: { env: 'PW' },
      userDn: 'uid={principal}',
      timeoutMs: 5_000,
    });
    const [short, long] = config?.roles ?? [];
    assert.deepEqual(short, {
      name: 'short',
      connector: 'dir',
      target: { group: 'cn=g' },
      eligible: ['user:a'],
      approval: { mode: 'auto' },
      defaultDurationMs: 1_200_000,
      maxDurationMs: 1_200_000,
      requireReason: true,
      enforce: false,
      breakGlass: false,
      maxExtendedDurationMs: 1_200_000,
    });
    assert.equal(long?.defaultDurationMs, 3_600_000, 'defaultDuration is 1h when maxDuration is longer');
  });

  test('roles can share fields through a YAML anchor and merge key', async () => {
    const { config, issues } = await configs.load(
      yaml(
        'version: 1',
        'connectors:',
        '  dir: { type: ldap, url: "ldap://localhost", bindDn: cn=a, bindPassword: { env: PW }, userDn: "uid={principal}" }',
        'roles:',
        '  first: &ops-role { connector: dir, group: cn=first, maxDuration: 1h, eligible: [group:ops], approval: auto }',
        '  second:',
        '    <<: *ops-role',
        '    group: cn=second',
      ),
      { PW: 'pw' },
    );
    assert.deepEqual(issues, []);
    assert.deepEqual(
      config?.roles.map((role) => [role.name, role.target.group, role.maxDurationMs]),
      [
        ['first', 'cn=first', 3_600_000],
        ['second', 'cn=second', 3_600_000],
      ],
    );
  });

  test('empty connectors and roles sections are allowed', async () => {
    const { config, issues } = await configs.load(yaml('version: 1', 'connectors:', 'roles:'));
    assert.deepEqual(issues, []);
    assert.equal(config?.roles.length, 0);
    assert.equal(config?.connectors.size, 0);
  });

  test('a relative config path is made absolute and relative paths in it follow the file', async () => {
    const file = await configs.write(yaml('version: 1', 'dataDir: /var/lib/jitd', 'store: { path: /srv/jitd.sqlite }'));
    const { config } = await loadConfig(path.relative(process.cwd(), file), { env: {} });
    assert.equal(config?.source, file);
    assert.equal(config?.dataDir, '/var/lib/jitd');
    assert.equal(config?.store.path, '/srv/jitd.sqlite');
  });

  test('a secret file relative to the config file is found', async () => {
    const { issues } = await configs.load(
      yaml(
        'version: 1',
        'connectors:',
        '  dir: { type: ldap, url: "ldap://localhost", bindDn: cn=a, bindPassword: { file: pw.txt }, userDn: "uid={principal}" }',
      ),
      {},
      { 'pw.txt': 'pw\n' },
    );
    assert.deepEqual(issues, []);
  });
});
