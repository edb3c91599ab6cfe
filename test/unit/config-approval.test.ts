// Approval by people is not available yet: a role that would need it is refused at load time rather than
// leaving every request pending forever.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { TempConfigs, yaml } from '../fixtures/configs/temp-config.ts';

const configs = new TempConfigs();
after(() => configs.cleanup());

test('a role with approvers is refused with a clear message until approvals ship', async () => {
  const problems = await configs.problems(
    yaml(
      'version: 1',
      'connectors:',
      '  l:',
      '    type: ldap',
      '    url: ldap://127.0.0.1:389',
      '    bindDn: cn=jitd,dc=example,dc=org',
      '    bindPassword: { env: P }',
      '    userDn: "uid={principal},ou=people,dc=example,dc=org"',
      'roles:',
      '  db-owner:',
      '    connector: l',
      '    group: cn=db,dc=example,dc=org',
      '    maxDuration: 1h',
      '    eligible: [group:ops]',
      '    approval: { required: 2, from: [group:db-leads] }',
    ),
    { P: 'secret' },
  );
  assert.deepEqual(problems, ['jitd.yaml:15:15 roles.db-owner.approval: approval by people is not available in this version yet (planned); use approval: auto']);
});
