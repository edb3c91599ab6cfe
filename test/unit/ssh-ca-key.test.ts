import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { caPublicKeyLine, parseCaKey, signWithCa } from '../../src/connectors/ssh/ca-key.ts';
import { blobFromKeyObject, parsePublicKeyBlob, verifySshSignature } from '../../src/connectors/ssh/public-key.ts';
import { SshWriter } from '../../src/connectors/ssh/ssh-wire.ts';

/** An `openssh-key-v1` file for an ed25519 key pair, built field by field as PROTOCOL.key describes. */
function openSshEd25519File(privateKey: KeyObject, options: { comment?: string; cipher?: string; publicOverride?: Buffer } = {}): string {
  const jwk = privateKey.export({ format: 'jwk' });
  const pk = Buffer.from(jwk.x ?? '', 'base64url');
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const publicBlob = options.publicOverride ?? new SshWriter().string('ssh-ed25519').string(pk).toBuffer();
  const check = randomBytes(4).readUInt32BE(0);
  const section = new SshWriter().uint32(check).uint32(check).string('ssh-ed25519').string(pk).string(Buffer.concat([seed, pk])).string(options.comment ?? '');
  let length = section.toBuffer().length;
  for (let pad = 1; length % 8 !== 0; pad++, length++) section.byte(pad);
  const cipher = options.cipher ?? 'none';
  const body = new SshWriter()
    .raw(Buffer.from('openssh-key-v1\0', 'latin1'))
    .string(cipher)
    .string(cipher === 'none' ? 'none' : 'bcrypt')
    .string(cipher === 'none' ? '' : new SshWriter().string(randomBytes(16)).uint32(16).toBuffer())
    .uint32(1)
    .string(publicBlob)
    .string(section.toBuffer())
    .toBuffer()
    .toString('base64');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body.replace(/.{1,70}/g, '$&\n')}-----END OPENSSH PRIVATE KEY-----\n`;
}

/** Every 12-character run of the key's secret parts, as they could appear in a leaked message. */
function secretFragments(privateKey: KeyObject, pem: string): string[] {
  const jwk = privateKey.export({ format: 'jwk' });
  const secrets = [jwk.d, jwk.p, jwk.q, pem.split('\n').slice(1, -2).join('')].filter((s): s is string => typeof s === 'string' && s.length > 0);
  return secrets.flatMap((s) => Array.from({ length: Math.floor(s.length / 12) }, (_, i) => s.slice(i * 12, i * 12 + 12)));
}

describe('CA private key loading', () => {
  test('an unencrypted OpenSSH ed25519 key loads with its comment and the matching public key line', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const ca = parseCaKey(openSshEd25519File(privateKey, { comment: 'jitd user CA' }), 'ca');
    assert.equal(ca.publicKey.type, 'ssh-ed25519');
    assert.equal(ca.signatureAlgorithm, 'ssh-ed25519');
    assert.deepEqual(ca.publicKey.blob, blobFromKeyObject(publicKey));
    assert.equal(caPublicKeyLine(ca), `ssh-ed25519 ${blobFromKeyObject(publicKey).toString('base64')} jitd user CA`);
    assert.equal(caPublicKeyLine(ca, ''), `ssh-ed25519 ${blobFromKeyObject(publicKey).toString('base64')}`);
  });

  test('PKCS#8 and SEC1 PEM keys load, and what the CA signs verifies with its public key', () => {
    const keys = [
      generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }),
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'sec1' }),
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
      generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    ];
    for (const pem of keys) {
      const ca = parseCaKey(pem.toString(), 'ca.pem');
      const data = randomBytes(100);
      assert.equal(verifySshSignature(ca.publicKey, data, signWithCa(ca, data)), true, ca.publicKey.type);
      assert.equal(verifySshSignature(ca.publicKey, Buffer.concat([data, Buffer.of(0)]), signWithCa(ca, data)), false, ca.publicKey.type);
    }
  });

  test('an RSA CA signs with rsa-sha2-512, never SHA-1 ssh-rsa', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    const ca = parseCaKey(pem, 'rsa.pem');
    assert.equal(ca.signatureAlgorithm, 'rsa-sha2-512');
    const data = randomBytes(50);
    const signature = signWithCa(ca, data);
    assert.equal(signature.subarray(4, 4 + 12).toString(), 'rsa-sha2-512');
    assert.equal(verifySshSignature(ca.publicKey, data, signature), true);
  });

  test('an RSA CA key under 3072 bits is refused', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    assert.throws(() => parseCaKey(pem, '/etc/jitd/ca'), {
      name: 'InvalidInputError',
      message: 'CA key /etc/jitd/ca: an RSA key of 2048 bits is too small: at least 3072 bits are required (or use an ssh-ed25519 key)',
    });
  });

  test('an encrypted OpenSSH key is refused with what to do, without any key material in the message', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const file = openSshEd25519File(privateKey, { cipher: 'aes256-ctr' });
    assert.throws(
      () => parseCaKey(file, '/etc/jitd/ca'),
      (err: Error) => {
        assert.equal(
          err.message,
          "CA key /etc/jitd/ca: the key is encrypted (cipher aes256-ctr, kdf bcrypt); jitd cannot prompt for a passphrase: store an unencrypted copy readable only by jitd (ssh-keygen -p -N '' -f <copy>) and protect it with file permissions",
        );
        return true;
      },
    );
  });

  test('an encrypted PEM key is refused the same way', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }).toString();
    assert.throws(() => parseCaKey(pem, 'ca.pem'), { message: /^CA key ca\.pem: the key is encrypted \(PEM\); jitd cannot prompt for a passphrase/ });
  });

  test('a file whose stored public key does not match its private key is refused', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const other = blobFromKeyObject(generateKeyPairSync('ed25519').publicKey);
    assert.throws(() => parseCaKey(openSshEd25519File(privateKey, { publicOverride: other }), 'ca'), {
      message: 'CA key ca: the public key stored in the file does not match its private key',
    });
  });

  test('public keys, unsupported key types and garbage are refused with the file name', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed448');
    assert.throws(() => parseCaKey(publicKey.export({ format: 'pem', type: 'spki' }).toString(), 'ca.pub'), {
      message: 'CA key ca.pub: not a private key (expected "-----BEGIN OPENSSH PRIVATE KEY-----" or a PEM private key)',
    });
    assert.throws(() => parseCaKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'ed448.pem'), {
      message: 'CA key ed448.pem: ed448 keys cannot be used with OpenSSH (use ed25519, ECDSA P-256/384/521 or RSA)',
    });
    assert.throws(() => parseCaKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', 'x'), {
      message: /^CA key x: not an OpenSSH or PEM private key \(ERR_/,
    });
    assert.throws(() => parseCaKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n', 'y'), {
      message: 'CA key y: no "-----END OPENSSH PRIVATE KEY-----" line',
    });
  });

  test('no error message contains any part of the private key', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const good = openSshEd25519File(privateKey, { comment: 'c' });
    const lines = good.split('\n');
    // A changed byte in the private section, a cut body, an encrypted file, a cut PEM body.
    const flipped = lines.map((l, i) => (i === 3 ? `${l.slice(0, 20)}${l[20] === 'A' ? 'B' : 'A'}${l.slice(21)}` : l)).join('\n');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const broken = [flipped, [...lines.slice(0, 3), ...lines.slice(4)].join('\n'), openSshEd25519File(privateKey, { cipher: 'aes256-ctr' }), pem.replace(/\n.{10}/, '\n')];
    const fragments = [...secretFragments(privateKey, good), ...secretFragments(privateKey, pem)];
    for (const text of broken) {
      assert.throws(
        () => parseCaKey(text, 'ca'),
        (err: Error) => {
          const all = `${err.message} ${String(err.cause ?? '')} ${JSON.stringify(err)}`;
          for (const f of fragments) assert.ok(!all.includes(f), `message leaks key material: ${err.message}`);
          return true;
        },
      );
    }
  });

  test('a loaded CA key serialises without its private key', () => {
    const ca = parseCaKey(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'ca');
    const d = ca.privateKey.export({ format: 'jwk' }).d ?? '';
    assert.ok(d.length > 0);
    assert.ok(!JSON.stringify(ca).includes(d));
    assert.ok(!JSON.stringify(ca).includes(Buffer.from(d, 'base64url').toString('base64')));
  });

  test('a CA key parsed from its own public blob matches', () => {
    const ca = parseCaKey(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'ca');
    assert.equal(parsePublicKeyBlob(ca.publicKey.blob).fingerprint, ca.publicKey.fingerprint);
  });
});
