// The ssh command line and ~/.ssh/config block `jitd ssh` prints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSshTarget, loginCommand, shellWord, sshConfigBlock } from '../../src/cli/ssh/login-command.ts';

test('the command names key, certificate, port and login@host; port 22 is left out', () => {
  assert.equal(loginCommand({ host: 'web-01', login: 'admin', port: '2222' }, '/k', '/k-cert.pub').line, 'ssh -i /k -o CertificateFile=/k-cert.pub -p 2222 admin@web-01');
  assert.equal(loginCommand({ host: 'web-01', login: 'admin', port: '22' }, '/k', '/c').line, 'ssh -i /k -o CertificateFile=/c admin@web-01');
});

test('without a host or login the command has <user>@<host> placeholders and is marked incomplete', () => {
  const command = loginCommand({ login: 'admin' }, '/k', '/c');
  assert.equal(command.line, 'ssh -i /k -o CertificateFile=/c admin@<host>');
  assert.equal(command.complete, false);
  assert.equal(loginCommand({}, '/k', '/c').line, 'ssh -i /k -o CertificateFile=/c <user>@<host>');
});

test('paths with spaces or quotes are quoted for the shell', () => {
  assert.equal(shellWord("/home/a b/it's"), `'/home/a b/it'\\''s'`);
  assert.equal(loginCommand({ host: 'h', login: 'u' }, '/a b/k', '/a b/c').line, "ssh -i '/a b/k' -o 'CertificateFile=/a b/c' u@h");
});

test('a config block has Host, HostName, User, Port, IdentityFile, CertificateFile and IdentitiesOnly', () => {
  assert.equal(
    sshConfigBlock('web-01-admin', { host: 'web-01.example.com', login: 'admin', port: '2222' }, '/k', '/c'),
    '# jitd role web-01-admin: run `jitd ssh web-01-admin` first for a certificate, then `ssh web-01-admin`\nHost web-01-admin\n  HostName web-01.example.com\n  User admin\n  Port 2222\n  IdentityFile /k\n  CertificateFile /c\n  IdentitiesOnly yes',
  );
});

test('an SSH role is one whose target has principals', () => {
  assert.equal(isSshTarget({ principals: 'admin@web-01' }), true);
  assert.equal(isSshTarget({ group: 'cn=x' }), false);
});
