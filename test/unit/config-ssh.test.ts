// The `ssh` block: the CA key is read and checked when the config loads, so `jitd config check` reports a
// key that is not one; role targets take YAML lists.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, test } from 'node:test';
import { TempConfigs, yaml } from '../fixtures/configs/temp-config.ts';

const configs = new TempConfigs();
after(() => configs.cleanup());

const lines = (caFile: string): string[] => [
  'version: 1',
  'connectors:',
  '  ssh-ca:',
  '    type: ssh',
  `    caKey: { file: ${caFile} }`,
  'roles:',
  '  web-01-admin:',
  '    connector: ssh-ca',
  '    principals: [admin@web-01, root@web-01]',
  '    endSessionsAtExpiry: true',
  '    maxDuration: 4h',
  '    eligible: [group:ops]',
  '    approval: auto',
];

test('a CA key that is not a private key is reported at its line by the config check', async () => {
  assert.deepEqual(await configs.problems(yaml(...lines('ca')), {}, { ca: 'not a key\n' }), [
    'jitd.yaml:5:20 connectors.ssh-ca.caKey.file: not a private key (expected "-----BEGIN OPENSSH PRIVATE KEY-----" or a PEM private key)',
  ]);
});

test('a usable CA key loads, with the defaults, and the role target keeps its lists as text', async () => {
  const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const { config, issues } = await configs.load(yaml(...lines('ca')), {}, { ca: key });
  assert.deepEqual(issues, []);
  const connector = config?.connectors.get('ssh-ca' as never);
  assert.deepEqual(connector && { ...connector, caKey: undefined }, { type: 'ssh', caKey: undefined, clockSkewMs: 120_000, timeoutMs: 5_000, sessionGuard: '/usr/local/lib/jitd/session-guard' });
  assert.deepEqual(config?.roles[0]?.target, { principals: 'admin@web-01,root@web-01', endSessionsAtExpiry: 'true' });
});
