import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseCaKey, signWithCa } from '../../src/connectors/ssh/ca-key.ts';
import type { SshCaKey } from '../../src/connectors/ssh/ca-key.ts';
import {
  DEFAULT_EXTENSIONS,
  certificateKeyId,
  parseCertificate,
  signUserCertificate,
  sourceAddressProblem,
} from '../../src/connectors/ssh/certificate.ts';
import type { UserCertificateRequest } from '../../src/connectors/ssh/certificate.ts';
import { blobFromKeyObject, parsePublicKeyBlob } from '../../src/connectors/ssh/public-key.ts';
import type { SshPublicKey } from '../../src/connectors/ssh/public-key.ts';
import { SshReader, SshWriter } from '../../src/connectors/ssh/ssh-wire.ts';

function ed25519Ca(): SshCaKey {
  return parseCaKey(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'ca');
}

function userKey(): SshPublicKey {
  return parsePublicKeyBlob(blobFromKeyObject(generateKeyPairSync('ed25519').publicKey), 'alice@laptop');
}

const CA = ed25519Ca();
const USER = userKey();
const NOW = new Date('2026-03-01T10:00:00.750Z');

function request(overrides: Partial<UserCertificateRequest> = {}): UserCertificateRequest {
  return {
    ca: CA,
    publicKey: USER,
    serial: 17n,
    keyId: certificateKeyId('lease_01J9ZK', ['root']),
    principals: ['root'],
    validAfter: new Date(NOW.getTime() - 120_000),
    validBefore: new Date(NOW.getTime() + 4 * 3600_000),
    extensions: DEFAULT_EXTENSIONS,
    ...overrides,
  };
}

/** Names of the options or extensions section of a certificate, in wire order. */
function sectionNames(bytes: Buffer, section: 'options' | 'extensions'): string[] {
  const r = new SshReader(bytes, 'cert');
  r.string();
  r.string();
  r.string(); // ed25519 key
  r.uint64();
  r.uint32();
  r.string();
  r.string();
  r.uint64();
  r.uint64();
  const options = r.string();
  const extensions = r.string();
  const inner = new SshReader(section === 'options' ? options : extensions, section);
  const names: string[] = [];
  while (inner.remaining > 0) {
    names.push(inner.text());
    inner.string();
  }
  return names;
}

describe('user certificates', () => {
  test('a signed certificate parses back to exactly what was asked, with the key id as the line comment', () => {
    const cert = signUserCertificate(
      request({
        principals: ['root', 'deploy'],
        keyId: certificateKeyId('lease_01J9ZK', ['root', 'deploy']),
        criticalOptions: { forceCommand: '/usr/bin/systemctl restart app', sourceAddress: ['10.0.0.0/8', '2001:db8::/32'] },
        extensions: ['permit-pty', 'permit-port-forwarding'],
      }),
    );
    assert.match(cert.line, /^ssh-ed25519-cert-v01@openssh\.com [A-Za-z0-9+/]+=* lease_01J9ZK:root,deploy$/);
    const parsed = parseCertificate(cert.line);
    assert.equal(parsed.kind, 'user');
    assert.equal(parsed.serial, 17n);
    assert.equal(parsed.keyId, 'lease_01J9ZK:root,deploy');
    assert.deepEqual(parsed.principals, ['root', 'deploy']);
    assert.deepEqual(parsed.validAfter, new Date('2026-03-01T09:58:00.000Z'));
    assert.deepEqual(parsed.validBefore, new Date('2026-03-01T14:00:00.000Z'));
    assert.deepEqual(parsed.criticalOptions, { 'force-command': '/usr/bin/systemctl restart app', 'source-address': '10.0.0.0/8,2001:db8::/32' });
    assert.deepEqual(parsed.extensions, { 'permit-port-forwarding': '', 'permit-pty': '' });
    assert.deepEqual(parsed.publicKey.blob, USER.blob);
    assert.deepEqual(parsed.signatureKey.blob, CA.publicKey.blob);
    assert.equal(parsed.signatureAlgorithm, 'ssh-ed25519');
    assert.deepEqual(parsed.bytes, cert.bytes);
  });

  test('valid_before is rounded down so the certificate never outlives the lease', () => {
    const cert = parseCertificate(signUserCertificate(request({ validBefore: new Date('2026-03-01T14:00:00.999Z') })).line);
    assert.deepEqual(cert.validBefore, new Date('2026-03-01T14:00:00.000Z'));
  });

  test('extensions and critical options are written sorted by name in byte order, whatever the input order', () => {
    const cert = signUserCertificate(
      request({
        criticalOptions: { sourceAddress: ['192.0.2.1'], forceCommand: 'true' },
        extensions: ['permit-user-rc', 'permit-pty', 'permit-agent-forwarding', 'permit-X11-forwarding', 'permit-port-forwarding', 'acme@example.com'],
      }),
    );
    // Upper-case X sorts before lower case, as in OpenSSH's own certificates.
    assert.deepEqual(sectionNames(cert.bytes, 'extensions'), ['acme@example.com', 'permit-X11-forwarding', 'permit-agent-forwarding', 'permit-port-forwarding', 'permit-pty', 'permit-user-rc']);
    assert.deepEqual(sectionNames(cert.bytes, 'options'), ['force-command', 'source-address']);
  });

  test('each certificate gets a fresh 32-byte nonce', () => {
    const a = parseCertificate(signUserCertificate(request()).line);
    const b = parseCertificate(signUserCertificate(request()).line);
    assert.equal(a.nonce.length, 32);
    assert.notDeepEqual(a.nonce, b.nonce);
  });

  test('certificates can be issued for ECDSA, RSA and security keys, with the matching certificate type', () => {
    const ec = parsePublicKeyBlob(blobFromKeyObject(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey));
    assert.equal(parseCertificate(signUserCertificate(request({ publicKey: ec })).line).certType, 'ecdsa-sha2-nistp384-cert-v01@openssh.com');
    const n = randomBytes(384);
    n[0] = (n[0] ?? 0) | 0x80;
    const rsa = parsePublicKeyBlob(new SshWriter().string('ssh-rsa').mpint(65537n).mpint(n).toBuffer());
    assert.equal(parseCertificate(signUserCertificate(request({ publicKey: rsa })).line).certType, 'ssh-rsa-cert-v01@openssh.com');
    const sk = parsePublicKeyBlob(new SshWriter().string('sk-ssh-ed25519@openssh.com').string(randomBytes(32)).string('ssh:').toBuffer());
    const parsed = parseCertificate(signUserCertificate(request({ publicKey: sk })).line);
    assert.equal(parsed.certType, 'sk-ssh-ed25519-cert-v01@openssh.com');
    assert.deepEqual(parsed.publicKey.blob, sk.blob);
  });

  test('ECDSA and RSA CAs sign certificates that verify', () => {
    for (const pem of [
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
      generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
      generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    ]) {
      const ca = parseCaKey(pem.toString(), 'ca');
      const parsed = parseCertificate(signUserCertificate(request({ ca })).line);
      assert.equal(parsed.signatureKey.type, ca.publicKey.type);
    }
  });

  test('every problem with a request is reported at once, with its field', () => {
    assert.throws(
      () =>
        signUserCertificate(
          request({
            serial: 0n,
            keyId: 'lease#1',
            principals: ['root', 'root', 'bad user'],
            validAfter: new Date('2026-03-01T10:00:00.100Z'),
            validBefore: new Date('2026-03-01T10:00:00.900Z'),
            criticalOptions: { forceCommand: '', sourceAddress: ['10.0.0.1/8'] },
            extensions: ['permit-pty', 'permit-pty', 'permit-pyt'],
          }),
        ),
      {
        name: 'InvalidInputError',
        message: [
          'serial: must be between 1 and 18446744073709551615 (0 means "no serial": such a certificate cannot be revoked by serial)',
          'keyId: must be printable ASCII without "#" and without leading or trailing spaces',
          'principals[1]: "root" is listed twice',
          'principals[2]: "bad user" is not a valid principal (1 to 256 characters, no spaces, commas or control characters)',
          'validBefore: must be at least one second after validAfter',
          'criticalOptions.forceCommand: must be a non-empty command without control characters',
          'criticalOptions.sourceAddress[0]: "10.0.0.1/8" has host bits set: write the network address of the /8 block',
          'extensions[1]: "permit-pty" is listed twice',
          'extensions[2]: unknown extension "permit-pyt" (known: no-touch-required, permit-X11-forwarding, permit-agent-forwarding, permit-port-forwarding, permit-pty, permit-user-rc; others must be name@domain)',
        ].join('; '),
      },
    );
  });

  test('a certificate without principals is refused: sshd would accept it for any user', () => {
    assert.throws(() => signUserCertificate(request({ principals: [] })), {
      message: 'principals: at least one principal is required: a certificate without principals lets its holder log in as any user',
    });
  });

  test('source-address entries are checked the way sshd checks them', () => {
    for (const ok of ['10.0.0.0/8', '192.0.2.7', '192.0.2.7/32', '0.0.0.0/0', '::1', '2001:db8::/32', '::ffff:192.0.2.0/120', 'fe80::/10']) {
      assert.equal(sourceAddressProblem(ok), undefined, ok);
    }
    assert.equal(sourceAddressProblem('2001:db8::1/32'), '"2001:db8::1/32" has host bits set: write the network address of the /32 block');
    assert.equal(sourceAddressProblem('10.0.0.0/33'), '"10.0.0.0/33" has an invalid prefix length (0 to 32)');
    assert.equal(sourceAddressProblem('10.0.0.*'), '"10.0.0.*" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)');
    assert.equal(sourceAddressProblem('fe80::1%eth0'), '"fe80::1%eth0" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)');
    assert.equal(sourceAddressProblem(' 10.0.0.1'), '" 10.0.0.1" is not an IP address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)');
  });

  test('an altered certificate fails signature verification', () => {
    const cert = signUserCertificate(request({ principals: ['app'] }));
    const bytes = Buffer.from(cert.bytes);
    const at = bytes.indexOf(Buffer.from('app'));
    bytes.write('roo', at); // same length, different principal
    assert.throws(() => parseCertificate(`ssh-ed25519-cert-v01@openssh.com ${bytes.toString('base64')}`), {
      message: `certificate: the CA signature does not verify (the certificate was altered or not signed by ${CA.publicKey.fingerprint})`,
    });
  });

  test('a certificate with unsorted extensions is refused even when its signature is good', () => {
    const body = new SshWriter()
      .string('ssh-ed25519-cert-v01@openssh.com')
      .string(randomBytes(32))
      .raw(USER.blob.subarray(4 + 11))
      .uint64(1n)
      .uint32(1)
      .string('k')
      .string(new SshWriter().string('root').toBuffer())
      .uint64(0n)
      .uint64(2000000000n)
      .string('')
      .string(new SshWriter().string('permit-pty').string('').string('permit-X11-forwarding').string('').toBuffer())
      .string('')
      .string(CA.publicKey.blob)
      .toBuffer();
    const bytes = Buffer.concat([body, new SshWriter().string(signWithCa(CA, body)).toBuffer()]);
    assert.throws(() => parseCertificate(`ssh-ed25519-cert-v01@openssh.com ${bytes.toString('base64')}`), {
      message: 'certificate: extensions are not sorted by name without repeats, as PROTOCOL.certkeys requires (sshd refuses such a certificate)',
    });
  });

  test('plain public keys and mismatched types are not parsed as certificates', () => {
    assert.throws(() => parseCertificate(`ssh-ed25519 ${USER.blob.toString('base64')}`), { message: 'certificate: "ssh-ed25519" is not a supported certificate type' });
    const cert = signUserCertificate(request());
    assert.throws(() => parseCertificate(cert.line.replace(/^ssh-ed25519-cert/, 'ssh-rsa-cert')), {
      message: 'certificate: the line says ssh-rsa-cert-v01@openssh.com but the encoded certificate is ssh-ed25519-cert-v01@openssh.com',
    });
  });

  test('the key id ties the certificate to its lease and principals', () => {
    assert.equal(certificateKeyId('lease_01J9ZK', ['root']), 'lease_01J9ZK:root');
    assert.equal(certificateKeyId('lease_01J9ZK', ['root', 'deploy']), 'lease_01J9ZK:root,deploy');
  });
});
