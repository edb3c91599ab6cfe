// Each kind of mistake in jitd.yaml, with the exact line `jitd config check` prints for it.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { formatIssue } from '../../src/config/issue.ts';
import { loadConfig } from '../../src/config/load.ts';
import { TempConfigs, yaml } from '../fixtures/configs/temp-config.ts';

const configs = new TempConfigs();
after(() => configs.cleanup());

const HASH_A = '10fe24a75b300e787dcd965dd547e18d561b688877428161ebdde3149430bdba';
const HASH_B = '3af3645f8d45bbf65decdb11954254d92c485a1e08f25f0ea824565eb95e6724';
const ROLE_FIELDS = 'approval, breakGlass, connector, defaultDuration, description, eligible, enforce, group, limits, maxDuration, maxExtendedDuration, requireReason, ticketPattern';
/** Without a known connector, a role may have the target fields of any kind. */
const ROLE_FIELDS_ANY_KIND = 'approval, breakGlass, connector, defaultDuration, description, eligible, endSessionsAtExpiry, enforce, extensions, group, host, limits, login, maxDuration, maxExtendedDuration, port, principals, recordSessions, requireReason, sourceAddress, ticketPattern';
const DURATION_HINT = 'is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)';

/** Lines 1–8: a valid config with connector `corp-ldap`; roles follow from line 9. */
const WITH_CONNECTOR = [
  'version: 1',
  'connectors:',
  '  corp-ldap:',
  '    type: ldap',
  '    url: ldap://127.0.0.1:389',
  '    bindDn: cn=jitd,dc=example,dc=org',
  '    bindPassword: { env: JITD_LDAP_PASSWORD }',
  '    userDn: "uid={principal},ou=people,dc=example,dc=org"',
];
const ENV = { JITD_LDAP_PASSWORD: 'secret' };

/** Lines 9–14 of a role `db-owner` on corp-ldap; `overrides` replace or add fields (in place, keeping line numbers). */
function dbOwnerRole(overrides: Readonly<Record<string, string>> = {}): string[] {
  const fields: Record<string, string> = {
    connector: 'corp-ldap',
    group: '"cn=db,ou=groups,dc=example,dc=org"',
    maxDuration: '4h',
    eligible: '[group:ops]',
    approval: 'auto',
    ...overrides,
  };
  return ['roles:', '  db-owner:', ...Object.entries(fields).map(([key, value]) => `    ${key}: ${value}`)];
}

describe('loadConfig reports problems with their place in the file', () => {
  test('the base config used below is valid', async () => {
    assert.deepEqual(await configs.problems(yaml(...WITH_CONNECTOR, ...dbOwnerRole()), ENV), []);
  });

  test('malformed YAML is reported at the parser position, and nothing else is checked', async () => {
    const problems = await configs.problems(yaml('version: 1', 'roles:', '  db-owner: [user:a', 'log: { level: loud }'));
    assert.deepEqual(problems, ['jitd.yaml:4:1 YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']);
  });

  test('a key defined twice in a mapping is reported at its second definition', async () => {
    const problems = await configs.problems(yaml('version: 1', 'server:', '  listen: 127.0.0.1:8080', '  listen: 127.0.0.1:9090'));
    assert.deepEqual(problems, ['jitd.yaml:4:3 server.listen: duplicate key (first defined on line 3)']);
  });

  test('an unknown top-level field names the valid ones', async () => {
    const problems = await configs.problems(yaml('version: 1', 'rolez: {}'));
    assert.deepEqual(problems, [
      'jitd.yaml:2:1 rolez: unknown field "rolez" (valid fields: authorization, connectors, dataDir, identities, log, notifications, reconciler, roles, scheduler, server, store, version)',
    ]);
  });

  test("an unknown role field names the role's fields, target fields included", async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR, ...dbOwnerRole({ maxDuraton: '8h' })), ENV);
    assert.deepEqual(problems, [`jitd.yaml:16:5 roles.db-owner.maxDuraton: unknown field "maxDuraton" (valid fields: ${ROLE_FIELDS})`]);
  });

  test('an unknown field is found in a role whose connector is missing too', async () => {
    const problems = await configs.problems(yaml('version: 1', 'roles:', '  r:', '    maxDuraton: 1h', '    group: cn=g'));
    assert.deepEqual(problems, [
      'jitd.yaml:3:3 roles.r.connector: is required',
      'jitd.yaml:3:3 roles.r.maxDuration: is required',
      'jitd.yaml:3:3 roles.r.eligible: is required',
      'jitd.yaml:3:3 roles.r.approval: is required',
      `jitd.yaml:4:5 roles.r.maxDuraton: unknown field "maxDuraton" (valid fields: ${ROLE_FIELDS_ANY_KIND})`,
    ]);
  });

  test("an unknown connector field names the connector kind's fields, at any depth", async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR, '    bindPasword: x', '    tls: { caFile: ca.pem, verify: false }'), ENV);
    assert.deepEqual(problems, [
      'jitd.yaml:9:5 connectors.corp-ldap.bindPasword: unknown field "bindPasword" (valid fields: bindDn, bindPassword, placeholderMember, startTls, timeout, tls, type, url, userDn)',
      'jitd.yaml:10:28 connectors.corp-ldap.tls.verify: unknown field "verify" (valid fields: caFile, rejectUnauthorized, serverName)',
    ]);
  });

  test('a bad duration says what a duration looks like', async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR, ...dbOwnerRole({ maxDuration: '90x' })), ENV);
    assert.deepEqual(problems, [`jitd.yaml:13:18 roles.db-owner.maxDuration: "90x" ${DURATION_HINT}`]);
  });

  test('a number where a duration is expected, and a bad connector timeout, are bad durations', async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR, '    timeout: 5 s', 'scheduler: { pollInterval: 250 }'), ENV);
    assert.deepEqual(problems, [
      `jitd.yaml:9:14 connectors.corp-ldap.timeout: "5 s" ${DURATION_HINT}`,
      `jitd.yaml:10:28 scheduler.pollInterval: 250 ${DURATION_HINT}`,
    ]);
  });

  test('a default duration longer than the maximum is reported on defaultDuration', async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR, ...dbOwnerRole({ defaultDuration: '8h' })), ENV);
    assert.deepEqual(problems, ['jitd.yaml:16:22 roles.db-owner.defaultDuration: "8h" is longer than maxDuration "4h"']);
  });

  test('role durations shorter than a second are refused', async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR, ...dbOwnerRole({ maxDuration: '500ms' })), ENV);
    assert.deepEqual(problems, ['jitd.yaml:13:18 roles.db-owner.maxDuration: must be at least 1s']);
  });

  test('a role naming an undeclared connector lists the declared ones', async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR, ...dbOwnerRole({ connector: 'corp-ldpa' })), ENV);
    assert.deepEqual(problems, ['jitd.yaml:11:16 roles.db-owner.connector: unknown connector "corp-ldpa" (declared connectors: corp-ldap)']);
  });

  test('a role naming a connector when none are declared says so', async () => {
    const problems = await configs.problems(yaml('version: 1', ...dbOwnerRole()));
    assert.deepEqual(problems, ['jitd.yaml:4:16 roles.db-owner.connector: unknown connector "corp-ldap" (no connectors are declared)']);
  });

  test('a subject that is not user:NAME or group:NAME is reported wherever subjects are listed', async () => {
    const problems = await configs.problems(
      yaml('version: 1', 'authorization:', '  admins: [jitd-admins]', '  auditors: [group:security, "users:eve"]', ...WITH_CONNECTOR.slice(1), ...dbOwnerRole({ eligible: '[group:ops, alice]', approval: '{ required: 1, from: [carol] }' })),
      ENV,
    );
    assert.deepEqual(problems, [
      'jitd.yaml:3:12 authorization.admins[0]: "jitd-admins" is not user:NAME or group:NAME',
      'jitd.yaml:4:30 authorization.auditors[1]: "users:eve" is not user:NAME or group:NAME',
      'jitd.yaml:17:27 roles.db-owner.eligible[1]: "alice" is not user:NAME or group:NAME',
      'jitd.yaml:18:37 roles.db-owner.approval.from[0]: "carol" is not user:NAME, group:NAME or manager',
    ]);
  });

  test('a missing required field is reported at the mapping that lacks it', async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR.slice(0, 6), '    userDn: "uid={principal}"', 'roles:', '  db-owner:', '    connector: corp-ldap', '    maxDuration: 1h', '    eligible: [user:a]', '    approval: auto'), ENV);
    assert.deepEqual(problems, ['jitd.yaml:3:3 connectors.corp-ldap.bindPassword: is required', 'jitd.yaml:9:3 roles.db-owner.group: is required']);
  });

  test('a missing version is reported at the top of the file, an unsupported one at its value', async () => {
    assert.deepEqual(await configs.problems(yaml('log: { level: info }')), ['jitd.yaml:1:1 version: is required (version: 1)']);
    assert.deepEqual(await configs.problems(yaml('version: 2')), ['jitd.yaml:1:10 version: 2 is not a supported version (this jitd reads version 1)']);
  });

  test('manual approval needs at least one approval from at least one subject', async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR, ...dbOwnerRole({ approval: '{ required: 0, from: [] }' })), ENV);
    assert.deepEqual(problems, ['jitd.yaml:15:27 roles.db-owner.approval.required: must be at least 1', 'jitd.yaml:15:36 roles.db-owner.approval.from: must list at least one user:NAME, group:NAME or manager']);
    const other = await configs.problems(yaml(...WITH_CONNECTOR, ...dbOwnerRole({ approval: 'manual' })), ENV);
    assert.deepEqual(other, ['jitd.yaml:15:15 roles.db-owner.approval: must be auto or { required: N, from: [user:NAME, group:NAME, manager, …], timeout: DURATION }']);
  });

  test('a ticket pattern that is not a regular expression is reported with the reason', async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR, ...dbOwnerRole({ ticketPattern: '"INC-(\\\\d+"' })), ENV);
    assert.deepEqual(problems, ['jitd.yaml:16:20 roles.db-owner.ticketPattern: /INC-(\\d+/ is not a valid regular expression (Unterminated group)']);
  });

  test('a token hash that is not 64 hex characters is refused', async () => {
    const problems = await configs.problems(yaml('version: 1', 'identities:', '  tokens:', '    - principal: alice', '      tokenSha256: "abc123"'));
    assert.deepEqual(problems, ['jitd.yaml:5:20 identities.tokens[0].tokenSha256: must be 64 hexadecimal characters (the SHA-256 of the token, as sha256sum prints it)']);
  });

  test('two tokens for one principal, or one token for two principals, are refused', async () => {
    const problems = await configs.problems(
      yaml(
        'version: 1',
        'identities:',
        '  tokens:',
        `    - { principal: alice, tokenSha256: "${HASH_A}" }`,
        `    - { principal: alice, tokenSha256: "${HASH_B}" }`,
        `    - { principal: bob, tokenSha256: "${HASH_A.toUpperCase()}" }`,
      ),
    );
    assert.deepEqual(problems, [
      'jitd.yaml:5:20 identities.tokens[1].principal: "alice" already has a token (identities.tokens[0], line 4)',
      'jitd.yaml:6:38 identities.tokens[2].tokenSha256: same token hash as identities.tokens[0] (line 4): every token must be different',
    ]);
  });

  test('an environment variable secret that is not set is reported on its name', async () => {
    const problems = await configs.problems(yaml(...WITH_CONNECTOR), {});
    assert.deepEqual(problems, ['jitd.yaml:7:26 connectors.corp-ldap.bindPassword.env: environment variable JITD_LDAP_PASSWORD is not set']);
  });

  test('a secret file that cannot be read is reported with its absolute path', async () => {
    const file = await configs.write(yaml(...WITH_CONNECTOR.slice(0, 6), '    bindPassword: { file: secrets/ldap }', WITH_CONNECTOR[7] ?? ''));
    const { issues } = await loadConfig(file, { env: {} });
    assert.deepEqual(
      issues.map((issue) => formatIssue(issue, path.dirname(file))),
      [`jitd.yaml:7:27 connectors.corp-ldap.bindPassword.file: cannot read secret file ${path.join(path.dirname(file), 'secrets/ldap')} (no such file)`],
    );
  });

  test('a connector of an unknown type lists the known types', async () => {
    const problems = await configs.problems(yaml('version: 1', 'connectors:', '  krb: { type: kerberos }', '  nothing: {}'));
    assert.deepEqual(problems, [
      'jitd.yaml:3:16 connectors.krb.type: unknown connector type "kerberos" (known types: ad, ldap, ssh)',
      'jitd.yaml:4:3 connectors.nothing.type: is required (one of: ad, ldap, ssh)',
    ]);
  });

  test('connector and role names are limited to letters, digits, - and _', async () => {
    const problems = await configs.problems(yaml('version: 1', 'roles:', '  "db owner": { connector: x, maxDuration: 1h, eligible: [user:a], approval: auto }'));
    assert.deepEqual(problems, [
      'jitd.yaml:3:3 roles.db owner: "db owner" is not a valid name (1 to 64 letters, digits, "-" or "_", starting with a letter or digit)',
      'jitd.yaml:3:28 roles.db owner.connector: unknown connector "x" (no connectors are declared)',
    ]);
  });

  test('wrong value types say what was expected and what was found, without echoing text', async () => {
    const problems = await configs.problems(yaml('version: 1', 'reconciler: { enabled: yes }', 'scheduler: { batchSize: 1.5, retry: { jitter: "high" } }', 'identities: []', 'log: { level: loud }'));
    assert.deepEqual(problems, [
      'jitd.yaml:2:24 reconciler.enabled: must be true or false (got the text "yes")',
      'jitd.yaml:3:25 scheduler.batchSize: must be a whole number (got a number)',
      'jitd.yaml:3:47 scheduler.retry.jitter: must be a number (got text)',
      'jitd.yaml:4:13 identities: must be a mapping (got a list)',
      'jitd.yaml:5:15 log.level: must be one of: trace, debug, info, warn, error, fatal, silent',
    ]);
  });

  test('server addresses and sizes say what they look like', async () => {
    const problems = await configs.problems(yaml('version: 1', 'server: { listen: localhost, bodyLimit: 64 kilobytes, tls: { cert: c.pem } }'));
    assert.deepEqual(problems, [
      'jitd.yaml:2:19 server.listen: "localhost" is not host:port (e.g. 127.0.0.1:8080, 0.0.0.0:443, [::1]:8080)',
      'jitd.yaml:2:41 server.bodyLimit: "64 kilobytes" is not a size (e.g. 64kb, 1mb, 4096)',
      'jitd.yaml:2:55 server.tls.key: is required',
    ]);
  });

  test('several problems in one file are all reported, in file order', async () => {
    const problems = await configs.problems(
      yaml(
        'version: 1',
        'scheduler:',
        '  retry: { initialDelay: 10m, maxDelay: 5m }',
        'connectors:',
        '  corp-ldap:',
        '    type: ldap',
        '    url: http://ldap',
        '    bindDn: cn=jitd',
        '    bindPassword: { env: UNSET }',
        '    userDn: uid=x',
        'roles:',
        '  a: { connector: corp-ldap, group: cn=g, maxDuration: 90x, eligible: [alice], approval: auto }',
        '  b: { connector: nope, maxDuration: 1h, defaultDuration: 2h, eligible: [user:b], approval: auto, ticketPattern: "(" }',
      ),
    );
    assert.deepEqual(problems, [
      'jitd.yaml:3:26 scheduler.retry.initialDelay: 10m is longer than maxDelay 5m',
      'jitd.yaml:7:10 connectors.corp-ldap.url: must be ldap://host:port or ldaps://host:port',
      'jitd.yaml:10:13 connectors.corp-ldap.userDn: must contain {principal} exactly once',
      `jitd.yaml:12:56 roles.a.maxDuration: "90x" ${DURATION_HINT}`,
      'jitd.yaml:12:72 roles.a.eligible[0]: "alice" is not user:NAME or group:NAME',
      'jitd.yaml:13:19 roles.b.connector: unknown connector "nope" (declared connectors: corp-ldap)',
      'jitd.yaml:13:59 roles.b.defaultDuration: "2h" is longer than maxDuration "1h"',
      'jitd.yaml:13:114 roles.b.ticketPattern: /(/ is not a valid regular expression (Unterminated group)',
    ]);
    assert.equal(problems.length, 8);
  });

  test('a config file that does not exist is one issue at 1:1', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'jitd-config-'));
    try {
      const { config, issues } = await loadConfig(path.join(dir, 'jitd.yaml'));
      assert.equal(config, undefined);
      assert.deepEqual(issues, [{ file: path.join(dir, 'jitd.yaml'), line: 1, col: 1, path: '', message: 'config file not found', code: 'config_unreadable' }]);
      assert.equal(formatIssue(issues[0]!, dir), 'jitd.yaml:1:1 config file not found');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('an empty file, or one that is not a mapping, is one issue', async () => {
    assert.deepEqual(await configs.problems('# nothing yet\n'), ['jitd.yaml:1:1 the file is empty (it needs at least "version: 1")']);
    assert.deepEqual(await configs.problems(yaml('- version: 1')), ['jitd.yaml:1:1 must be a mapping (got a list)']);
  });

  test('issues carry a stable code', async () => {
    const { issues } = await configs.load(yaml(...WITH_CONNECTOR, ...dbOwnerRole({ maxDuration: '90x', connector: 'nope', maxDuraton: '1h' })), ENV);
    assert.deepEqual(
      issues.map((issue) => [issue.path, issue.code]),
      [
        ['roles.db-owner.connector', 'unknown_connector'],
        ['roles.db-owner.maxDuration', 'bad_duration'],
        ['roles.db-owner.maxDuraton', 'unknown_field'],
      ],
    );
  });
});

describe('server.publicUrl, identities.oidc and notifications', () => {
  test('a publicUrl that is not an http(s) URL, an OIDC issuer that is not a URL, and bad notification settings are each reported where they are', async () => {
    const problems = await configs.problems(
      yaml(
        'version: 1',
        'server:',
        '  publicUrl: jitd.example.com',
        'identities:',
        '  oidc: { issuer: login.example.com, clientId: jitd-web }',
        'notifications:',
        '  email: { host: smtp.example.com, security: ssl }',
        '  webhooks:',
        '    - { name: chat, url: ftp://hooks.example.com/x, secret: { env: HOOK }, events: [request.approvd] }',
        '  securityContacts: [security-at-example.com]',
      ),
    );
    assert.deepEqual(problems, [
      'jitd.yaml:3:14 server.publicUrl: must be an http:// or https:// URL, e.g. https://jitd.example.com',
      "jitd.yaml:5:19 identities.oidc.issuer: must be the provider's issuer URL, e.g. https://login.example.com/realms/corp",
      'jitd.yaml:7:3 notifications.email.from: is required',
      'jitd.yaml:7:46 notifications.email.security: must be one of: starttls, tls, none',
      'jitd.yaml:9:26 notifications.webhooks[0].url: must be an http:// or https:// URL',
      'jitd.yaml:9:85 notifications.webhooks[0].events[0]: must be one of: approval.requested, request.approved, request.denied, request.expired, request.granted, breakglass.granted, lease.review.required, revocation.failing',
      'jitd.yaml:10:22 notifications.securityContacts[0]: must be an e-mail address',
    ]);
  });
});
