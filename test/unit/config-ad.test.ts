// The `ad` connector block: sensible defaults, a clear refusal of a clear-text bind, and group targets
// that can be a DN, a name or a SID.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import { TempConfigs, yaml } from '../fixtures/configs/temp-config.ts';

const configs = new TempConfigs();
after(() => configs.cleanup());

/** Lines 1–6: an ad connector `corp`, with extra lines after. */
const connector = (url: string, ...extra: string[]): string[] => [
  'version: 1',
  'connectors:',
  '  corp:',
  '    type: ad',
  `    url: ${url}`,
  '    bindPassword: { env: P }',
  '    bindDn: svc-jitd@jit.test',
  ...extra,
];

const role = (group: string): string[] => ['roles:', '  da:', '    connector: corp', `    group: "${group}"`, '    maxDuration: 1h', '    eligible: [group:ops]', '    approval: auto'];

test('an ad connector gets its defaults: sAMAccountName, time-bound membership when available, 10h tickets, 5s timeout', async () => {
  const { config, issues } = await configs.load(yaml(...connector('ldaps://dc1.jit.test'), ...role('Domain Admins')), { P: 'x' });
  assert.deepEqual(issues, []);
  const corp = config?.connectors.get('corp' as never);
  assert.deepEqual(corp, {
    type: 'ad',
    url: 'ldaps://dc1.jit.test',
    startTls: false,
    tls: { rejectUnauthorized: true },
    bindDn: 'svc-jitd@jit.test',
    bindPassword: { env: 'P' },
    principalAttribute: 'sAMAccountName',
    timeBoundMembership: 'auto',
    maxTicketLifetimeMs: 36_000_000,
    timeoutMs: 5_000,
  });
  assert.deepEqual(config?.roles[0]?.target, { group: 'Domain Admins' });
});

test('a plain ldap:// url without StartTLS is refused, because AD refuses a clear-text simple bind', async () => {
  assert.deepEqual(await configs.problems(yaml(...connector('ldap://dc1.jit.test:389')), { P: 'x' }), [
    'jitd.yaml:5:10 connectors.corp.url: Active Directory refuses a simple bind over plain LDAP: use ldaps://host:636, or ldap://host:389 with startTls: true',
  ]);
  const { issues } = await configs.load(yaml(...connector('ldap://dc1.jit.test:389', '    startTls: true')), { P: 'x' });
  assert.deepEqual(issues, []);
});

test('a group target that is neither a DN, a SID nor a name is reported at its line', async () => {
  assert.deepEqual(await configs.problems(yaml(...connector('ldaps://dc1.jit.test'), ...role('S-1-5-oops')), { P: 'x' }), [
    'jitd.yaml:11:12 roles.da.group: "S-1-5-oops" is not a SID (expected S-1-5-21-…)',
  ]);
});

test('unknown principal attributes and modes list the valid ones', async () => {
  const found = await configs.problems(yaml(...connector('ldaps://dc1.jit.test', '    principalAttribute: mail', '    timeBoundMembership: always')), { P: 'x' });
  assert.equal(found.length, 2);
  assert.match(found[0] ?? '', /^jitd\.yaml:8:25 connectors\.corp\.principalAttribute: .*sAMAccountName.*userPrincipalName.*objectGUID.*objectSid/);
  assert.match(found[1] ?? '', /^jitd\.yaml:9:26 connectors\.corp\.timeBoundMembership: .*auto.*off.*required/);
});

test('the configuration example in docs/connectors/active-directory.md loads (with a version line added)', async () => {
  const doc = await readFile(new URL('../../docs/connectors/active-directory.md', import.meta.url), 'utf8');
  const block = /## Configuration\n\n```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(block, 'the doc has a yaml block under "## Configuration"');
  const { config, issues } = await configs.load(`version: 1\n${block}`, { JITD_AD_PASSWORD: 'x' });
  assert.deepEqual(issues, []);
  assert.deepEqual(config?.roles.map((r) => [r.name, r.target]), [['domain-admins', { group: 'Domain Admins' }]]);
});
