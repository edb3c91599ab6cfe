// The certificate authority's private key, read from an unencrypted OpenSSH private key file
// (`ssh-keygen -t ed25519 -N ''`) or a PEM/PKCS#8 file, into a node KeyObject that signs certificates.
// Error messages name the file and what is wrong with it, never any byte of the key.
import { createPrivateKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidInputError, JitdError } from '../../core/errors.ts';
import { CURVES, ED25519, RSA, blobFromKeyObject, isEcdsaType, leftPad, parsePublicKeyBlob, publicKeyLine } from './public-key.ts';
import type { SshPublicKey } from './public-key.ts';
import { SshReader, SshWriter, decodeBase64Strict } from './ssh-wire.ts';

export interface SshCaKey {
  /** The CA public key; `publicKey.comment` is the comment stored in an OpenSSH key file, or ''. */
  readonly publicKey: SshPublicKey;
  readonly privateKey: KeyObject;
  /** Algorithm named in the signatures this CA makes (rsa-sha2-512 for RSA: SHA-1 ssh-rsa is refused by sshd). */
  readonly signatureAlgorithm: string;
}

const OPENSSH_BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const OPENSSH_END = '-----END OPENSSH PRIVATE KEY-----';
const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
const KNOWN_OTHER_TYPES: readonly string[] = ['ssh-dss', 'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com', 'ssh-ed448'];
/** Header names are public, but only names that look like names are repeated in messages. */
const safeName = (name: string): string => (/^[A-Za-z0-9@._-]{1,64}$/.test(name) ? name : '?');

function fail(source: string, message: string): InvalidInputError {
  return new InvalidInputError(`CA key ${source}: ${message}`);
}

function encryptedKey(source: string, detail: string): InvalidInputError {
  return fail(
    source,
    `the key is encrypted (${detail}); jitd cannot prompt for a passphrase: store an unencrypted copy readable only by jitd ` +
      `(ssh-keygen -p -N '' -f <copy>) and protect it with file permissions`,
  );
}

/** The key pair inside an `openssh-key-v1` container, as a JWK for node. */
function openSshPrivateJwk(section: SshReader, type: string, source: string): Record<string, string> {
  const b64 = (bytes: Buffer): string => bytes.toString('base64url');
  if (type === ED25519) {
    const pk = section.string('ed25519 public key');
    const sk = section.string('ed25519 private key');
    // OpenSSH stores the 32-byte seed followed by the public key.
    if (pk.length !== 32 || sk.length !== 64 || !sk.subarray(32).equals(pk)) throw fail(source, 'the ed25519 key pair is malformed');
    return { kty: 'OKP', crv: 'Ed25519', x: b64(pk), d: b64(sk.subarray(0, 32)) };
  }
  if (isEcdsaType(type)) {
    const curve = CURVES[type];
    if (section.text('curve name') !== curve.name) throw fail(source, `the ${type} key names the wrong curve`);
    const point = section.string('ec point');
    const d = section.mpint('ec private scalar');
    if (point.length !== 1 + 2 * curve.size || point[0] !== 4 || d.length > curve.size) throw fail(source, `the ${type} key pair is malformed`);
    return {
      kty: 'EC',
      crv: curve.jwkCurve,
      x: b64(point.subarray(1, 1 + curve.size)),
      y: b64(point.subarray(1 + curve.size)),
      d: b64(leftPad(d, curve.size)),
    };
  }
  if (type === RSA) {
    const n = section.mpint('rsa n');
    const e = section.mpint('rsa e');
    const d = section.mpint('rsa d');
    const iqmp = section.mpint('rsa iqmp');
    const p = section.mpint('rsa p');
    const q = section.mpint('rsa q');
    // OpenSSH does not store the CRT exponents that JWK requires: derive them.
    const big = (bytes: Buffer): bigint => BigInt(`0x${bytes.toString('hex') || '0'}`);
    const toBytes = (value: bigint): Buffer => {
      const hex = value.toString(16);
      return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
    };
    const [bd, bp, bq] = [big(d), big(p), big(q)];
    if (bp < 3n || bq < 3n) throw fail(source, 'the RSA key pair is malformed');
    return {
      kty: 'RSA',
      n: b64(n),
      e: b64(e),
      d: b64(d),
      p: b64(p),
      q: b64(q),
      dp: b64(toBytes(bd % (bp - 1n))),
      dq: b64(toBytes(bd % (bq - 1n))),
      qi: b64(iqmp),
    };
  }
  // The name is echoed only when it is a known one: a corrupt length could make it span secret bytes.
  const named = KNOWN_OTHER_TYPES.includes(type) ? `${type} keys` : 'keys of this type';
  throw fail(source, `${named} cannot be a jitd CA (use ssh-ed25519, ECDSA or RSA of at least 3072 bits)`);
}

function parseOpenSshPrivateKey(text: string, source: string): { privateKey: KeyObject; publicBlob: Buffer; comment: string } {
  const start = text.indexOf(OPENSSH_BEGIN);
  const end = text.indexOf(OPENSSH_END, start);
  if (end < 0) throw fail(source, `no "${OPENSSH_END}" line`);
  const body = text.slice(start + OPENSSH_BEGIN.length, end).replace(/\s+/g, '');
  let bytes: Buffer;
  try {
    bytes = decodeBase64Strict(body, 'key');
  } catch {
    throw fail(source, 'the OpenSSH key body is not valid base64');
  }
  const r = new SshReader(bytes, `CA key ${source}`);
  if (!r.bytes(OPENSSH_MAGIC.length, 'magic').equals(OPENSSH_MAGIC)) throw fail(source, 'not an openssh-key-v1 container');
  const cipher = r.text('cipher name');
  const kdf = r.text('kdf name');
  r.string('kdf options');
  if (cipher !== 'none' || kdf !== 'none') throw encryptedKey(source, `cipher ${safeName(cipher)}, kdf ${safeName(kdf)}`);
  const count = r.uint32('key count');
  if (count !== 1) throw fail(source, `the file holds ${count} keys; give a file with exactly one`);
  const publicBlob = r.string('public key');
  const section = new SshReader(r.string('private section'), `CA key ${source}`);
  r.end();
  if (section.uint32('check') !== section.uint32('check')) throw fail(source, 'the private section is corrupt (its check numbers differ)');
  const type = section.text('key type');
  const jwk = openSshPrivateJwk(section, type, source);
  const comment = section.text('comment');
  const padding = section.rest();
  if (padding.length >= 16 || !padding.every((byte, i) => byte === i + 1)) throw fail(source, 'the private section has bad padding');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  } catch {
    throw fail(source, `the ${type} private key is invalid`);
  }
  return { privateKey, publicBlob, comment };
}

function parsePemPrivateKey(text: string, source: string): KeyObject {
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,\s*ENCRYPTED/.test(text)) encryptedKeyThrow(source);
  try {
    return createPrivateKey({ key: text, format: 'pem' });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MISSING_PASSPHRASE') encryptedKeyThrow(source);
    // Only the error code: OpenSSL's text is harmless today, but nothing about the input leaves this function.
    throw fail(source, `not an OpenSSH or PEM private key (${(err as { code?: string }).code ?? 'unreadable'})`);
  }
}

function encryptedKeyThrow(source: string): never {
  throw encryptedKey(source, 'PEM');
}

/** Reads a CA private key from the text of a key file; `source` names it in errors (e.g. its path). */
export function parseCaKey(text: string, source: string): SshCaKey {
  let privateKey: KeyObject;
  let comment = '';
  let storedPublicBlob: Buffer | undefined;
  if (text.includes(OPENSSH_BEGIN)) {
    ({ privateKey, publicBlob: storedPublicBlob, comment } = parseOpenSshPrivateKey(text, source));
  } else if (text.includes('PRIVATE KEY-----')) {
    privateKey = parsePemPrivateKey(text, source);
  } else {
    throw fail(source, 'not a private key (expected "-----BEGIN OPENSSH PRIVATE KEY-----" or a PEM private key)');
  }
  let publicKey: SshPublicKey;
  try {
    publicKey = parsePublicKeyBlob(blobFromKeyObject(privateKey), comment);
  } catch (err) {
    if (err instanceof JitdError) throw fail(source, err.message.replace(/^public key: /, ''));
    throw err;
  }
  if (storedPublicBlob !== undefined && !storedPublicBlob.equals(publicKey.blob)) {
    throw fail(source, 'the public key stored in the file does not match its private key');
  }
  const signatureAlgorithm = publicKey.type === RSA ? 'rsa-sha2-512' : publicKey.type;
  return { publicKey, privateKey, signatureAlgorithm };
}

/** Reads and parses the CA private key file at `path`. */
export async function loadCaKeyFile(path: string): Promise<SshCaKey> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw fail(path, code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? 'error'})`);
  }
  return parseCaKey(text, path);
}

/** The CA public key as one line, for sshd's TrustedUserCAKeys file and `ssh-keygen -k -s`. */
export function caPublicKeyLine(ca: SshCaKey, comment = ca.publicKey.comment): string {
  return publicKeyLine({ type: ca.publicKey.type, blob: ca.publicKey.blob, comment });
}

/** Signs `data` with the CA key and returns the SSH signature blob (`string algorithm, string signature`). */
export function signWithCa(ca: SshCaKey, data: Buffer): Buffer {
  const type = ca.publicKey.type;
  let signature: Buffer;
  if (type === ED25519) {
    signature = sign(null, data, ca.privateKey);
  } else if (isEcdsaType(type)) {
    const curve = CURVES[type];
    const p1363 = sign(curve.hash, data, { key: ca.privateKey, dsaEncoding: 'ieee-p1363' });
    signature = new SshWriter().mpint(p1363.subarray(0, curve.size)).mpint(p1363.subarray(curve.size)).toBuffer();
  } else {
    signature = sign('sha512', data, ca.privateKey);
  }
  return new SshWriter().string(ca.signatureAlgorithm).string(signature).toBuffer();
}
