// The SSH wire encoding of RFC 4251 §5 (byte, uint32, uint64, string, mpint, name-list): the format of
// public keys, certificates, signatures and OpenSSH private key files. Lengths are checked on every read,
// so a truncated or padded blob fails with the offset where it went wrong instead of reading garbage.
import { InvalidInputError } from '../../core/errors.ts';

const UINT32_MAX = 0xffff_ffff;
const UINT64_MAX = (1n << 64n) - 1n;

/** Appends SSH wire values to a growing buffer. */
export class SshWriter {
  private readonly chunks: Buffer[] = [];

  byte(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`byte out of range: ${value}`);
    this.chunks.push(Buffer.of(value));
    return this;
  }

  uint32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > UINT32_MAX) throw new RangeError(`uint32 out of range: ${value}`);
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    this.chunks.push(b);
    return this;
  }

  uint64(value: bigint): this {
    if (value < 0n || value > UINT64_MAX) throw new RangeError(`uint64 out of range: ${value}`);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(value);
    this.chunks.push(b);
    return this;
  }

  /** A length-prefixed byte string; text is written as UTF-8. */
  string(value: Buffer | Uint8Array | string): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    this.uint32(bytes.length);
    this.chunks.push(bytes);
    return this;
  }

  /** A non-negative multiple-precision integer from its unsigned big-endian magnitude. */
  mpint(magnitude: Buffer | bigint): this {
    return this.string(mpintBytes(magnitude));
  }

  /** Comma-separated names (RFC 4251 name-list); names must be non-empty and contain no comma. */
  nameList(names: readonly string[]): this {
    for (const name of names) {
      if (name.length === 0 || name.includes(',')) throw new RangeError(`invalid name-list entry: ${JSON.stringify(name)}`);
    }
    return this.string(names.join(','));
  }

  /** Bytes appended as they are (already encoded). */
  raw(bytes: Buffer | Uint8Array): this {
    this.chunks.push(Buffer.from(bytes));
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** The mpint body for a non-negative integer: minimal big-endian, a leading zero byte when the top bit is set. */
export function mpintBytes(magnitude: Buffer | bigint): Buffer {
  let bytes: Buffer;
  if (typeof magnitude === 'bigint') {
    if (magnitude < 0n) throw new RangeError('negative mpint values are not used by SSH keys');
    const hex = magnitude.toString(16);
    bytes = magnitude === 0n ? Buffer.alloc(0) : Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  } else {
    let start = 0;
    while (start < magnitude.length && magnitude[start] === 0) start++;
    bytes = magnitude.subarray(start);
  }
  return bytes.length > 0 && (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.of(0), bytes]) : Buffer.from(bytes);
}

/** Reads SSH wire values from a buffer; `what` names the structure in error messages ("public key", ...). */
export class SshReader {
  private readonly buf: Buffer;
  private readonly what: string;
  private pos = 0;

  constructor(buf: Buffer, what: string) {
    this.buf = buf;
    this.what = what;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private take(n: number, field: string): Buffer {
    if (n > this.remaining) {
      throw new InvalidInputError(`${this.what}: truncated ${field} at offset ${this.pos} (needs ${n} bytes, ${this.remaining} left)`);
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Exactly `n` raw bytes (no length prefix). */
  bytes(n: number, field: string): Buffer {
    return this.take(n, field);
  }

  byte(field = 'byte'): number {
    return this.take(1, field)[0] ?? 0;
  }

  uint32(field = 'uint32'): number {
    return this.take(4, field).readUInt32BE(0);
  }

  uint64(field = 'uint64'): bigint {
    return this.take(8, field).readBigUInt64BE(0);
  }

  string(field = 'string'): Buffer {
    const length = this.uint32(`${field} length`);
    return this.take(length, field);
  }

  /** A string that must be valid UTF-8 text. */
  text(field = 'string'): string {
    const bytes = this.string(field);
    const decoded = bytes.toString('utf8');
    if (!Buffer.from(decoded, 'utf8').equals(bytes)) throw new InvalidInputError(`${this.what}: ${field} is not valid UTF-8`);
    return decoded;
  }

  /** A non-negative mpint, returned as its unsigned big-endian magnitude without leading zeros. */
  mpint(field = 'mpint'): Buffer {
    const bytes = this.string(field);
    if (bytes.length > 0 && (bytes[0] ?? 0) & 0x80) throw new InvalidInputError(`${this.what}: ${field} is negative`);
    // Leading zeros beyond the sign byte are tolerated, as OpenSSH does.
    let start = 0;
    while (start < bytes.length && bytes[start] === 0) start++;
    return bytes.subarray(start);
  }

  nameList(field = 'name-list'): string[] {
    const text = this.text(field);
    return text === '' ? [] : text.split(',');
  }

  /** Everything not read yet. */
  rest(): Buffer {
    return this.take(this.remaining, 'rest');
  }

  /** Fails when bytes are left over: a blob with trailing data is not the structure we think it is. */
  end(): void {
    if (this.remaining !== 0) throw new InvalidInputError(`${this.what}: ${this.remaining} unexpected trailing bytes at offset ${this.pos}`);
  }
}

/** Decodes standard base64, refusing anything Buffer.from would silently skip or pad. */
export function decodeBase64Strict(text: string, what: string): Buffer {
  if (text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) {
    throw new InvalidInputError(`${what}: not valid base64`);
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw new InvalidInputError(`${what}: not valid base64`);
  return bytes;
}

/** True when `text` holds a C0 control character or DEL (which would break a log line or a spec line). */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
