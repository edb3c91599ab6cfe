// Config that would only fail later — a bad DN at the first grant, approvers that nobody can act as — is
// refused when the config loads, with the line and column.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { TempConfigs, yaml } from '../fixtures/configs/temp-config.ts';

const configs = new TempConfigs();
after(() => configs.cleanup());

/** Lines 1–8: an ldap connector `l` whose DN fields can be replaced. */
function connector(fields: { bindDn?: string; userDn?: string; placeholder?: string } = {}): string[] {
  return [
    'version: 1',
    'connectors:',
    '  l:',
    '    type: ldap',
    '    url: ldap://127.0.0.1:389',
    `    bindDn: ${fields.bindDn ?? 'cn=jitd,dc=example,dc=org'}`,
    '    bindPassword: { env: P }',
    `    userDn: "${fields.userDn ?? 'uid={principal},ou=people,dc=example,dc=org'}"`,
    ...(fields.placeholder ? [`    placeholderMember: "${fields.placeholder}"`] : []),
  ];
}

const problems = (lines: string[]) => configs.problems(yaml(...lines), { P: 'secret' });

test('a bad bindDn, userDn template, placeholder or group DN is reported with its location', async () => {
  const found = await problems([
    ...connector({ bindDn: 'nodn', userDn: 'uid=x,ou=people', placeholder: 'bad' }),
    'roles:',
    '  x:',
    '    connector: l',
    '    group: notadn',
    '    maxDuration: 1h',
    '    eligible: [group:ops]',
    '    approval: auto',
  ]);
  assert.deepEqual(found, [
    'jitd.yaml:6:13 connectors.l.bindDn: "nodn" is not a valid DN: expected "=" after "nodn" at position 5',
    'jitd.yaml:8:13 connectors.l.userDn: must contain {principal} exactly once',
    'jitd.yaml:9:24 connectors.l.placeholderMember: "bad" is not a valid DN: expected "=" after "bad" at position 4',
    'jitd.yaml:13:12 roles.x.group: "notadn" is not a valid DN: expected "=" after "notadn" at position 7',
  ]);
});

test('{principal} outside an attribute value is refused', async () => {
  const found = await problems(connector({ userDn: '{principal},ou=people,dc=example,dc=org' }));
  assert.equal(found.length, 1);
  assert.match(found[0]!, /^jitd\.yaml:8:13 connectors\.l\.userDn: /);
});

test('approvers must be user:NAME, group:NAME or manager, and manager only where the connector can find managers', async () => {
  const role = (approval: string, connectorLines: readonly string[] = connector()) =>
    problems([...connectorLines, 'roles:', '  db-owner:', '    connector: l', '    group: cn=db,dc=example,dc=org', '    maxDuration: 1h', '    eligible: [group:ops]', `    approval: ${approval}`]);
  assert.deepEqual(await role('{ required: 2, from: [group:db-leads, manager], timeout: 30m }'), []);
  assert.deepEqual(await role('{ required: 1, from: [boss] }'), ['jitd.yaml:15:37 roles.db-owner.approval.from[0]: "boss" is not user:NAME, group:NAME or manager']);
  assert.deepEqual(await role('{ required: 1, from: [] }'), ['jitd.yaml:15:36 roles.db-owner.approval.from: must list at least one user:NAME, group:NAME or manager']);
});

test('a grantTimeout that cannot cover a target operation and its read-back is refused', async () => {
  const found = await problems([...connector(), '    timeout: 5s', 'scheduler:', '  grantTimeout: 9s']);
  assert.deepEqual(found, [
    'jitd.yaml:11:17 scheduler.grantTimeout: 9s is shorter than twice the timeout of connector l (5s): a target operation and its read-back must fit in it',
  ]);
});
