// A fresh ed25519 key pair made on the client, written as an unencrypted OpenSSH private key file
// (PROTOCOL.key, "openssh-key-v1") that ssh and ssh-add read. The private key never leaves this machine:
// only the public key line is sent to jitd.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ED25519, publicKeyLine } from '../../connectors/ssh/public-key.ts';
import { SshWriter } from '../../connectors/ssh/ssh-wire.ts';

const MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');
/** The block size of cipher "none": the private section is padded to a multiple of it. */
const BLOCK_SIZE = 8;
/** OpenSSH wraps the base64 body at 70 characters. */
const LINE_LENGTH = 70;

export interface GeneratedSshKey {
  /** The private key file's content (`-----BEGIN OPENSSH PRIVATE KEY-----` …). */
  readonly privateKeyFile: string;
  /** `ssh-ed25519 AAAA… comment`, as in the .pub file. */
  readonly publicKeyLine: string;
}

/** The OpenSSH private key file for an ed25519 key given by its 32-byte seed and 32-byte public key. */
export function encodeEd25519PrivateKey(seed: Buffer, publicKey: Buffer, comment: string, checkInt: number): string {
  if (seed.length !== 32 || publicKey.length !== 32) throw new RangeError('an ed25519 seed and public key are 32 bytes each');
  const publicBlob = new SshWriter().string(ED25519).string(publicKey).toBuffer();
  const section = new SshWriter()
    // The two equal check ints let a reader tell a wrong passphrase from a corrupt file; random as in OpenSSH.
    .uint32(checkInt)
    .uint32(checkInt)
    .string(ED25519)
    .string(publicKey)
    // OpenSSH stores the seed followed by the public key as the "private key".
    .string(Buffer.concat([seed, publicKey]))
    .string(comment);
  const unpadded = section.toBuffer();
  const padLength = (BLOCK_SIZE - (unpadded.length % BLOCK_SIZE)) % BLOCK_SIZE;
  const padding = Buffer.from(Array.from({ length: padLength }, (_, i) => i + 1));
  const body = new SshWriter()
    .raw(MAGIC)
    .string('none') // cipher
    .string('none') // kdf
    .string('') // kdf options
    .uint32(1) // number of keys
    .string(publicBlob)
    .string(Buffer.concat([unpadded, padding]))
    .toBuffer()
    .toString('base64');
  const lines = body.match(new RegExp(`.{1,${LINE_LENGTH}}`, 'g')) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** A new ed25519 key pair; `comment` goes into both files (e.g. `jitd:web-01-admin`). */
export function generateEd25519Key(comment: string): GeneratedSshKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d ?? '', 'base64url');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  const blob = new SshWriter().string(ED25519).string(pub).toBuffer();
  return {
    privateKeyFile: encodeEd25519PrivateKey(seed, pub, comment, randomBytes(4).readUInt32BE(0)),
    publicKeyLine: publicKeyLine({ type: ED25519, blob, comment }),
  };
}
