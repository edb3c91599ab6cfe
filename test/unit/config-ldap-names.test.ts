// DNs in an ldap connector and its roles are checked when the config loads, not when the first grant fails.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { TempConfigs, yaml } from '../fixtures/configs/temp-config.ts';

const configs = new TempConfigs();
after(() => configs.cleanup());

test('a bad bindDn, userDn template, placeholder or group DN is reported with its location', async () => {
  const problems = await configs.problems(
    yaml(
      'version: 1',
      'connectors:',
      '  l:',
      '    type: ldap',
      '    url: ldap://127.0.0.1:389',
      '    bindDn: nodn',
      '    bindPassword: { env: P }',
      '    userDn: "uid=x,ou=people"',
      '    placeholderMember: "bad"',
      'roles:',
      '  x:',
      '    connector: l',
      '    group: notadn',
      '    maxDuration: 1h',
      '    eligible: [group:ops]',
      '    approval: auto',
    ),
    { P: 'secret' },
  );
  assert.deepEqual(problems, [
    'jitd.yaml:6:13 connectors.l.bindDn: "nodn" is not a valid DN: expected "=" after "nodn" at position 5',
    'jitd.yaml:8:13 connectors.l.userDn: must contain {principal} exactly once',
    'jitd.yaml:9:24 connectors.l.placeholderMember: "bad" is not a valid DN: expected "=" after "bad" at position 4',
    'jitd.yaml:13:12 roles.x.group: "notadn" is not a valid DN: expected "=" after "notadn" at position 7',
  ]);
});

test('{principal} outside an attribute value is refused', async () => {
  const problems = await configs.problems(
    yaml(
      'version: 1',
      'connectors:',
      '  l:',
      '    type: ldap',
      '    url: ldap://127.0.0.1:389',
      '    bindDn: cn=jitd,dc=example,dc=org',
      '    bindPassword: { env: P }',
      '    userDn: "{principal},ou=people,dc=example,dc=org"',
    ),
    { P: 'secret' },
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^jitd\.yaml:8:13 connectors\.l\.userDn: /);
});
