import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SshReader, SshWriter, decodeBase64Strict, hasControlCharacter, mpintBytes } from '../../src/connectors/ssh/ssh-wire.ts';

describe('SSH wire encoding (RFC 4251 §5)', () => {
  test('uint32, uint64 and string are big-endian with a 4-byte length prefix', () => {
    const bytes = new SshWriter().uint32(0x29b7f4aa).uint64(0x0102030405060708n).string('testing').toBuffer();
    assert.equal(bytes.toString('hex'), '29b7f4aa' + '0102030405060708' + '00000007' + Buffer.from('testing').toString('hex'));
  });

  test('mpints follow the examples of RFC 4251: zero is empty, a set top bit gets a zero byte', () => {
    assert.equal(new SshWriter().mpint(0n).toBuffer().toString('hex'), '00000000');
    assert.equal(new SshWriter().mpint(0x9a378f9b2e332a7n).toBuffer().toString('hex'), '0000000809a378f9b2e332a7');
    assert.equal(new SshWriter().mpint(0x80n).toBuffer().toString('hex'), '000000020080');
    assert.equal(mpintBytes(Buffer.from('000080', 'hex')).toString('hex'), '0080');
  });

  test('name-lists are comma-separated and refuse names that contain a comma', () => {
    assert.equal(new SshWriter().nameList(['zlib', 'none']).toBuffer().toString('hex'), '000000097a6c69622c6e6f6e65');
    assert.deepEqual(new SshReader(new SshWriter().nameList([]).toBuffer(), 'test').nameList(), []);
    assert.throws(() => new SshWriter().nameList(['a,b']), { message: 'invalid name-list entry: "a,b"' });
  });

  test('what the writer writes, the reader reads back', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.nat({ max: 0xffffffff }), fc.uint8Array(), fc.bigInt({ min: 0n, max: 1n << 600n }), (u64, u32, bytes, big) => {
        const buf = new SshWriter().uint64(u64).uint32(u32).string(bytes).mpint(big).toBuffer();
        const r = new SshReader(buf, 'test');
        assert.equal(r.uint64(), u64);
        assert.equal(r.uint32(), u32);
        assert.deepEqual(new Uint8Array(r.string()), bytes);
        const magnitude = r.mpint();
        assert.equal(magnitude.length === 0 ? 0n : BigInt(`0x${magnitude.toString('hex')}`), big);
        r.end();
      }),
    );
  });

  test('a truncated string is reported with its field and offset', () => {
    const buf = Buffer.from('0000000a616263', 'hex');
    assert.throws(() => new SshReader(buf, 'public key').string('ed25519 key'), {
      name: 'InvalidInputError',
      message: 'public key: truncated ed25519 key at offset 4 (needs 10 bytes, 3 left)',
    });
  });

  test('trailing bytes are an error, not ignored', () => {
    const r = new SshReader(Buffer.from('0000000161ff', 'hex'), 'certificate');
    r.string();
    assert.throws(() => r.end(), { message: 'certificate: 1 unexpected trailing bytes at offset 5' });
  });

  test('a negative mpint is refused and extra leading zeros are tolerated as OpenSSH does', () => {
    assert.throws(() => new SshReader(Buffer.from('0000000180', 'hex'), 'signature').mpint('ecdsa r'), { message: 'signature: ecdsa r is negative' });
    assert.equal(new SshReader(Buffer.from('00000003000001', 'hex'), 'x').mpint().toString('hex'), '01');
  });

  test('text fields must be valid UTF-8', () => {
    assert.throws(() => new SshReader(Buffer.from('00000001ff', 'hex'), 'certificate').text('key id'), { message: 'certificate: key id is not valid UTF-8' });
  });

  test('strict base64 refuses what Buffer.from would silently accept', () => {
    assert.deepEqual(decodeBase64Strict('AAECAw==', 'blob'), Buffer.of(0, 1, 2, 3));
    for (const bad of ['', 'AAECAw', 'AA ECAw==', 'AAECAw=a', 'AAE-Aw==', 'AAECAx==']) {
      assert.throws(() => decodeBase64Strict(bad, 'blob'), { message: 'blob: not valid base64' }, bad);
    }
  });

  test('control characters, tab included, and DEL are detected in otherwise printable text', () => {
    assert.equal(hasControlCharacter('lease-1:alice'), false);
    assert.equal(hasControlCharacter('a\nb'), true);
    assert.equal(hasControlCharacter('a\u007fb'), true);
    assert.equal(hasControlCharacter('a\tb'), true);
  });
});
