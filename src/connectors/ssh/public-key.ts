// OpenSSH public keys: the one-line form users paste (`ssh-ed25519 AAAA… comment`), its wire blob, the
// SHA256 fingerprint ssh-keygen prints, and conversion to node KeyObjects for checking signatures.
// Only key types an OpenSSH 9 server accepts by default and that are strong enough today are allowed.
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { InvalidInputError } from '../../core/errors.ts';
import { SshReader, SshWriter, decodeBase64Strict } from './ssh-wire.ts';

export const ED25519 = 'ssh-ed25519';
export const RSA = 'ssh-rsa';
export const SK_ED25519 = 'sk-ssh-ed25519@openssh.com';
export const SK_ECDSA = 'sk-ecdsa-sha2-nistp256@openssh.com';
export const ECDSA_TYPES = ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'] as const;

export const SUPPORTED_KEY_TYPES = [ED25519, ...ECDSA_TYPES, RSA, SK_ED25519, SK_ECDSA] as const;
export type SshKeyType = (typeof SUPPORTED_KEY_TYPES)[number];
export type EcdsaKeyType = (typeof ECDSA_TYPES)[number];

/** RSA below this is refused: NIST SP 800-57 puts 2048-bit RSA at 112-bit security, deprecated after 2030. */
export const MIN_RSA_BITS = 3072;
/** OpenSSH's own upper bound (SSH_RSA_MAXIMUM_MODULUS_SIZE). */
export const MAX_RSA_BITS = 16384;

export interface SshPublicKey {
  readonly type: SshKeyType;
  /** The whole wire blob, starting with the type name: what fingerprints and certificates are made of. */
  readonly blob: Buffer;
  readonly comment: string;
  readonly bits: number;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -l` prints it. */
  readonly fingerprint: string;
}

interface Curve {
  readonly name: 'nistp256' | 'nistp384' | 'nistp521';
  readonly jwkCurve: 'P-256' | 'P-384' | 'P-521';
  /** Bytes in one coordinate of a point, and in a private scalar. */
  readonly size: number;
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly bits: number;
}

export const CURVES: Readonly<Record<EcdsaKeyType, Curve>> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', jwkCurve: 'P-256', size: 32, hash: 'sha256', bits: 256 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', jwkCurve: 'P-384', size: 48, hash: 'sha384', bits: 384 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', jwkCurve: 'P-521', size: 66, hash: 'sha512', bits: 521 },
};

const SUPPORTED_TEXT = `${ED25519}, ${ECDSA_TYPES.join(', ')}, ${RSA} of at least ${MIN_RSA_BITS} bits, ${SK_ED25519}, ${SK_ECDSA}`;

export function isEcdsaType(type: string): type is EcdsaKeyType {
  return (ECDSA_TYPES as readonly string[]).includes(type);
}

function isSupportedType(type: string): type is SshKeyType {
  return (SUPPORTED_KEY_TYPES as readonly string[]).includes(type);
}

/** Why a key type we know of is refused, or a generic "unsupported" message. */
function refusal(type: string): string {
  if (type === 'ssh-dss') return 'ssh-dss (DSA) keys are not accepted: OpenSSH 9 disables them and they cannot be longer than 1024 bits; use an ssh-ed25519 key';
  if (type.includes('-cert-v01@openssh.com')) return `this is a certificate (${type}), not a public key: give the plain public key (the .pub file)`;
  return `unsupported key type ${JSON.stringify(type)} (supported: ${SUPPORTED_TEXT})`;
}

/** `SHA256:…` fingerprint of a public key blob, byte-identical to `ssh-keygen -l -E sha256`. */
export function fingerprintSha256(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function bitLength(magnitude: Buffer): number {
  if (magnitude.length === 0) return 0;
  return (magnitude.length - 1) * 8 + (magnitude[0] ?? 0).toString(2).length;
}

function b64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Pads an unsigned big-endian integer to `size` bytes (JWK and IEEE P1363 want fixed widths). */
export function leftPad(bytes: Buffer, size: number): Buffer {
  if (bytes.length > size) throw new InvalidInputError(`integer of ${bytes.length} bytes does not fit in ${size}`);
  return Buffer.concat([Buffer.alloc(size - bytes.length), bytes]);
}

function ecPoint(point: Buffer, curve: Curve, what: string): { x: Buffer; y: Buffer } {
  if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) {
    throw new InvalidInputError(`${what}: the ${curve.name} point is not an uncompressed point of ${1 + 2 * curve.size} bytes`);
  }
  return { x: point.subarray(1, 1 + curve.size), y: point.subarray(1 + curve.size) };
}

function ecKeyObject(point: Buffer, curve: Curve, what: string): KeyObject {
  const { x, y } = ecPoint(point, curve, what);
  try {
    return createPublicKey({ key: { kty: 'EC', crv: curve.jwkCurve, x: b64url(x), y: b64url(y) }, format: 'jwk' });
  } catch {
    throw new InvalidInputError(`${what}: the ${curve.name} point is not on the curve`);
  }
}

/** Decodes and checks a public key blob (the base64 part of a key line, decoded). */
export function parsePublicKeyBlob(blob: Buffer, comment = ''): SshPublicKey {
  const what = 'public key';
  const r = new SshReader(blob, what);
  const type = r.text('key type');
  if (!isSupportedType(type)) throw new InvalidInputError(`${what}: ${refusal(type)}`);
  let bits: number;
  if (type === ED25519 || type === SK_ED25519) {
    const pk = r.string('ed25519 key');
    if (pk.length !== 32) throw new InvalidInputError(`${what}: an ed25519 key is 32 bytes, this one is ${pk.length}`);
    bits = 256;
  } else if (isEcdsaType(type) || type === SK_ECDSA) {
    const keyType = type === SK_ECDSA ? 'ecdsa-sha2-nistp256' : type;
    const curve = CURVES[keyType];
    const curveName = r.text('curve name');
    if (curveName !== curve.name) throw new InvalidInputError(`${what}: key type ${type} names curve ${JSON.stringify(curveName)}, expected ${curve.name}`);
    ecKeyObject(r.string('ec point'), curve, what);
    bits = curve.bits;
  } else {
    const e = r.mpint('rsa exponent');
    const n = r.mpint('rsa modulus');
    bits = bitLength(n);
    if (bits < MIN_RSA_BITS) {
      throw new InvalidInputError(`${what}: an RSA key of ${bits} bits is too small: at least ${MIN_RSA_BITS} bits are required (or use an ssh-ed25519 key)`);
    }
    if (bits > MAX_RSA_BITS) throw new InvalidInputError(`${what}: an RSA key of ${bits} bits is larger than OpenSSH accepts (${MAX_RSA_BITS})`);
    const exponent = BigInt(`0x${e.toString('hex') || '0'}`);
    if (exponent < 3n || exponent % 2n === 0n) throw new InvalidInputError(`${what}: the RSA public exponent is invalid`);
  }
  if (type === SK_ED25519 || type === SK_ECDSA) {
    // The FIDO application string ("ssh:" by default); certificates carry it along with the key.
    if (r.text('sk application').length === 0) throw new InvalidInputError(`${what}: the security key application is empty`);
  }
  r.end();
  return { type, blob: Buffer.from(blob), comment, bits, fingerprint: fingerprintSha256(blob) };
}

/** Parses one OpenSSH public key line: `<type> <base64 blob> [comment]`. */
export function parsePublicKeyLine(line: string): SshPublicKey {
  const what = 'public key';
  const trimmed = line.trim();
  if (trimmed === '') throw new InvalidInputError(`${what}: empty`);
  if (/[\r\n]/.test(trimmed)) throw new InvalidInputError(`${what}: give exactly one key, on one line`);
  const match = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(trimmed);
  const typeToken = match?.[1] ?? trimmed.split(/\s/)[0] ?? '';
  if (!isSupportedType(typeToken)) {
    if (/[="]/.test(typeToken)) {
      throw new InvalidInputError(`${what}: authorized_keys options are not accepted: give only the key, starting with its type (e.g. ssh-ed25519 AAAA…)`);
    }
    throw new InvalidInputError(`${what}: ${refusal(typeToken)}`);
  }
  if (match === null) throw new InvalidInputError(`${what}: expected "<type> <base64> [comment]"`);
  const blob = decodeBase64Strict(match[2] ?? '', what);
  const key = parsePublicKeyBlob(blob, match[3] ?? '');
  if (key.type !== typeToken) throw new InvalidInputError(`${what}: the line says ${typeToken} but the encoded key is ${key.type}`);
  return key;
}

/** The key as one line, as in a .pub file. */
export function publicKeyLine(key: Pick<SshPublicKey, 'type' | 'blob' | 'comment'>): string {
  const base = `${key.type} ${key.blob.toString('base64')}`;
  return key.comment ? `${base} ${key.comment}` : base;
}

/** The type-specific fields of a key blob (everything after the type name), as certificates embed them. */
export function keyFields(key: Pick<SshPublicKey, 'blob'>): Buffer {
  const r = new SshReader(key.blob, 'public key');
  r.string('key type');
  return r.rest();
}

/** A node KeyObject for a public key, to check signatures it made. Security-key (sk-*) keys have none. */
export function toKeyObject(key: SshPublicKey): KeyObject {
  const what = 'public key';
  const r = new SshReader(key.blob, what);
  r.string('key type');
  if (key.type === ED25519) {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(r.string('ed25519 key')) }, format: 'jwk' });
  }
  if (isEcdsaType(key.type)) {
    r.string('curve name');
    return ecKeyObject(r.string('ec point'), CURVES[key.type], what);
  }
  if (key.type === RSA) {
    const e = r.mpint('rsa exponent');
    const n = r.mpint('rsa modulus');
    return createPublicKey({ key: { kty: 'RSA', n: b64url(n), e: b64url(e) }, format: 'jwk' });
  }
  throw new InvalidInputError(`${what}: ${key.type} keys live on a hardware token and cannot be used here`);
}

/** The OpenSSH public key blob of a node KeyObject (public or private); refuses types OpenSSH cannot use. */
export function blobFromKeyObject(keyObject: KeyObject): Buffer {
  const jwk = keyObject.export({ format: 'jwk' });
  const field = (name: 'x' | 'y' | 'n' | 'e'): Buffer => Buffer.from(jwk[name] ?? '', 'base64url');
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return new SshWriter().string(ED25519).string(field('x')).toBuffer();
  if (jwk.kty === 'EC') {
    const entry = Object.entries(CURVES).find(([, c]) => c.jwkCurve === jwk.crv);
    if (entry === undefined) throw new InvalidInputError(`EC curve ${jwk.crv ?? '?'} is not one OpenSSH supports (P-256, P-384, P-521)`);
    const [type, curve] = entry;
    const point = Buffer.concat([Buffer.of(4), leftPad(field('x'), curve.size), leftPad(field('y'), curve.size)]);
    return new SshWriter().string(type).string(curve.name).string(point).toBuffer();
  }
  if (jwk.kty === 'RSA') return new SshWriter().string(RSA).mpint(field('e')).mpint(field('n')).toBuffer();
  throw new InvalidInputError(`${keyObject.asymmetricKeyType ?? 'this'} keys cannot be used with OpenSSH (use ed25519, ECDSA P-256/384/521 or RSA)`);
}

/** Signature algorithms accepted from a key type: sshd's default CASignatureAlgorithms, minus SHA-1 ssh-rsa. */
export function signatureAlgorithmsFor(type: SshKeyType): readonly string[] {
  if (type === RSA) return ['rsa-sha2-512', 'rsa-sha2-256'];
  return [type];
}

/**
 * Checks an SSH signature blob (`string algorithm, string signature`) over `data`. Malformed blobs and
 * algorithms the key may not use throw; a well-formed signature that does not match returns false.
 */
export function verifySshSignature(key: SshPublicKey, data: Buffer, signatureBlob: Buffer): boolean {
  const what = 'signature';
  const r = new SshReader(signatureBlob, what);
  const algorithm = r.text('algorithm');
  const signature = r.string('signature');
  r.end();
  if (!signatureAlgorithmsFor(key.type).includes(algorithm)) {
    throw new InvalidInputError(`${what}: algorithm ${algorithm} cannot be used with a ${key.type} key (allowed: ${signatureAlgorithmsFor(key.type).join(', ')})`);
  }
  const keyObject = toKeyObject(key);
  if (key.type === ED25519) return verify(null, data, keyObject, signature);
  if (isEcdsaType(key.type)) {
    const curve = CURVES[key.type];
    const inner = new SshReader(signature, what);
    const rValue = inner.mpint('ecdsa r');
    const sValue = inner.mpint('ecdsa s');
    inner.end();
    if (rValue.length > curve.size || sValue.length > curve.size) return false;
    const p1363 = Buffer.concat([leftPad(rValue, curve.size), leftPad(sValue, curve.size)]);
    return verify(curve.hash, data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, p1363);
  }
  return verify(algorithm === 'rsa-sha2-512' ? 'sha512' : 'sha256', data, keyObject, signature);
}
