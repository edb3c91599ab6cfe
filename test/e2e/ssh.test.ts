// "admin on server X": a real `jitd serve` with an `ssh` connector signs a certificate for the requester's
// public key, and a real sshd (test/fixtures/sshd.ts) with the real ssh client decides whether it logs in.
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startJitdProcess, type JitdProcess, type LeaseJson } from '../fixtures/jitd-process.ts';
import { ACCEPTED_LOGIN_LOG, SSH_TEST_USER, generateSshKey, startSshd, type Sshd, type SshKeyPair } from '../fixtures/sshd.ts';

/** The session guard as shipped (host/session-guard). */
const GUARD = fileURLToPath(new URL('../../host/session-guard', import.meta.url));

interface SshLeaseJson extends LeaseJson {
  requestId: string;
  expiresAt: string;
  grant?: { certificate: string; serial: string; keyId: string; principals: string; validBefore: string; publicKeyFingerprint: string };
}

describe('SSH certificates from jitd serve against a real sshd', () => {
  let dir: string;
  let sshd: Sshd;
  let jitd: JitdProcess;
  let alice: SshKeyPair;

  /** POST /v1/requests as `who` (the CLI's `jitd ssh` comes later): the lease, or the error body. */
  const request = async (body: Record<string, unknown>, who: 'alice' | 'carol' = 'alice') => {
    const response = await fetch(`${jitd.url}/v1/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${jitd.tokens[who]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'CHG-1234 kernel patch', ...body }),
    });
    return { status: response.status, body: (await response.json()) as { lease?: SshLeaseJson; error?: { message: string } } };
  };
  /** Writes the lease's certificate next to alice's key and logs in with it. */
  const login = async (lease: SshLeaseJson) => {
    const certificateFile = `${alice.privateKeyFile}-cert.pub`;
    await writeFile(certificateFile, `${lease.grant?.certificate ?? ''}\n`);
    return sshd.ssh({ user: SSH_TEST_USER, identityFile: alice.privateKeyFile, certificateFile, command: 'echo logged-in' });
  };
  const fetchKrl = async (): Promise<Buffer> => {
    const response = await fetch(`${jitd.url}/v1/ssh/krl`, { headers: { authorization: `Bearer ${jitd.tokens.dave}` } });
    assert.equal(response.status, 200);
    return Buffer.from(await response.arrayBuffer());
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jitd-ssh-e2e-'));
    const ca = await generateSshKey(dir, 'jitd-ca');
    alice = await generateSshKey(dir, 'alice');
    sshd = await startSshd({ trustedCaKeys: [ca.publicKey], principals: { [SSH_TEST_USER]: ['admin@web-01'] } });
    // The host's copy of the session guard, where sshd (as the test user) can run it: as host-setup installs it.
    const guard = join(sshd.dir, 'session-guard');
    await copyFile(GUARD, guard);
    await chmod(guard, 0o755);
    jitd = await startJitdProcess({
      target: {
        connectorName: 'ssh-ca',
        connector: { type: 'ssh', timeout: '1s', sessionGuard: join(sshd.dir, 'session-guard') },
        secret: { field: 'caKey', value: (await readFile(ca.privateKeyFile, 'utf8')).trimEnd() },
        roleTarget: { principals: 'admin@web-01' },
      },
      roleName: 'web-01-admin',
      roles: {
        'web-02-admin': { connector: 'ssh-ca', principals: ['admin@web-02'], maxDuration: '4h', eligible: ['group:ops'], approval: 'auto' },
        'web-01-guarded': { connector: 'ssh-ca', principals: ['admin@web-01'], endSessionsAtExpiry: true, maxDuration: '4h', eligible: ['group:ops'], approval: 'auto' },
      },
    });
    // The host's RevokedKeys comes from jitd, as the documented timer does it.
    await sshd.setRevokedKeys(await fetchKrl());
  });
  after(async () => {
    await jitd?.stop();
    await sshd?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  test('the certificate logs in, and sshd logs the key id and serial that the audit trail has for the lease', async () => {
    const { status, body } = await request({ role: 'web-01-admin', duration: '1h', publicKey: alice.publicKey });
    assert.equal(status, 201, JSON.stringify(body));
    const lease = body.lease!;
    assert.match(lease.grant?.certificate ?? '', /^ssh-ed25519-cert-v01@openssh\.com AAAA/);
    assert.equal(lease.grant?.keyId, `${lease.id}:admin@web-01`);
    assert.equal(lease.expiresAt, lease.grant?.validBefore, 'the lease ends when the certificate does');

    const from = sshd.logs().length;
    const result = await login(lease);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), 'logged-in');
    const [, user, keyId, serial] = await sshd.waitForLog(ACCEPTED_LOGIN_LOG, 5_000, from);
    assert.deepEqual([user, keyId, serial], [SSH_TEST_USER, lease.grant?.keyId, lease.grant?.serial]);

    const events = (await jitd.cli('dave', ['audit', 'export'])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; requestId?: string; leaseId?: string; data: { grant?: { serial: string; keyId: string } } });
    const granted = events.find((e) => e.type === 'lease.granted' && e.leaseId === lease.id);
    assert.deepEqual({ serial: granted?.data.grant?.serial, keyId: granted?.data.grant?.keyId, request: granted?.requestId }, { serial, keyId, request: lease.requestId });
  });

  test('after release the KRL lists the certificate and sshd refuses it, without a restart', async () => {
    const { body } = await request({ role: 'web-01-admin', duration: '1h', publicKey: alice.publicKey });
    const lease = body.lease!;
    assert.equal((await login(lease)).code, 0);
    const released = await jitd.cli('alice', ['release', lease.id, '--reason', 'done']);
    assert.equal(released.code, 0, released.stderr);
    await sshd.setRevokedKeys(await fetchKrl());
    const refused = await login(lease);
    assert.equal(refused.code, 255);
    await sshd.waitForLog(new RegExp(`revoked by file|ID ${lease.id}:admin@web-01 \\(serial ${lease.grant?.serial}\\)`), 5_000);
  });

  test('a short lease logs in, and the certificate is refused once it has expired', async () => {
    const { body } = await request({ role: 'web-01-admin', duration: '3s', publicKey: alice.publicKey });
    const lease = body.lease!;
    assert.equal((await login(lease)).code, 0);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(lease.expiresAt) - Date.now()) + 1_100));
    assert.equal((await login(lease)).code, 255);
  });

  test('a certificate for another server\'s principal is refused by this one', async () => {
    const { status, body } = await request({ role: 'web-02-admin', duration: '1h', publicKey: alice.publicKey });
    assert.equal(status, 201, JSON.stringify(body));
    assert.equal((await login(body.lease!)).code, 255);
  });

  test('with endSessionsAtExpiry an open session is cut at the lease\'s end (without it, it would outlive the certificate)', async () => {
    const { status, body } = await request({ role: 'web-01-guarded', duration: '5s', publicKey: alice.publicKey });
    assert.equal(status, 201, JSON.stringify(body));
    const lease = body.lease!;
    const certificateFile = `${alice.privateKeyFile}-cert.pub`;
    await writeFile(certificateFile, `${lease.grant?.certificate ?? ''}\n`);
    const session = await sshd.openSession({ user: SSH_TEST_USER, identityFile: alice.privateKeyFile, certificateFile });
    session.write('echo session-is-open\n');
    await session.waitForOutput(/session-is-open/, 5_000);
    const ended = await Promise.race([session.exited.then(() => Date.now()), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000))]);
    assert.ok(ended !== undefined, 'the session ended by itself');
    const expiry = Date.parse(lease.expiresAt);
    assert.ok(ended >= expiry - 1_000 && ended <= expiry + 6_000, `ended ${ended - expiry} ms after the lease's end`);
    assert.match(session.output(), /jitd: this session ended/);
  });

  test('policy and input are checked before anything is signed: too long, no key, a bad key', async () => {
    const tooLong = await request({ role: 'web-01-admin', duration: '5h', publicKey: alice.publicKey });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.body.error?.message ?? '', /4h/);
    const noKey = await request({ role: 'web-01-admin', duration: '1h' });
    assert.equal(noKey.status, 400);
    assert.match(noKey.body.error?.message ?? '', /publicKey: an SSH role needs the OpenSSH public key to certify/);
    const badKey = await request({ role: 'web-01-admin', duration: '1h', publicKey: 'ssh-dss AAAAB3NzaC1kc3MAAACBAP' });
    assert.equal(badKey.status, 400);
    assert.match(badKey.body.error?.message ?? '', /^publicKey: /);
    const otherConnector = await fetch(`${jitd.url}/v1/ssh/krl?connector=nope`, { headers: { authorization: `Bearer ${jitd.tokens.dave}` } });
    assert.equal(otherConnector.status, 404);
    assert.equal(((await otherConnector.json()) as { error: { message: string } }).error.message, 'no ssh connector named nope (ssh connectors: ssh-ca)');
  });
});
