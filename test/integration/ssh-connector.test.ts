// The `ssh` connector on its own (no sshd: test/e2e/ssh.test.ts has that): serials, what is published, and
// revocation as ssh-keygen -Q reads the published KRL.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { memoryMemo } from '../../src/connectors/connector.ts';
import type { ConnectorMemo } from '../../src/connectors/connector.ts';
import { loadCaKeyFile } from '../../src/connectors/ssh/ca-key.ts';
import type { SshCaKey } from '../../src/connectors/ssh/ca-key.ts';
import { createSshConnector } from '../../src/connectors/ssh/connector.ts';
import { ConnectorName, LeaseId, PrincipalId } from '../../src/core/ids.ts';
import type { GrantData } from '../../src/core/request.ts';
import { ensureSshInstalled, generateSshKey } from '../fixtures/sshd.ts';

const run = promisify(execFile);
const HOUR = 3_600_000;
const target = { principals: 'admin@web-01' };
const alice = PrincipalId('alice');

let dir: string;
let ca: SshCaKey;
let userKey: string;
before(async () => {
  await ensureSshInstalled();
  dir = await mkdtemp(join(tmpdir(), 'jitd-ssh-connector-'));
  ca = await loadCaKeyFile((await generateSshKey(dir, 'ca')).privateKeyFile);
  userKey = (await generateSshKey(dir, 'alice')).publicKey;
});
after(() => rm(dir, { recursive: true, force: true }));

let count = 0;
function connector(memo: ConnectorMemo = memoryMemo(), publishDir = join(dir, `publish-${(count += 1)}`)) {
  return {
    publishDir,
    ssh: createSshConnector(ConnectorName('ssh-ca'), { type: 'ssh', caKey: { env: 'UNUSED' }, clockSkewMs: 120_000, timeoutMs: 5_000, sessionGuard: '/usr/local/lib/jitd/session-guard' }, { ca, memo, publishDir }),
  };
}

const grant = async (ssh: ReturnType<typeof connector>['ssh'], lease: string, expiresAt = new Date(Date.now() + HOUR)): Promise<GrantData> => {
  const result = await ssh.grant({ principal: alice, target, leaseId: LeaseId(lease), expiresAt, input: { publicKey: userKey } });
  assert.ok(result?.record);
  return result.record;
};

/** What `ssh-keygen -Q` says of a certificate against the published KRL: true when it is revoked. */
async function revokedOnDisk(publishDir: string, record: GrantData): Promise<boolean> {
  const certFile = join(dir, `cert-${record.serial ?? ''}.pub`);
  await writeFile(certFile, `${record.certificate ?? ''}\n`);
  try {
    await run('/usr/bin/ssh-keygen', ['-Q', '-f', join(publishDir, 'revoked.krl'), certFile]);
    return false;
  } catch {
    return true;
  }
}

describe('ssh connector', () => {
  test('prepare publishes the CA public key and a KRL, so a new host has both to fetch', async () => {
    const { ssh, publishDir } = connector();
    await ssh.prepare?.();
    assert.equal((await readFile(join(publishDir, 'ca.pub'), 'utf8')).trim(), ssh.caPublicKey());
    assert.match(ssh.caPublicKey(), /^ssh-ed25519 AAAA\S+ jitd-ssh-ca$/);
    assert.equal((await ssh.revocationList()).subarray(0, 6).toString(), 'SSHKRL');
  });

  test('serials are dense, and go on from the higher of the store and the publish folder (a store restored from an older backup)', async () => {
    const memo = memoryMemo();
    const first = connector(memo);
    const serials = [];
    for (let i = 0; i < 3; i += 1) serials.push((await grant(first.ssh, `lease-${i}`)).serial);
    assert.deepEqual(serials, ['1', '2', '3']);
    // The store goes back to before serial 2 was issued; the folder still says 3.
    await memo.set('serial', '1');
    const restored = connector(memo, first.publishDir);
    assert.equal((await grant(restored.ssh, 'lease-after-restore')).serial, '4');
  });

  test('the certificate ends when the lease does, and the record says what the audit needs', async () => {
    const { ssh } = connector();
    const expiresAt = new Date(Date.now() + HOUR + 700);
    const result = await ssh.grant({ principal: alice, target, leaseId: LeaseId('lease-x'), expiresAt, input: { publicKey: userKey } });
    assert.equal(result?.endsAt?.getTime(), Math.floor(expiresAt.getTime() / 1000) * 1000);
    assert.deepEqual(Object.keys(result?.audit ?? {}).sort(), ['keyId', 'principals', 'publicKeyFingerprint', 'serial', 'validBefore']);
    assert.equal(result?.audit?.keyId, 'lease-x:admin@web-01');
  });

  test('revoke lists the certificate in the published KRL (as ssh-keygen reads it), once, and holds() turns false', async () => {
    const { ssh, publishDir } = connector();
    const kept = await grant(ssh, 'lease-kept');
    const revoked = await grant(ssh, 'lease-revoked');
    assert.equal(await ssh.holds({ principal: alice, target, record: revoked }), true);
    await ssh.revoke({ principal: alice, target, record: revoked });
    await ssh.revoke({ principal: alice, target, record: revoked });
    assert.equal(await ssh.holds({ principal: alice, target, record: revoked }), false);
    assert.equal(await revokedOnDisk(publishDir, revoked), true);
    assert.equal(await revokedOnDisk(publishDir, kept), false);
    assert.equal(await ssh.holds({ principal: alice, target, record: kept }), true);
  });

  test('a certificate that has expired needs no KRL entry, and holds() is false', async () => {
    let now = Date.now();
    const memo = memoryMemo();
    const publishDir = join(dir, 'publish-clock');
    const ssh = createSshConnector(ConnectorName('ssh-ca'), { type: 'ssh', caKey: { env: 'UNUSED' }, clockSkewMs: 0, timeoutMs: 5_000, sessionGuard: '/g' }, { ca, memo, publishDir, now: () => now });
    const record = (await ssh.grant({ principal: alice, target, leaseId: LeaseId('lease-short'), expiresAt: new Date(now + 10_000), input: { publicKey: userKey } }))?.record;
    assert.ok(record);
    now += 11_000;
    assert.equal(await ssh.holds({ principal: alice, target, record }), false);
    await ssh.revoke({ principal: alice, target, record });
    assert.equal(memo.get('revoked'), undefined, 'nothing was listed');
  });

  test('what a requester hands in is checked: a public key is required, and only that', () => {
    const { ssh } = connector();
    assert.deepEqual(ssh.validateGrantInput?.(target, undefined), ['publicKey: an SSH role needs the OpenSSH public key to certify (e.g. the content of ~/.ssh/id_ed25519.pub)']);
    assert.deepEqual(ssh.validateGrantInput?.(target, { publicKey: userKey }), []);
    assert.deepEqual(ssh.validateGrantInput?.(target, { publicKey: userKey, group: 'x' }), ['group: an SSH role takes only publicKey']);
    assert.match(ssh.validateGrantInput?.(target, { publicKey: 'ssh-ed25519 AAAA' })[0] ?? '', /^publicKey: /);
  });
});
