// Every certificate jitd signs must be one OpenSSH accepts: `ssh-keygen -L` (which checks the CA
// signature) reads it and prints the serial, key id, principals, validity and options we asked for.
// Keys and CAs are made by ssh-keygen itself, so the test does not trust jitd's own encoders.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { caPublicKeyLine, loadCaKeyFile } from '../../src/connectors/ssh/ca-key.ts';
import type { SshCaKey } from '../../src/connectors/ssh/ca-key.ts';
import { certificateKeyId, parseCertificate, signUserCertificate } from '../../src/connectors/ssh/certificate.ts';
import type { CriticalOptions } from '../../src/connectors/ssh/certificate.ts';
import { SSH_KEYGEN } from '../../src/connectors/ssh/krl.ts';
import { parsePublicKeyLine } from '../../src/connectors/ssh/public-key.ts';
import type { SshPublicKey } from '../../src/connectors/ssh/public-key.ts';
import { SshWriter } from '../../src/connectors/ssh/ssh-wire.ts';
import { ensureSshInstalled } from '../fixtures/sshd.ts';

const run = promisify(execFile);

/** Installs Debian's openssh-client when ssh-keygen is missing (root only). */
/** Runs ssh-keygen with TZ=UTC so that the validity it prints is comparable. */
async function keygen(...args: string[]): Promise<string> {
  const { stdout } = await run(SSH_KEYGEN, args, { env: { ...process.env, TZ: 'UTC' } });
  return stdout;
}

interface Listing {
  type: string;
  publicKey: string;
  signingCa: string;
  keyId: string;
  serial: string;
  valid: string;
  principals: string[];
  criticalOptions: string[];
  extensions: string[];
}

/** The fields `ssh-keygen -L` prints, one list per multi-line section. */
function parseListing(text: string): Listing {
  const out: Listing = { type: '', publicKey: '', signingCa: '', keyId: '', serial: '', valid: '', principals: [], criticalOptions: [], extensions: [] };
  let section: 'principals' | 'criticalOptions' | 'extensions' | undefined;
  for (const raw of text.split('\n').slice(1)) {
    const line = raw.trim();
    const field = /^([A-Za-z ]+): ?(.*)$/.exec(line);
    if (field !== null && raw.startsWith('        ') && !raw.startsWith('                ')) {
      const [, name, value = ''] = field;
      section = undefined;
      if (name === 'Type') out.type = value;
      else if (name === 'Public key') out.publicKey = value;
      else if (name === 'Signing CA') out.signingCa = value;
      else if (name === 'Key ID') out.keyId = value;
      else if (name === 'Serial') out.serial = value;
      else if (name === 'Valid') out.valid = value;
      else if (name === 'Principals') section = 'principals';
      else if (name === 'Critical Options') section = 'criticalOptions';
      else if (name === 'Extensions') section = 'extensions';
      if (section !== undefined && value === '(none)') section = undefined;
    } else if (section !== undefined && line !== '') {
      out[section].push(line);
    }
  }
  return out;
}

const utc = (d: Date): string => d.toISOString().slice(0, 19);

let dir = '';
const cas = new Map<string, SshCaKey>();
const users = new Map<string, SshPublicKey>();

describe('certificates signed by jitd, read by ssh-keygen', () => {
  before(async () => {
    await ensureSshInstalled();
    dir = await mkdtemp(join(tmpdir(), 'jitd-ssh-cert-'));
    const make = (name: string, ...args: string[]): Promise<string> => keygen('-q', '-N', '', '-C', `${name} comment`, '-f', join(dir, name), ...args);
    await Promise.all([
      make('ca-ed25519', '-t', 'ed25519'),
      make('ca-ecdsa256', '-t', 'ecdsa', '-b', '256'),
      make('ca-ecdsa384-pem', '-t', 'ecdsa', '-b', '384', '-m', 'PEM'),
      make('ca-ecdsa521-pkcs8', '-t', 'ecdsa', '-b', '521', '-m', 'PKCS8'),
      make('ca-rsa3072', '-t', 'rsa', '-b', '3072'),
      make('user-ed25519', '-t', 'ed25519'),
      make('user-ecdsa256', '-t', 'ecdsa', '-b', '256'),
      make('user-ecdsa384', '-t', 'ecdsa', '-b', '384'),
      make('user-ecdsa521', '-t', 'ecdsa', '-b', '521'),
      make('user-rsa3072', '-t', 'rsa', '-b', '3072'),
      make('user-rsa2048', '-t', 'rsa', '-b', '2048'),
      make('user-dsa', '-t', 'dsa'),
      keygen('-q', '-N', 'correct horse', '-t', 'ed25519', '-f', join(dir, 'ca-encrypted')),
    ]);
    for (const name of ['ca-ed25519', 'ca-ecdsa256', 'ca-ecdsa384-pem', 'ca-ecdsa521-pkcs8', 'ca-rsa3072']) cas.set(name, await loadCaKeyFile(join(dir, name)));
    for (const name of ['user-ed25519', 'user-ecdsa256', 'user-ecdsa384', 'user-ecdsa521', 'user-rsa3072']) {
      users.set(name, parsePublicKeyLine(await readFile(join(dir, `${name}.pub`), 'utf8')));
    }
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('public key fingerprints are the ones ssh-keygen -l prints', async () => {
    for (const [name, key] of users) {
      const printed = await keygen('-l', '-E', 'sha256', '-f', join(dir, `${name}.pub`));
      assert.equal(printed.split(' ')[1], key.fingerprint, name);
      assert.equal(printed.split(' ')[0], String(key.bits), name);
    }
  });

  test('CA keys from OpenSSH, PEM and PKCS#8 files give the public key line ssh-keygen -y derives', async () => {
    for (const [name, ca] of cas) {
      const derived = (await keygen('-y', '-f', join(dir, name))).trim().split(' ').slice(0, 2).join(' ');
      assert.equal(caPublicKeyLine(ca, ''), derived, name);
    }
    assert.equal(cas.get('ca-ed25519')?.publicKey.comment, 'ca-ed25519 comment');
  });

  test('an encrypted CA key file is refused with a clear message', async () => {
    const path = join(dir, 'ca-encrypted');
    await assert.rejects(loadCaKeyFile(path), {
      name: 'InvalidInputError',
      message: `CA key ${path}: the key is encrypted (cipher aes256-ctr, kdf bcrypt); jitd cannot prompt for a passphrase: store an unencrypted copy readable only by jitd (ssh-keygen -p -N '' -f <copy>) and protect it with file permissions`,
    });
  });

  test('real DSA and 2048-bit RSA keys made by ssh-keygen are refused', async () => {
    assert.throws(() => parsePublicKeyLine(''), { message: 'public key: empty' });
    const dsa = await readFile(join(dir, 'user-dsa.pub'), 'utf8');
    assert.throws(() => parsePublicKeyLine(dsa), { message: /^public key: ssh-dss \(DSA\) keys are not accepted/ });
    const rsa = await readFile(join(dir, 'user-rsa2048.pub'), 'utf8');
    assert.throws(() => parsePublicKeyLine(rsa), { message: 'public key: an RSA key of 2048 bits is too small: at least 3072 bits are required (or use an ssh-ed25519 key)' });
  });

  const combos: ReadonlyArray<{ principals: string[]; criticalOptions?: CriticalOptions; extensions: string[] }> = [
    { principals: ['root'], extensions: ['permit-pty'] },
    {
      principals: ['deploy', 'app-admin', 'backup_01'],
      criticalOptions: { forceCommand: `/usr/bin/sudo -n /bin/systemctl restart "app server"`, sourceAddress: ['10.0.0.0/8', '192.0.2.17', '2001:db8::/32'] },
      extensions: ['permit-user-rc', 'permit-pty', 'permit-port-forwarding', 'permit-agent-forwarding', 'permit-X11-forwarding'],
    },
    { principals: ['alice'], criticalOptions: { sourceAddress: ['::1'] }, extensions: [] },
    { principals: ['bob'], criticalOptions: { forceCommand: 'internal-sftp' }, extensions: ['permit-pty', 'login@jitd.example'] },
    { principals: Array.from({ length: 20 }, (_, i) => `user${i}`), extensions: ['no-touch-required', 'permit-pty'] },
  ];

  test('every CA type signs every user key type, and ssh-keygen -L prints back what was asked', async () => {
    const validAfter = new Date('2026-03-01T09:58:00Z');
    const validBefore = new Date('2026-03-01T14:00:00.600Z');
    let serial = 1n;
    let checked = 0;
    for (const [caName, ca] of cas) {
      for (const [userName, user] of users) {
        const combo = combos[Number(serial) % combos.length] ?? combos[0];
        assert.ok(combo);
        const keyId = certificateKeyId(`lease_${serial}`, combo.principals);
        const cert = signUserCertificate({ ca, publicKey: user, serial, keyId, principals: combo.principals, validAfter, validBefore, extensions: combo.extensions, ...(combo.criticalOptions ? { criticalOptions: combo.criticalOptions } : {}) });
        const file = join(dir, `${caName}.${userName}-cert.pub`);
        await writeFile(file, `${cert.line}\n`);
        const listing = parseListing(await keygen('-L', '-f', file));
        const where = `${caName} signing ${userName}`;
        assert.equal(listing.type, `${cert.line.split(' ')[0]} user certificate`, where);
        assert.ok(listing.publicKey.endsWith(user.fingerprint), where);
        assert.ok(listing.signingCa.includes(`${ca.publicKey.fingerprint} (using ${ca.signatureAlgorithm})`), where);
        assert.equal(listing.keyId, JSON.stringify(keyId), where);
        assert.equal(listing.serial, String(serial), where);
        assert.equal(listing.valid, `from ${utc(validAfter)} to 2026-03-01T14:00:00`, where);
        assert.deepEqual(listing.principals, combo.principals, where);
        const options = [
          ...(combo.criticalOptions?.forceCommand ? [`force-command ${combo.criticalOptions.forceCommand}`] : []),
          ...(combo.criticalOptions?.sourceAddress ? [`source-address ${combo.criticalOptions.sourceAddress.join(',')}`] : []),
        ];
        assert.deepEqual(listing.criticalOptions, options, where);
        // ssh-keygen prints extensions in certificate order, so this also checks the sorting; it flags
        // vendor extensions it does not know.
        const extensions = [...combo.extensions].sort().map((e) => (e.includes('@') ? `${e} UNKNOWN FLAG OPTION` : e));
        assert.deepEqual(listing.extensions, extensions, where);
        serial++;
        checked++;
      }
    }
    assert.equal(checked, 25);
  });

  test('the largest serial and a long key id survive the trip', async () => {
    const ca = cas.get('ca-ed25519');
    const user = users.get('user-ed25519');
    assert.ok(ca && user);
    const keyId = certificateKeyId(`lease_${'x'.repeat(200)}`, ['root']);
    const cert = signUserCertificate({ ca, publicKey: user, serial: 18446744073709551615n, keyId, principals: ['root'], validAfter: new Date(0), validBefore: new Date('2100-01-01T00:00:00Z'), extensions: [] });
    const file = join(dir, 'max-cert.pub');
    await writeFile(file, cert.line);
    const listing = parseListing(await keygen('-L', '-f', file));
    assert.equal(listing.serial, '18446744073709551615');
    assert.equal(listing.keyId, JSON.stringify(keyId));
    // valid_after 0 is "since always", which ssh-keygen prints as "before <valid_before>".
    assert.equal(listing.valid, 'before 2100-01-01T00:00:00');
  });

  test('a certificate for a security key (sk-ssh-ed25519) is accepted by ssh-keygen', async () => {
    const ca = cas.get('ca-ed25519');
    assert.ok(ca);
    const blob = new SshWriter().string('sk-ssh-ed25519@openssh.com').string(randomBytes(32)).string('ssh:').toBuffer();
    const user = parsePublicKeyLine(`sk-ssh-ed25519@openssh.com ${blob.toString('base64')}`);
    const cert = signUserCertificate({ ca, publicKey: user, serial: 5n, keyId: 'lease_sk:root', principals: ['root'], validAfter: new Date(), validBefore: new Date(Date.now() + 3600_000), extensions: ['permit-pty'] });
    const file = join(dir, 'sk-cert.pub');
    await writeFile(file, cert.line);
    const listing = parseListing(await keygen('-L', '-f', file));
    assert.equal(listing.type, 'sk-ssh-ed25519-cert-v01@openssh.com user certificate');
    assert.ok(listing.publicKey.endsWith(user.fingerprint));
  });

  test('a certificate signed by ssh-keygen -s parses with parseCertificate, signature checked', async () => {
    await keygen('-q', '-s', join(dir, 'ca-rsa3072'), '-I', 'made-by-keygen', '-n', 'root,deploy', '-z', '99', '-V', '20260301100000:20260301120000', '-O', 'clear', '-O', 'permit-pty', '-O', 'source-address=10.1.0.0/16', join(dir, 'user-ecdsa256.pub'));
    const parsed = parseCertificate(await readFile(join(dir, 'user-ecdsa256-cert.pub'), 'utf8'));
    assert.equal(parsed.serial, 99n);
    assert.equal(parsed.keyId, 'made-by-keygen');
    assert.deepEqual(parsed.principals, ['root', 'deploy']);
    assert.deepEqual(parsed.validAfter, new Date('2026-03-01T10:00:00Z'));
    assert.deepEqual(parsed.validBefore, new Date('2026-03-01T12:00:00Z'));
    assert.deepEqual(parsed.criticalOptions, { 'source-address': '10.1.0.0/16' });
    assert.deepEqual(parsed.extensions, { 'permit-pty': '' });
    assert.equal(parsed.signatureAlgorithm, 'rsa-sha2-512');
    assert.equal(parsed.signatureKey.fingerprint, cas.get('ca-rsa3072')?.publicKey.fingerprint);
  });

  test('signing takes microseconds per certificate (measured, printed as a diagnostic)', (t) => {
    const user = users.get('user-ed25519');
    assert.ok(user);
    for (const [name, rounds] of [['ca-ed25519', 2000], ['ca-ecdsa256', 500], ['ca-rsa3072', 50]] as const) {
      const ca = cas.get(name);
      assert.ok(ca);
      const start = process.hrtime.bigint();
      for (let i = 0; i < rounds; i++) {
        signUserCertificate({ ca, publicKey: user, serial: BigInt(i + 1), keyId: `lease_${i}:root`, principals: ['root'], validAfter: new Date(), validBefore: new Date(Date.now() + 3600_000), extensions: ['permit-pty'] });
      }
      const micros = Number(process.hrtime.bigint() - start) / 1000 / rounds;
      t.diagnostic(`${name}: ${micros.toFixed(1)} µs per certificate (${rounds} signed)`);
      assert.ok(micros < 50_000, `${name} signing took ${micros} µs`);
    }
  });
});
