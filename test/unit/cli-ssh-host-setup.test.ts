// What `jitd ssh host-setup` tells a server to install, built from the API's answers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostSetup, krlRefreshScript } from '../../src/cli/ssh/host-setup.ts';

const base = { caPublicKey: 'ssh-ed25519 AAAAC3Nz jitd-ssh-ca\n', server: 'https://jitd.example.com/', tokenFile: '/etc/jitd/host-token', sessionGuard: '/usr/local/lib/jitd/session-guard' };

test('principals files are one per login, merging the roles that log in as it, sorted and without duplicates', () => {
  const setup = hostSetup({
    ...base,
    roles: [
      { name: 'a', connector: 'ssh-ca', target: { principals: 'admin@web-01,ops@web-01', login: 'admin' } },
      { name: 'b', connector: 'ssh-ca', target: { principals: 'admin@web-01', login: 'admin' } },
      { name: 'c', connector: 'ssh-ca', target: { principals: 'deploy@web-01', login: 'deploy' } },
    ],
  });
  const principals = setup.files.filter((f) => f.path.startsWith('/etc/ssh/principals/')).map((f) => [f.path, f.content]);
  assert.deepEqual(principals, [
    ['/etc/ssh/principals/admin', 'admin@web-01\nops@web-01\n'],
    ['/etc/ssh/principals/deploy', 'deploy@web-01\n'],
  ]);
  assert.equal(setup.files.find((f) => f.path === '/etc/ssh/jitd_ca.pub')?.content, 'ssh-ed25519 AAAAC3Nz jitd-ssh-ca\n');
  assert.equal(setup.files.find((f) => f.path === '/usr/local/lib/jitd/krl-refresh')?.mode, 0o755);
});

test('roles with endSessionsAtExpiry say where the session guard goes; roles without login say what to do by hand', () => {
  const setup = hostSetup({
    ...base,
    roles: [
      { name: 'guarded', connector: 'ssh-ca', target: { principals: 'x@h', login: 'admin', endSessionsAtExpiry: 'true' } },
      { name: 'loose', connector: 'ssh-ca', target: { principals: 'y@h' } },
    ],
  });
  assert.ok(setup.steps.some((s) => s.startsWith('Roles guarded end sessions at the lease\'s end') && s.includes('at /usr/local/lib/jitd/session-guard, owner root, mode 0755')));
  assert.ok(setup.steps.includes('Role loose names no login: add its principals (y@h) to /etc/ssh/principals/<account> of the account it should log in as.'));
  assert.equal(hostSetup({ ...base, roles: [] }).steps.some((s) => s.includes('session guard')), false);
});

test('the refresh script fetches the named connector\'s KRL from the server, with the token from a file', () => {
  const script = krlRefreshScript('https://jitd.example.com/', 'ssh-ca', '/etc/jitd/host-token');
  assert.match(script, /^url="\$\{JITD_KRL_URL:-https:\/\/jitd\.example\.com\/v1\/ssh\/krl\?connector=ssh-ca\}"$/m);
  assert.match(script, /^token_file="\$\{JITD_TOKEN_FILE:-\/etc\/jitd\/host-token\}"$/m);
  assert.doesNotMatch(script, /Bearer \$token"? "?\$url/, 'the token is not a curl argument');
});

test('an answer from /v1/ssh/ca that is not a key line is refused', () => {
  assert.throws(() => hostSetup({ ...base, caPublicKey: '<html>', roles: [] }), /GET \/v1\/ssh\/ca did not answer a public key line/);
});
