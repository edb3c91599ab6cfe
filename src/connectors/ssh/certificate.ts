// OpenSSH user certificates (PROTOCOL.certkeys), signed with node:crypto alone: no ssh-keygen process
// per grant. The certificate carries the lease: valid_before is the lease expiry and the key id names the
// lease, which sshd writes into every login line. parseCertificate decodes one and checks its signature.
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { InvalidInputError } from '../../core/errors.ts';
import type { Issue } from '../../core/errors.ts';
import { signWithCa } from './ca-key.ts';
import type { SshCaKey } from './ca-key.ts';
import { ECDSA_TYPES, ED25519, RSA, SK_ECDSA, SK_ED25519, keyFields, parsePublicKeyBlob, verifySshSignature } from './public-key.ts';
import type { SshKeyType, SshPublicKey } from './public-key.ts';
import { SshReader, SshWriter, decodeBase64Strict, hasControlCharacter } from './ssh-wire.ts';

const SSH2_CERT_TYPE_USER = 1;
const SSH2_CERT_TYPE_HOST = 2;
const UINT64_MAX = (1n << 64n) - 1n;
/** OpenSSH refuses certificates with more principals than this (SSHKEY_CERT_MAX_PRINCIPALS). */
export const MAX_PRINCIPALS = 256;
const MAX_KEY_ID_LENGTH = 512;

/** Certificate type name for each key type a certificate can be issued for. */
export const CERT_TYPE_FOR_KEY: Readonly<Record<SshKeyType, string>> = {
  [ED25519]: 'ssh-ed25519-cert-v01@openssh.com',
  'ecdsa-sha2-nistp256': 'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384': 'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521': 'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  [RSA]: 'ssh-rsa-cert-v01@openssh.com',
  [SK_ED25519]: 'sk-ssh-ed25519-cert-v01@openssh.com',
  [SK_ECDSA]: 'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
};

/** How many wire strings (mpints are strings too) make up the embedded key of each type. */
const KEY_FIELD_COUNT: Readonly<Record<SshKeyType, number>> = {
  [ED25519]: 1,
  [ECDSA_TYPES[0]]: 2,
  [ECDSA_TYPES[1]]: 2,
  [ECDSA_TYPES[2]]: 2,
  [RSA]: 2,
  [SK_ED25519]: 2,
  [SK_ECDSA]: 3,
};

/** Extensions OpenSSH 9 understands; others must be vendor names (`name@domain`). */
export const KNOWN_EXTENSIONS = [
  'no-touch-required',
  'permit-X11-forwarding',
  'permit-agent-forwarding',
  'permit-port-forwarding',
  'permit-pty',
  'permit-user-rc',
] as const;

/** A terminal and nothing else: forwarding (port, agent, X11) and ~/.ssh/rc stay off unless a role asks. */
export const DEFAULT_EXTENSIONS: readonly string[] = ['permit-pty'];

export interface CriticalOptions {
  /** The only command the certificate may run, whatever the client asks for. */
  readonly forceCommand?: string;
  /** Client addresses or CIDR blocks the certificate may be used from, e.g. ["10.0.0.0/8", "2001:db8::/32"]. */
  readonly sourceAddress?: readonly string[];
}

export interface UserCertificateRequest {
  readonly ca: SshCaKey;
  /** The user's key being certified. */
  readonly publicKey: SshPublicKey;
  /** Unique per CA, at least 1; keep them dense (see krl.ts). */
  readonly serial: bigint;
  /** Logged by sshd on each login: see certificateKeyId. */
  readonly keyId: string;
  /** Accounts the certificate may log in as; at least one (an empty list means "any user" to sshd). */
  readonly principals: readonly string[];
  /** Rounded down to the second. */
  readonly validAfter: Date;
  /** Rounded down to the second, so a certificate never outlives its lease. */
  readonly validBefore: Date;
  readonly criticalOptions?: CriticalOptions;
  readonly extensions: readonly string[];
}

export interface IssuedCertificate {
  /** `<cert type> <base64> <key id>`: the content of an `id_ed25519-cert.pub` file. */
  readonly line: string;
  readonly bytes: Buffer;
}

export interface ParsedCertificate {
  readonly certType: string;
  readonly kind: 'user' | 'host';
  readonly nonce: Buffer;
  readonly publicKey: SshPublicKey;
  readonly serial: bigint;
  readonly keyId: string;
  readonly principals: readonly string[];
  readonly validAfter: Date;
  readonly validBefore: Date | 'forever';
  /** Option name → value (e.g. "force-command" → "/usr/bin/id"). */
  readonly criticalOptions: Readonly<Record<string, string>>;
  /** Extension name → data ('' for every extension OpenSSH defines). */
  readonly extensions: Readonly<Record<string, string>>;
  readonly signatureKey: SshPublicKey;
  readonly signatureAlgorithm: string;
  readonly comment: string;
  readonly bytes: Buffer;
}

/** The key id jitd writes: the lease id, then the principals, so one sshd log line leads back to the request. */
export function certificateKeyId(leaseId: string, principals: readonly string[]): string {
  return `${leaseId}:${principals.join(',')}`;
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

function ipv6Bytes(address: string): number[] {
  let text = address;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail = ipv4Bytes(text.slice(lastColon + 1));
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - restGroups.length).fill('0'), ...restGroups];
  const bytes = groups.flatMap((g) => {
    const v = Number.parseInt(g, 16);
    return [v >> 8, v & 0xff];
  });
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** Why an entry of source-address would make sshd refuse the certificate, or undefined when it is fine. */
export function sourceAddressProblem(entry: string): string | undefined {
  const [address = '', prefixText, extra] = entry.split('/');
  const family = address.includes('%') ? 0 : isIP(address);
  if (extra !== undefined || family === 0) return `${JSON.stringify(entry)} is not an IP address or CIDR block (e.g. 10.0.0.0/8, 2001:db8::/32)`;
  const width = family === 4 ? 32 : 128;
  if (prefixText === undefined) return undefined;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > width) return `${JSON.stringify(entry)} has an invalid prefix length (0 to ${width})`;
  const prefix = Number(prefixText);
  const bytes = family === 4 ? ipv4Bytes(address) : ipv6Bytes(address);
  const hostBitsSet = bytes.some((byte, i) => {
    const networkBits = Math.min(8, Math.max(0, prefix - i * 8));
    return (byte & (0xff >> networkBits)) !== 0;
  });
  // sshd rejects "10.0.0.1/8" ("Inconsistent mask length") and with it the whole certificate.
  if (hostBitsSet) return `${JSON.stringify(entry)} has host bits set: write the network address of the /${prefix} block`;
  return undefined;
}

const VENDOR_EXTENSION = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+$/;

function checkRequest(req: UserCertificateRequest): Issue[] {
  const issues: Issue[] = [];
  const add = (path: string, message: string): void => {
    issues.push({ path, message });
  };
  if (req.serial < 1n || req.serial > UINT64_MAX) add('serial', `must be between 1 and ${UINT64_MAX} (0 means "no serial": such a certificate cannot be revoked by serial)`);
  // Printable ASCII without '#' and outer spaces: sshd logs it verbatim, and a KRL spec line `id: …`
  // treats '#' as a comment and trims spaces, so such a key id could not be revoked by id.
  if (req.keyId.length === 0 || req.keyId.length > MAX_KEY_ID_LENGTH) {
    add('keyId', `must be 1 to ${MAX_KEY_ID_LENGTH} characters`);
  } else if (!/^[\x20-\x7e]+$/.test(req.keyId) || req.keyId.includes('#') || req.keyId.trim() !== req.keyId) {
    add('keyId', 'must be printable ASCII without "#" and without leading or trailing spaces');
  }
  if (req.principals.length === 0) add('principals', 'at least one principal is required: a certificate without principals lets its holder log in as any user');
  if (req.principals.length > MAX_PRINCIPALS) add('principals', `at most ${MAX_PRINCIPALS} principals (sshd refuses more)`);
  const seenPrincipals = new Set<string>();
  req.principals.forEach((p, i) => {
    if (p.length === 0 || p.length > 256 || /[\s,]/.test(p) || hasControlCharacter(p)) add(`principals[${i}]`, `${JSON.stringify(p)} is not a valid principal (1 to 256 characters, no spaces, commas or control characters)`);
    else if (seenPrincipals.has(p)) add(`principals[${i}]`, `${JSON.stringify(p)} is listed twice`);
    seenPrincipals.add(p);
  });
  const after = req.validAfter.getTime();
  const before = req.validBefore.getTime();
  if (!Number.isFinite(after) || after < 0) add('validAfter', 'must be a valid date after 1970-01-01');
  if (!Number.isFinite(before)) add('validBefore', 'must be a valid date');
  else if (Number.isFinite(after) && Math.floor(before / 1000) <= Math.floor(after / 1000)) add('validBefore', 'must be at least one second after validAfter');
  const { forceCommand, sourceAddress } = req.criticalOptions ?? {};
  if (forceCommand !== undefined && (forceCommand.trim() === '' || hasControlCharacter(forceCommand.replaceAll('\t', ' ')))) {
    add('criticalOptions.forceCommand', 'must be a non-empty command without control characters');
  }
  if (sourceAddress !== undefined) {
    if (sourceAddress.length === 0) add('criticalOptions.sourceAddress', 'must list at least one address (leave it out to allow any)');
    sourceAddress.forEach((entry, i) => {
      const problem = sourceAddressProblem(entry);
      if (problem !== undefined) add(`criticalOptions.sourceAddress[${i}]`, problem);
    });
  }
  const seenExtensions = new Set<string>();
  req.extensions.forEach((name, i) => {
    if (!(KNOWN_EXTENSIONS as readonly string[]).includes(name) && !VENDOR_EXTENSION.test(name)) {
      add(`extensions[${i}]`, `unknown extension ${JSON.stringify(name)} (known: ${KNOWN_EXTENSIONS.join(', ')}; others must be name@domain)`);
    } else if (seenExtensions.has(name)) add(`extensions[${i}]`, `${JSON.stringify(name)} is listed twice`);
    seenExtensions.add(name);
  });
  return issues;
}

/** Byte order of names, which is what PROTOCOL.certkeys means by "lexically sorted". */
function byName(a: readonly [string, Buffer], b: readonly [string, Buffer]): number {
  return Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0]));
}

function encodeOptions(options: ReadonlyArray<readonly [string, Buffer]>): Buffer {
  const w = new SshWriter();
  for (const [name, data] of [...options].sort(byName)) w.string(name).string(data);
  return w.toBuffer();
}

/** Signs a user certificate for `publicKey`; throws InvalidInputError listing every problem with the request. */
export function signUserCertificate(req: UserCertificateRequest): IssuedCertificate {
  const issues = checkRequest(req);
  if (issues.length > 0) throw InvalidInputError.of(issues);
  const certType = CERT_TYPE_FOR_KEY[req.publicKey.type];
  const options: Array<readonly [string, Buffer]> = [];
  const { forceCommand, sourceAddress } = req.criticalOptions ?? {};
  if (forceCommand !== undefined) options.push(['force-command', new SshWriter().string(forceCommand).toBuffer()]);
  if (sourceAddress !== undefined) options.push(['source-address', new SshWriter().string(sourceAddress.join(',')).toBuffer()]);
  const principals = new SshWriter();
  for (const p of req.principals) principals.string(p);
  const body = new SshWriter()
    .string(certType)
    .string(randomBytes(32))
    .raw(keyFields(req.publicKey))
    .uint64(req.serial)
    .uint32(SSH2_CERT_TYPE_USER)
    .string(req.keyId)
    .string(principals.toBuffer())
    .uint64(BigInt(Math.floor(req.validAfter.getTime() / 1000)))
    .uint64(BigInt(Math.floor(req.validBefore.getTime() / 1000)))
    .string(encodeOptions(options))
    .string(encodeOptions(req.extensions.map((name) => [name, Buffer.alloc(0)] as const)))
    .string('') // reserved
    .string(req.ca.publicKey.blob)
    .toBuffer();
  const bytes = Buffer.concat([body, new SshWriter().string(signWithCa(req.ca, body)).toBuffer()]);
  return { line: `${certType} ${bytes.toString('base64')} ${req.keyId}`, bytes };
}

function readOptions(data: Buffer, what: string, valueIsString: boolean): Record<string, string> {
  const r = new SshReader(data, `certificate ${what}`);
  const out: Record<string, string> = {};
  let previous: Buffer | undefined;
  while (r.remaining > 0) {
    const nameBytes = r.string('name');
    const value = r.string('data');
    if (previous !== undefined && Buffer.compare(previous, nameBytes) >= 0) {
      throw new InvalidInputError(`certificate: ${what} are not sorted by name without repeats, as PROTOCOL.certkeys requires (sshd refuses such a certificate)`);
    }
    previous = nameBytes;
    let text = value.toString('utf8');
    if (valueIsString && value.length > 0) {
      const inner = new SshReader(value, `certificate ${what}`);
      text = inner.text('value');
      inner.end();
    }
    out[nameBytes.toString('utf8')] = text;
  }
  return out;
}

function secondsToDate(seconds: bigint, field: string): Date {
  const ms = Number(seconds) * 1000;
  if (ms > 8.64e15) throw new InvalidInputError(`certificate: ${field} is beyond the dates JavaScript can represent`);
  return new Date(ms);
}

/** Decodes a certificate line (`<cert type> <base64> [comment]`) and checks its CA signature. */
export function parseCertificate(line: string): ParsedCertificate {
  const what = 'certificate';
  const match = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(line.trim());
  if (match === null) throw new InvalidInputError(`${what}: expected "<type> <base64> [comment]"`);
  const lineType = match[1] ?? '';
  const keyType = (Object.keys(CERT_TYPE_FOR_KEY) as SshKeyType[]).find((k) => CERT_TYPE_FOR_KEY[k] === lineType);
  if (keyType === undefined) throw new InvalidInputError(`${what}: ${JSON.stringify(lineType)} is not a supported certificate type`);
  const bytes = decodeBase64Strict(match[2] ?? '', what);
  const r = new SshReader(bytes, what);
  const certType = r.text('certificate type');
  if (certType !== lineType) throw new InvalidInputError(`${what}: the line says ${lineType} but the encoded certificate is ${certType}`);
  const nonce = r.string('nonce');
  const keyStart = r.offset;
  for (let i = 0; i < KEY_FIELD_COUNT[keyType]; i++) r.string('key field');
  const publicKey = parsePublicKeyBlob(Buffer.concat([new SshWriter().string(keyType).toBuffer(), bytes.subarray(keyStart, r.offset)]));
  const serial = r.uint64('serial');
  const kindNumber = r.uint32('certificate kind');
  if (kindNumber !== SSH2_CERT_TYPE_USER && kindNumber !== SSH2_CERT_TYPE_HOST) throw new InvalidInputError(`${what}: unknown certificate kind ${kindNumber}`);
  const keyId = r.text('key id');
  const principalReader = new SshReader(r.string('principals'), `${what} principals`);
  const principals: string[] = [];
  while (principalReader.remaining > 0) principals.push(principalReader.text('principal'));
  const validAfter = secondsToDate(r.uint64('valid after'), 'valid after');
  const validBeforeSeconds = r.uint64('valid before');
  const validBefore = validBeforeSeconds === UINT64_MAX ? 'forever' : secondsToDate(validBeforeSeconds, 'valid before');
  const criticalOptions = readOptions(r.string('critical options'), 'critical options', true);
  const extensions = readOptions(r.string('extensions'), 'extensions', false);
  r.string('reserved');
  const signatureKey = parsePublicKeyBlob(r.string('signature key'));
  const signedLength = r.offset;
  const signature = r.string('signature');
  r.end();
  const signatureAlgorithm = new SshReader(signature, `${what} signature`).text('algorithm');
  if (!verifySshSignature(signatureKey, bytes.subarray(0, signedLength), signature)) {
    throw new InvalidInputError(`${what}: the CA signature does not verify (the certificate was altered or not signed by ${signatureKey.fingerprint})`);
  }
  return {
    certType,
    kind: kindNumber === SSH2_CERT_TYPE_USER ? 'user' : 'host',
    nonce,
    publicKey,
    serial,
    keyId,
    principals,
    validAfter,
    validBefore,
    criticalOptions,
    extensions,
    signatureKey,
    signatureAlgorithm,
    comment: match[3] ?? '',
    bytes,
  };
}
