import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  blobFromKeyObject,
  keyFields,
  parsePublicKeyBlob,
  parsePublicKeyLine,
  publicKeyLine,
  toKeyObject,
} from '../../src/connectors/ssh/public-key.ts';
import { SshWriter } from '../../src/connectors/ssh/ssh-wire.ts';

// Made by ssh-keygen 9.2; `ssh-keygen -l -f` printed the fingerprint below.
const KEYGEN_LINE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILQwLmesykfeNqOzouijMrDm27ogxgM3AK0Sgtne0BQu root@vm';
const KEYGEN_FINGERPRINT = 'SHA256:TpAgKbHac87I5ck0RqutMvKqdAg7iRdYPGTs+orYByc';
const KEYGEN_ECDSA = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAuZpgE+WDkJfVHTXxoy451ngjxdYUjpc55PBnK3E4Ven+gAKeopUeUtRH7UTGr4gc3nnDLbTljMrFkIguFlI4M= e c';
const KEYGEN_ECDSA_FINGERPRINT = 'SHA256:KX2vzkzPuUFK8Oc3DWiEYlc4N0WOZQJmz2o5oLNpSDQ';

/** An RSA public key line with a modulus of `bits` bits (not a real key: parsing does not factor it). */
function rsaLine(bits: number): string {
  const n = randomBytes(bits / 8);
  n[0] = (n[0] ?? 0) | 0x80;
  n[n.length - 1] = (n[n.length - 1] ?? 0) | 1;
  return `ssh-rsa ${new SshWriter().string('ssh-rsa').mpint(65537n).mpint(n).toBuffer().toString('base64')} test`;
}

function line(blob: Buffer): string {
  const type = blob.subarray(4, 4 + blob.readUInt32BE(0)).toString();
  return `${type} ${blob.toString('base64')}`;
}

describe('OpenSSH public key lines', () => {
  test('an ed25519 line from ssh-keygen parses, keeps its comment and has the fingerprint ssh-keygen prints', () => {
    const key = parsePublicKeyLine(`  ${KEYGEN_LINE}\n`);
    assert.equal(key.type, 'ssh-ed25519');
    assert.equal(key.comment, 'root@vm');
    assert.equal(key.bits, 256);
    assert.equal(key.fingerprint, KEYGEN_FINGERPRINT);
    assert.equal(publicKeyLine(key), KEYGEN_LINE);
  });

  test('an ECDSA P-256 line from ssh-keygen parses with a comment containing a space', () => {
    const key = parsePublicKeyLine(KEYGEN_ECDSA);
    assert.equal(key.type, 'ecdsa-sha2-nistp256');
    assert.equal(key.comment, 'e c');
    assert.equal(key.fingerprint, KEYGEN_ECDSA_FINGERPRINT);
  });

  test('ECDSA keys on P-256, P-384 and P-521 round-trip between node KeyObjects and SSH blobs', () => {
    for (const [namedCurve, type, bits] of [
      ['P-256', 'ecdsa-sha2-nistp256', 256],
      ['P-384', 'ecdsa-sha2-nistp384', 384],
      ['P-521', 'ecdsa-sha2-nistp521', 521],
    ] as const) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve });
      const key = parsePublicKeyLine(line(blobFromKeyObject(publicKey)));
      assert.equal(key.type, type);
      assert.equal(key.bits, bits);
      assert.deepEqual(toKeyObject(key).export({ format: 'jwk' }), publicKey.export({ format: 'jwk' }));
    }
  });

  test('RSA keys of 3072 bits and more are accepted', () => {
    assert.equal(parsePublicKeyLine(rsaLine(3072)).bits, 3072);
    assert.equal(parsePublicKeyLine(rsaLine(4096)).bits, 4096);
  });

  test('RSA keys under 3072 bits are refused with the size and what to use instead', () => {
    assert.throws(() => parsePublicKeyLine(rsaLine(2048)), {
      name: 'InvalidInputError',
      message: 'public key: an RSA key of 2048 bits is too small: at least 3072 bits are required (or use an ssh-ed25519 key)',
    });
  });

  test('DSA keys are refused with the reason', () => {
    const blob = new SshWriter().string('ssh-dss').mpint(7n).mpint(5n).mpint(3n).mpint(2n).toBuffer();
    assert.throws(() => parsePublicKeyLine(line(blob)), {
      message: 'public key: ssh-dss (DSA) keys are not accepted: OpenSSH 9 disables them and they cannot be longer than 1024 bits; use an ssh-ed25519 key',
    });
  });

  test('security-key (sk-*) keys are accepted: a certificate only carries their public part', () => {
    const ed = new SshWriter().string('sk-ssh-ed25519@openssh.com').string(randomBytes(32)).string('ssh:').toBuffer();
    const skEd = parsePublicKeyLine(`${line(ed)} yubikey`);
    assert.equal(skEd.type, 'sk-ssh-ed25519@openssh.com');
    assert.equal(keyFields(skEd).length, 4 + 32 + 4 + 4);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const point = new SshWriter().raw(blobFromKeyObject(publicKey).subarray(4 + 19)).toBuffer();
    const ec = Buffer.concat([new SshWriter().string('sk-ecdsa-sha2-nistp256@openssh.com').toBuffer(), point, new SshWriter().string('ssh:').toBuffer()]);
    assert.equal(parsePublicKeyLine(line(ec)).bits, 256);
    assert.throws(() => toKeyObject(skEd), { message: 'public key: sk-ssh-ed25519@openssh.com keys live on a hardware token and cannot be used here' });
  });

  test('a certificate given instead of a public key is refused with a hint', () => {
    assert.throws(() => parsePublicKeyLine('ssh-ed25519-cert-v01@openssh.com AAAA'), {
      message: 'public key: this is a certificate (ssh-ed25519-cert-v01@openssh.com), not a public key: give the plain public key (the .pub file)',
    });
  });

  test('unknown key types are refused with the list of supported ones', () => {
    assert.throws(() => parsePublicKeyLine('ssh-ed448 AAAA'), {
      message:
        'public key: unsupported key type "ssh-ed448" (supported: ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, ssh-rsa of at least 3072 bits, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com)',
    });
  });

  test('authorized_keys options in front of the key are refused', () => {
    assert.throws(() => parsePublicKeyLine(`from="10.0.0.1" ${KEYGEN_LINE}`), {
      message: 'public key: authorized_keys options are not accepted: give only the key, starting with its type (e.g. ssh-ed25519 AAAA…)',
    });
  });

  test('empty input, several lines, and a missing blob are refused', () => {
    assert.throws(() => parsePublicKeyLine('  '), { message: 'public key: empty' });
    assert.throws(() => parsePublicKeyLine(`${KEYGEN_LINE}\n${KEYGEN_LINE}`), { message: 'public key: give exactly one key, on one line' });
    assert.throws(() => parsePublicKeyLine('ssh-ed25519'), { message: 'public key: expected "<type> <base64> [comment]"' });
    assert.throws(() => parsePublicKeyLine('ssh-ed25519 AAAA%%%%'), { message: 'public key: not valid base64' });
  });

  test('a line whose type does not match the encoded key is refused', () => {
    const blob = KEYGEN_LINE.split(' ')[1] ?? '';
    assert.throws(() => parsePublicKeyLine(`ecdsa-sha2-nistp256 ${blob}`), { message: 'public key: the line says ecdsa-sha2-nistp256 but the encoded key is ssh-ed25519' });
  });

  test('malformed blobs are refused: wrong ed25519 length, wrong curve, point off the curve, trailing bytes', () => {
    assert.throws(() => parsePublicKeyBlob(new SshWriter().string('ssh-ed25519').string(randomBytes(31)).toBuffer()), {
      message: 'public key: an ed25519 key is 32 bytes, this one is 31',
    });
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const good = blobFromKeyObject(publicKey);
    const point = good.subarray(good.length - 65);
    assert.throws(() => parsePublicKeyBlob(new SshWriter().string('ecdsa-sha2-nistp256').string('nistp384').string(point).toBuffer()), {
      message: 'public key: key type ecdsa-sha2-nistp256 names curve "nistp384", expected nistp256',
    });
    const offCurve = Buffer.from(point);
    offCurve[64] = (offCurve[64] ?? 0) ^ 1;
    assert.throws(() => parsePublicKeyBlob(new SshWriter().string('ecdsa-sha2-nistp256').string('nistp256').string(offCurve).toBuffer()), {
      message: 'public key: the nistp256 point is not on the curve',
    });
    assert.throws(() => parsePublicKeyBlob(Buffer.concat([good, Buffer.of(0)])), { message: 'public key: 1 unexpected trailing bytes at offset 104' });
  });

  test('node keys OpenSSH cannot use are refused when converted', () => {
    const { publicKey } = generateKeyPairSync('ed448');
    assert.throws(() => blobFromKeyObject(publicKey), { message: 'ed448 keys cannot be used with OpenSSH (use ed25519, ECDSA P-256/384/521 or RSA)' });
  });
});
