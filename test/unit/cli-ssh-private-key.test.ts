// The OpenSSH private key file `jitd ssh` writes: read back by jitd's own parser and by ssh-keygen.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { parseCaKey } from '../../src/connectors/ssh/ca-key.ts';
import { publicKeyLine } from '../../src/connectors/ssh/public-key.ts';
import { SshReader } from '../../src/connectors/ssh/ssh-wire.ts';
import { encodeEd25519PrivateKey, generateEd25519Key } from '../../src/cli/ssh/openssh-private-key.ts';

const run = promisify(execFile);

function body(file: string): Buffer {
  return Buffer.from(file.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

test('a generated key is an unencrypted openssh-key-v1 file whose public key and comment match the .pub line', () => {
  const key = generateEd25519Key('jitd:web-01-admin');
  assert.match(key.privateKeyFile, /^-----BEGIN OPENSSH PRIVATE KEY-----\n([A-Za-z0-9+/=]{70}\n)+[A-Za-z0-9+/=]{1,70}\n-----END OPENSSH PRIVATE KEY-----\n$/);
  const parsed = parseCaKey(key.privateKeyFile, 'generated');
  assert.equal(publicKeyLine(parsed.publicKey), key.publicKeyLine);
  assert.match(key.publicKeyLine, /^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI\S+ jitd:web-01-admin$/);
});

test('the private section has equal check ints, cipher none and padding 1, 2, 3… to a multiple of 8', () => {
  for (const comment of ['', 'a', 'jitd:x', 'jitd:a-longer-role-name']) {
    const r = new SshReader(body(encodeEd25519PrivateKey(Buffer.alloc(32, 1), Buffer.alloc(32, 2), comment, 0xdeadbeef)), 'key');
    assert.equal(r.bytes(15, 'magic').toString('latin1'), 'openssh-key-v1\0');
    assert.deepEqual([r.text(), r.text(), r.string().length, r.uint32()], ['none', 'none', 0, 1]);
    r.string('public key');
    const section = r.string('private section');
    r.end();
    assert.equal(section.length % 8, 0);
    const p = new SshReader(section, 'section');
    assert.deepEqual([p.uint32(), p.uint32(), p.text(), p.string().length, p.string().length, p.text()], [0xdeadbeef, 0xdeadbeef, 'ssh-ed25519', 32, 64, comment]);
    const padding = [...p.rest()];
    assert.deepEqual(padding, padding.map((_, i) => i + 1));
  }
});

test('two generated keys differ (fresh key, fresh check ints)', () => {
  const [a, b] = [generateEd25519Key('c'), generateEd25519Key('c')];
  assert.notEqual(a.publicKeyLine, b.publicKeyLine);
  assert.notEqual(a.privateKeyFile, b.privateKeyFile);
});

test('ssh-keygen -y reads a generated key back to the same public key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jitd-cli-ssh-key-'));
  try {
    const key = generateEd25519Key('jitd:role');
    await writeFile(join(dir, 'k'), key.privateKeyFile, { mode: 0o600 });
    const { stdout } = await run('/usr/bin/ssh-keygen', ['-y', '-f', join(dir, 'k')]);
    assert.equal(stdout.trim(), key.publicKeyLine);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
