// The sshd fixture itself: the OpenSSH behaviour jitd's SSH certificate connector will rely on, shown with
// certificates and KRLs made by ssh-keygen and logins made by the real ssh client.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownDir, releaseDir } from '../fixtures/owned-processes.ts';
import { ACCEPTED_LOGIN_LOG, SSH_TEST_USER, generateSshKey, signUserCertificate, startSshd, writeKrl } from '../fixtures/sshd.ts';
import type { SshKeyPair, Sshd } from '../fixtures/sshd.ts';

const REFUSED = `${SSH_TEST_USER}@127.0.0.1: Permission denied (publickey).`;

describe('sshd fixture', () => {
  let sshd: Sshd;
  let work: string;
  let ca: SshKeyPair;
  let otherCa: SshKeyPair;
  let nextSerial = 100;

  /** A fresh key for `name` with a certificate from `signer` (default: the trusted CA); returns the login. */
  async function certifiedKey(name: string, o: { principals?: string[]; validity?: string; signer?: SshKeyPair } = {}): Promise<{ identityFile: string; certificateFile: string; keyId: string; serial: number }> {
    const key = await generateSshKey(work, `${name}-${nextSerial}`);
    const serial = nextSerial++;
    const keyId = `${name}@jitd-test`;
    const certificateFile = await signUserCertificate({
      caPrivateKeyFile: (o.signer ?? ca).privateKeyFile,
      publicKeyFile: key.publicKeyFile,
      keyId,
      principals: o.principals ?? [name],
      serial,
      ...(o.validity === undefined ? {} : { validity: o.validity }),
    });
    return { identityFile: key.privateKeyFile, certificateFile, keyId, serial };
  }

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'jitd-sshd-test-'));
    ownDir(work);
    ca = await generateSshKey(work, 'user-ca');
    otherCa = await generateSshKey(work, 'other-ca');
    sshd = await startSshd({ trustedCaKeys: [ca.publicKey], principals: { [SSH_TEST_USER]: ['alice', 'bob'] } });
  });
  after(async () => {
    await sshd?.destroy();
    rmSync(work, { recursive: true, force: true });
    releaseDir(work);
  });

  test('a certificate signed by the trusted CA for an allowed principal logs in, and the login line carries its key id and serial', async () => {
    const alice = await certifiedKey('alice');
    const mark = sshd.logs().length;
    const result = await sshd.ssh({ user: SSH_TEST_USER, ...alice, command: 'id -un' });
    assert.deepEqual(result, { code: 0, stdout: `${SSH_TEST_USER}\n`, stderr: '' });
    const line = await sshd.waitForLog(ACCEPTED_LOGIN_LOG, 5_000, mark);
    assert.equal(line[1], SSH_TEST_USER);
    assert.equal(line[2], alice.keyId);
    assert.equal(line[3], String(alice.serial));
  });

  test('a certificate from a CA that is not in TrustedUserCAKeys is refused', async () => {
    const mallory = await certifiedKey('alice', { signer: otherCa });
    const result = await sshd.ssh({ user: SSH_TEST_USER, ...mallory, command: 'true' });
    assert.equal(result.code, 255);
    assert.equal(result.stderr.trim(), REFUSED);
  });

  test('trusting no CA at all refuses every certificate, and trusting it again takes effect without a restart', async () => {
    const alice = await certifiedKey('alice');
    await sshd.setTrustedCaKeys([]);
    try {
      assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...alice, command: 'true' })).code, 255);
    } finally {
      await sshd.setTrustedCaKeys([ca.publicKey]);
    }
    assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...alice, command: 'true' })).code, 0);
  });

  test('a certificate whose principals are not in the user\'s principals file is refused', async () => {
    const carol = await certifiedKey('carol');
    const mark = sshd.logs().length;
    const result = await sshd.ssh({ user: SSH_TEST_USER, ...carol, command: 'true' });
    assert.equal(result.code, 255);
    assert.equal(result.stderr.trim(), REFUSED);
    await sshd.waitForLog(/Certificate does not contain an authorized principal/, 5_000, mark);

    await sshd.setPrincipals(SSH_TEST_USER, ['alice', 'bob', 'carol']);
    try {
      assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...carol, command: 'true' })).code, 0);
    } finally {
      await sshd.setPrincipals(SSH_TEST_USER, ['alice', 'bob']);
    }
  });

  test('a KRL listing a serial refuses that certificate on the next login, without restarting sshd, and spares the others', async () => {
    const revoked = await certifiedKey('alice');
    const kept = await certifiedKey('bob');
    assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...revoked, command: 'true' })).code, 0);

    const krl = join(work, `revoke-${revoked.serial}.krl`);
    await writeKrl(krl, { caPublicKeyFile: ca.publicKeyFile, serials: [revoked.serial] });
    await sshd.setRevokedKeys(krl);
    const mark = sshd.logs().length;
    const refused = await sshd.ssh({ user: SSH_TEST_USER, ...revoked, command: 'true' });
    assert.equal(refused.code, 255);
    assert.equal(refused.stderr.trim(), REFUSED);
    await sshd.waitForLog(new RegExp(`revoked by file ${sshd.revokedKeysFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), 5_000, mark);
    await sshd.waitForLog(new RegExp(`Failed publickey for ${SSH_TEST_USER} from .* ID ${revoked.keyId} \\(serial ${revoked.serial}\\) CA `), 5_000, mark);
    assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...kept, command: 'true' })).code, 0);
    assert.equal(sshd.logs().match(/Server listening on/g)?.length, 1, 'sshd was not restarted');

    await sshd.setRevokedKeys(new Uint8Array());
    assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...revoked, command: 'true' })).code, 0);
  });

  test('the RevokedKeys file exists and is empty at start, and without it every login is refused', async () => {
    const alice = await certifiedKey('alice');
    assert.equal(await readFile(sshd.revokedKeysFile, 'utf8'), '');
    rmSync(sshd.revokedKeysFile);
    try {
      assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...alice, command: 'true' })).code, 255);
    } finally {
      await sshd.setRevokedKeys(new Uint8Array());
    }
    assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...alice, command: 'true' })).code, 0);
  });

  test('an expired certificate is refused, and sshd logs why with its key id and serial', async () => {
    const expired = await certifiedKey('alice', { validity: '20200101:20200102' });
    const mark = sshd.logs().length;
    const result = await sshd.ssh({ user: SSH_TEST_USER, ...expired, command: 'true' });
    assert.equal(result.code, 255);
    assert.equal(result.stderr.trim(), REFUSED);
    await sshd.waitForLog(/Certificate invalid: expired/, 5_000, mark);
    await sshd.waitForLog(new RegExp(`Failed publickey for ${SSH_TEST_USER} from .* ID ${expired.keyId} \\(serial ${expired.serial}\\) CA `), 5_000, mark);
  });

  test('an open session outlives the revocation of its certificate, while new logins with it are refused', async () => {
    const alice = await certifiedKey('alice');
    const session = await sshd.openSession({ user: SSH_TEST_USER, ...alice });
    try {
      // The arithmetic is done by the remote shell: the terminal's echo of the typed line cannot match.
      session.write('echo before-$((40+2))\n');
      await session.waitForOutput(/before-42/);

      const krl = join(work, `revoke-session-${alice.serial}.krl`);
      await writeKrl(krl, { caPublicKeyFile: ca.publicKeyFile, keyIds: [alice.keyId] });
      await sshd.setRevokedKeys(krl);
      assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...alice, command: 'true' })).code, 255);

      const mark = session.output().length;
      session.write('echo after-$((40+3))\n');
      await session.waitForOutput(/after-43/, 10_000, mark);
      session.write('exit 3\n');
      assert.deepEqual(await session.exited, { code: 3, signal: null });
    } finally {
      await session.kill();
      await sshd.setRevokedKeys(new Uint8Array());
    }
  });

  test('a session cut on the server side ends its handle: the ssh client exits with 255', async () => {
    const bob = await certifiedKey('bob');
    const session = await sshd.openSession({ user: SSH_TEST_USER, ...bob, command: 'echo remote-pid=$$; exec sleep 600' });
    const pid = Number((await session.waitForOutput(/remote-pid=(\d+)/))[1]);
    // Only the process this session started, by its pid: other test files may use the same account.
    process.kill(pid, 'SIGKILL');
    assert.deepEqual(await session.exited, { code: 255, signal: null });
  });

  test('stop() and start() restart sshd on the same port; an open session survives the restart', async () => {
    const bob = await certifiedKey('bob');
    const session = await sshd.openSession({ user: SSH_TEST_USER, ...bob });
    try {
      session.write('echo up-$((1+1))\n');
      await session.waitForOutput(/up-2/);
      await sshd.stop();
      assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...bob, command: 'true', timeoutMs: 10_000 })).code, 255);
      await sshd.start();
      assert.equal((await sshd.ssh({ user: SSH_TEST_USER, ...bob, command: 'true' })).code, 0);
      const mark = session.output().length;
      session.write('echo still-$((2+2))\n');
      await session.waitForOutput(/still-4/, 10_000, mark);
    } finally {
      await session.kill();
    }
  });

  test('destroy() removes the directory and ends the sessions it opened', async () => {
    const alice = await certifiedKey('alice');
    const other = await startSshd({ trustedCaKeys: [ca.publicKey], principals: { [SSH_TEST_USER]: ['alice'] } });
    const session = await other.openSession({ user: SSH_TEST_USER, ...alice, command: 'sleep 600' });
    await other.waitForLog(/Starting session/);
    await other.destroy();
    assert.deepEqual(await session.exited, { code: null, signal: 'SIGKILL' });
    assert.equal(existsSync(other.dir), false);
  });
});
