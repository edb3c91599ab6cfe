// "admin on server X": a real `jitd serve` with an `ssh` connector signs a certificate for the requester's
// public key, and a real sshd (test/fixtures/sshd.ts) with the real ssh client decides whether it logs in.
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { eventually, startJitdProcess, type JitdProcess, type LeaseJson } from '../fixtures/jitd-process.ts';
import { ACCEPTED_LOGIN_LOG, SSH_TEST_USER, generateSshKey, startSshd, type Sshd, type SshKeyPair } from '../fixtures/sshd.ts';

/** The readable text inside a certificate line (its force-command is plain ASCII within the base64 blob). */
function sshCertificateText(line: string): string {
  return Buffer.from(line.split(' ')[1] ?? '', 'base64').toString('latin1');
}

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
        'web-01-recorded': { connector: 'ssh-ca', principals: ['admin@web-01'], recordSessions: true, maxDuration: '4h', eligible: ['group:ops'], approval: 'auto' },
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

  describe('recorded sessions (recordSessions)', () => {
    interface SessionJson {
      id: string;
      leaseId: string;
      endedBy: string;
      host: string;
      login: string;
      command?: string;
      terminal: boolean;
      bytes: number;
      sha256: string;
      truncated: boolean;
    }
    const sessionsOf = async (leaseId: string, who: 'alice' | 'carol' | 'dave' = 'alice') => {
      const response = await fetch(`${jitd.url}/v1/leases/${leaseId}/sessions`, { headers: { authorization: `Bearer ${jitd.tokens[who]}` } });
      return { status: response.status, body: (await response.json()) as { sessions?: SessionJson[]; error?: { message: string } } };
    };
    const waitForSessions = async (leaseId: string, count: number): Promise<SessionJson[]> => {
      let found: SessionJson[] = [];
      await eventually(async () => {
        found = (await sessionsOf(leaseId)).body.sessions ?? [];
        return found.length >= count;
      }, 15_000);
      assert.equal(found.length, count, `recorded sessions of ${leaseId}`);
      return found;
    };
    const recordedLease = async (duration: string) => {
      const { status, body } = await request({ role: 'web-01-recorded', duration, publicKey: alice.publicKey });
      assert.equal(status, 201, JSON.stringify(body));
      const lease = body.lease!;
      const certificateFile = `${alice.privateKeyFile}-cert.pub`;
      await writeFile(certificateFile, `${lease.grant?.certificate ?? ''}\n`);
      return { lease, login: { user: SSH_TEST_USER, identityFile: alice.privateKeyFile, certificateFile } };
    };

    test('a terminal session is recorded and uploaded at its end: jitd session show prints what it showed, and the audit event has its SHA-256', async () => {
      const { lease, login } = await recordedLease('1h');
      const session = await sshd.openSession(login);
      session.write('echo "recorded-$((6 * 7))"\n');
      await session.waitForOutput(/recorded-42/, 5_000);
      session.write('exit\n');
      assert.equal((await session.exited).code, 0);

      const [recorded] = await waitForSessions(lease.id, 1);
      assert.deepEqual(
        { endedBy: recorded?.endedBy, login: recorded?.login, terminal: recorded?.terminal, truncated: recorded?.truncated, command: recorded?.command },
        { endedBy: 'exit', login: SSH_TEST_USER, terminal: true, truncated: false, command: undefined },
      );
      const shown = await jitd.cli('alice', ['session', 'show', lease.id]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, new RegExp(`=== session ${recorded?.id}: ${SSH_TEST_USER}@\\S+; login shell; `));
      assert.match(shown.stdout, /recorded-42/);

      const raw = await jitd.cli('alice', ['session', 'show', lease.id, '--raw']);
      const events = (await jitd.cli('dave', ['audit', 'export'])).stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; leaseId?: string; actor: string; data: { recordingId?: string; sha256?: string; bytes?: number } });
      const event = events.find((e) => e.type === 'session.recorded' && e.leaseId === lease.id);
      assert.equal(event?.data.recordingId, recorded?.id);
      assert.equal(event?.actor, 'alice');
      assert.equal(event?.data.sha256, createHash('sha256').update(raw.stdout).digest('hex'), 'the audit event has the hash of the transcript as served');
      assert.equal(event?.data.bytes, Buffer.byteLength(raw.stdout));
    });

    test('a command without a terminal is recorded as its command line and times, without output', async () => {
      const { lease, login } = await recordedLease('1h');
      const result = await sshd.ssh({ ...login, command: 'echo not-recorded; exit 3' });
      assert.equal(result.code, 3, 'the exit code is the command\'s own');
      assert.equal(result.stdout.trim(), 'not-recorded');
      const [recorded] = await waitForSessions(lease.id, 1);
      assert.deepEqual(
        { command: recorded?.command, terminal: recorded?.terminal, bytes: recorded?.bytes },
        { command: 'echo not-recorded; exit 3', terminal: false, bytes: 0 },
      );
    });

    test('a session cut at the lease end is uploaded too, marked as cut', async () => {
      const { lease, login } = await recordedLease('5s');
      const session = await sshd.openSession(login);
      session.write('echo before-the-end\n');
      await session.waitForOutput(/before-the-end/, 5_000);
      await session.exited;
      const [recorded] = await waitForSessions(lease.id, 1);
      assert.equal(recorded?.endedBy, 'lease-end');
      const shown = await jitd.cli('alice', ['session', 'show', lease.id, '-o', 'json']);
      const json = JSON.parse(shown.stdout) as { sessions: { transcript: string }[] };
      assert.match(json.sessions[0]?.transcript ?? '', /before-the-end/);
    });

    test('uploads need the lease\'s own token; people see only the sessions of leases they may see', async () => {
      const { lease } = await recordedLease('1h');
      const upload = async (leaseId: string, authorization?: string) => {
        const response = await fetch(`${jitd.url}/v1/leases/${leaseId}/sessions?startedAt=1&endedAt=2&endedBy=exit&host=h&login=u&terminal=1`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream', ...(authorization ? { authorization } : {}) },
          body: 'forged',
        });
        return { status: response.status, message: ((await response.json()) as { error?: { message: string } }).error?.message };
      };
      assert.deepEqual(await upload(lease.id), {
        status: 401,
        message: 'missing session upload token (send "Authorization: Bearer <token>" as the session guard does)',
      });
      assert.deepEqual(await upload(lease.id, `Bearer ${jitd.tokens.alice}`), { status: 401, message: 'invalid session upload token for this lease' });
      assert.deepEqual(await upload('lease-0000', 'Bearer x'), { status: 401, message: 'invalid session upload token for this lease' });
      const token = /--record \S+ (\S+) \d+/.exec(sshCertificateText(lease.grant?.certificate ?? ''))?.[1];
      assert.ok(token, 'the certificate carries the upload token in its force-command');
      const bad = await fetch(`${jitd.url}/v1/leases/${lease.id}/sessions?startedAt=5&endedAt=2&endedBy=exit&host=h&login=u&terminal=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` },
        body: 'x',
      });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: { message: string } }).error.message, /endedAt: must not be before startedAt/);

      assert.equal((await sessionsOf(lease.id, 'carol')).status, 404, 'carol does not see alice\'s lease');
      assert.equal((await sessionsOf(lease.id, 'dave')).status, 200, 'the auditor does');
      assert.equal((await sessionsOf(lease.id)).body.sessions?.length, 0, 'nothing was stored by the refused uploads');
    });
  });
});
