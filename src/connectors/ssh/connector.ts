// The `ssh` connector: jitd is an OpenSSH user CA. A lease is a short-lived user certificate for the
// requester's public key (the private key never reaches jitd): valid_before is the lease's end, the key id
// names the lease, serials come from a counter kept in the store. Early revocation lists the certificate
// in a Key Revocation List that hosts fetch; expiry needs nothing, the certificate ends by itself.
// See docs/connectors/ssh.md.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SshConnectorConfig } from '../../config/types.ts';
import type { ConnectorName } from '../../core/ids.ts';
import type { GrantData } from '../../core/request.ts';
import type { RoleTarget } from '../../core/role.ts';
import { ConnectorError } from '../connector.ts';
import type { Connector, ConnectorMemo, GrantContext, GrantResult, Holder, ResidualAccess, TargetRef } from '../connector.ts';
import { caPublicKeyLine } from './ca-key.ts';
import type { SshCaKey } from './ca-key.ts';
import { DEFAULT_EXTENSIONS, certificateKeyId, signUserCertificate } from './certificate.ts';
import { readSshTarget, sshRoleTargetSchema } from './config.ts';
import { DEFAULT_EXPIRY_GRACE_MS, KRL_FILE_NAME, KrlError, writeKrl } from './krl.ts';
import type { RevokedCertificate } from './krl.ts';
import { parsePublicKeyLine } from './public-key.ts';

export const CA_PUBLIC_KEY_FILE = 'ca.pub';
const PROBE_FILE = 'krl-probe-cert.pub';
/** The probe certificate's serial: the top of the range, never reached by the counter. */
const PROBE_SERIAL = (1n << 64n) - 1n;
const SERIAL_KEY = 'serial';
/** The counter also kept beside the KRL: after the store is restored from an older backup, serials go on from the higher one. */
const SERIAL_FILE = 'last-serial';
const REVOKED_KEY = 'revoked';

export interface SshConnectorDeps {
  readonly ca: SshCaKey;
  readonly memo: ConnectorMemo;
  /** Where revoked.krl and ca.pub are published (created when missing). */
  readonly publishDir: string;
  /** Where the session guard sends transcripts (jitd's public URL) and how large they may be. */
  readonly sessionUpload?: { readonly publicUrl: string; readonly limitBytes: number };
  readonly now?: () => number;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export interface SshConnector extends Connector {
  /** The published KRL file's bytes (what hosts fetch as their RevokedKeys). */
  revocationList(): Promise<Buffer>;
  /** The CA public key line (what hosts put in TrustedUserCAKeys). */
  caPublicKey(): string;
}

interface StoredRevocation {
  readonly serial: string;
  readonly keyId: string;
  readonly validBefore: string;
}

/** Runs one task at a time, in order (serial allocation, KRL publication). */
function serialized(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

export function createSshConnector(name: ConnectorName, config: SshConnectorConfig, deps: SshConnectorDeps): SshConnector {
  const now = deps.now ?? Date.now;
  const { ca, memo, publishDir } = deps;
  const caLine = caPublicKeyLine(ca, `jitd-${name}`);
  const inOrder = serialized();
  const fail = (message: string, retryable: boolean, cause?: unknown): ConnectorError => new ConnectorError(name, message, { retryable, cause });
  let prepared: Promise<void> | undefined;

  const revokedList = (): RevokedCertificate[] => {
    const text = memo.get(REVOKED_KEY);
    const stored = text === undefined ? [] : (JSON.parse(text) as StoredRevocation[]);
    return stored.map((r) => ({ serial: BigInt(r.serial), keyId: r.keyId, validBefore: new Date(r.validBefore) }));
  };
  const storedForm = (list: readonly RevokedCertificate[]): string =>
    JSON.stringify(list.map((r) => ({ serial: String(r.serial), keyId: r.keyId ?? '', validBefore: r.validBefore.toISOString() })));

  const probeFile = join(publishDir, PROBE_FILE);
  /** The highest serial the publish folder records, read once at prepare and kept up to date by nextSerial. */
  let serialOnDisk = 0n;

  /**
   * A certificate of this CA that is never revoked: each new KRL must answer "ok" for it before it is
   * published. Written once at prepare; `ssh-keygen -Q` checks revocation, not validity.
   */
  const writeProbe = async (): Promise<void> => {
    const at = now();
    const probe = signUserCertificate({
      ca,
      publicKey: ca.publicKey,
      serial: PROBE_SERIAL,
      keyId: 'jitd-krl-probe',
      principals: ['jitd-krl-probe'],
      validAfter: new Date(at - 86_400_000),
      validBefore: new Date(at + 86_400_000),
      extensions: [],
    });
    await writeFile(probeFile, `${probe.line}\n`, { mode: 0o644 });
  };

  /** Writes, checks and publishes the KRL for `list`; the published file changes only when all checks pass. */
  const publish = async (list: readonly RevokedCertificate[]): Promise<void> => {
    try {
      await writeKrl({
        dir: publishDir,
        caPublicKeyFile: join(publishDir, CA_PUBLIC_KEY_FILE),
        revoked: list,
        now: new Date(now()),
        probeCertificateFile: probeFile,
      });
    } catch (err) {
      if (err instanceof KrlError) throw fail(err.message, err.retryable, err);
      throw fail(`cannot publish the KRL in ${publishDir}: ${(err as Error).message}`, true, err);
    }
  };

  /** The publish folder with the CA public key and a KRL in it: a host without a KRL file locks everyone out. */
  const prepare = (): Promise<void> => {
    prepared ??= (async () => {
      await mkdir(publishDir, { recursive: true, mode: 0o755 });
      const tmp = join(publishDir, `.${CA_PUBLIC_KEY_FILE}.tmp`);
      await writeFile(tmp, `${caLine}\n`, { mode: 0o644 });
      await rename(tmp, join(publishDir, CA_PUBLIC_KEY_FILE));
      serialOnDisk = await readSerialFile();
      await writeProbe();
      await inOrder(() => publish(revokedList()));
    })().catch((err: unknown) => {
      prepared = undefined;
      throw err instanceof ConnectorError ? err : fail(`cannot prepare ${publishDir}: ${(err as Error).message}`, true, err);
    });
    return prepared;
  };

  /** The last serial recorded in the publish folder (0 when there is none or it is unreadable). */
  const readSerialFile = async (): Promise<bigint> => {
    try {
      const text = (await readFile(join(publishDir, SERIAL_FILE), 'utf8')).trim();
      return /^\d{1,20}$/.test(text) ? BigInt(text) : 0n;
    } catch {
      return 0n;
    }
  };

  /**
   * The next serial, written to the store before it is used: a serial is never issued twice, even after a
   * crash. It is also written beside the KRL, and the higher of the two counts: restoring the store from an
   * older backup does not make jitd issue serials again that certificates already carry.
   */
  const nextSerial = (): Promise<bigint> =>
    inOrder(async () => {
      const inStore = BigInt(memo.get(SERIAL_KEY) ?? '0');
      const serial = (inStore > serialOnDisk ? inStore : serialOnDisk) + 1n;
      await memo.set(SERIAL_KEY, String(serial));
      await writeFile(join(publishDir, SERIAL_FILE), `${serial}\n`, { mode: 0o644 });
      serialOnDisk = serial;
      return serial;
    });

  function validateTarget(target: RoleTarget): readonly string[] {
    const parsed = sshRoleTargetSchema.safeParse(target);
    if (parsed.success) return [];
    return parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }

  const publicKeyOf = (input: GrantData | undefined) => {
    const line = input?.publicKey;
    if (line === undefined) throw fail('publicKey: an SSH role needs the public key to certify', false);
    try {
      return parsePublicKeyLine(line);
    } catch (err) {
      throw fail(`publicKey: ${(err as Error).message}`, false, err);
    }
  };

  /** The certificate behind a lease, as its grant recorded it. */
  const certificateOf = (record: GrantData | undefined): { serial: bigint; keyId: string; validBefore: Date } | undefined => {
    if (record?.serial === undefined || record.validBefore === undefined) return undefined;
    return { serial: BigInt(record.serial), keyId: record.keyId ?? '', validBefore: new Date(record.validBefore) };
  };

  return {
    name,
    kind: 'ssh',
    capabilities: { nativeExpiry: true },
    validateTarget,
    prepare,

    validateGrantInput: (_target, input) => {
      const problems: string[] = [];
      for (const key of Object.keys(input ?? {})) if (key !== 'publicKey') problems.push(`${key}: an SSH role takes only publicKey`);
      if (input?.publicKey === undefined) return [...problems, 'publicKey: an SSH role needs the OpenSSH public key to certify (e.g. the content of ~/.ssh/id_ed25519.pub)'];
      try {
        parsePublicKeyLine(input.publicKey);
      } catch (err) {
        problems.push(`publicKey: ${(err as Error).message}`);
      }
      return problems;
    },

    residualAccess: (target: RoleTarget): ResidualAccess | undefined =>
      readSshTarget(target).endSessionsAtExpiry
        ? undefined
        : {
            upToMs: null,
            why: 'an SSH session opened during the lease is not ended by the certificate expiring or by the KRL; it lasts until it is closed (set endSessionsAtExpiry)',
          },

    grant: async (ctx: GrantContext): Promise<GrantResult> => {
      await prepare();
      const target = readSshTarget(ctx.target);
      const publicKey = publicKeyOf(ctx.input);
      const serial = await nextSerial();
      const keyId = certificateKeyId(ctx.leaseId, target.principals);
      const issuedAt = now();
      const end = Math.floor(ctx.expiresAt.getTime() / 1000);
      // A per-lease secret that lets the host's guard upload transcripts for this lease and nothing else;
      // jitd keeps only its hash.
      const uploadToken = target.recordSessions ? randomBytes(24).toString('base64url') : undefined;
      if (uploadToken !== undefined && deps.sessionUpload === undefined) throw fail('recordSessions: this connector has no upload address for transcripts', false);
      const guardCommand =
        uploadToken === undefined || deps.sessionUpload === undefined
          ? `${config.sessionGuard} ${end}`
          : `${config.sessionGuard} ${end} --record ${deps.sessionUpload.publicUrl}/v1/leases/${ctx.leaseId}/sessions ${uploadToken} ${deps.sessionUpload.limitBytes}`;
      let line: string;
      try {
        line = signUserCertificate({
          ca,
          publicKey,
          serial,
          keyId,
          principals: target.principals,
          validAfter: new Date(issuedAt - config.clockSkewMs),
          validBefore: ctx.expiresAt,
          criticalOptions: {
            ...(target.sourceAddress ? { sourceAddress: target.sourceAddress } : {}),
            // The guard runs the session and ends it at valid_before (docs/connectors/ssh.md#session-guard).
            ...(target.endSessionsAtExpiry ? { forceCommand: guardCommand } : {}),
          },
          extensions: target.extensions ?? DEFAULT_EXTENSIONS,
        }).line;
      } catch (err) {
        throw fail(`cannot sign the certificate: ${(err as Error).message}`, false, err);
      }
      // valid_before is written in whole seconds, rounded down: the lease ends then too.
      const validBefore = new Date(Math.floor(ctx.expiresAt.getTime() / 1000) * 1000);
      const audit = { serial: String(serial), keyId, principals: target.principals.join(','), publicKeyFingerprint: publicKey.fingerprint, validBefore: validBefore.toISOString() };
      return {
        record: { ...audit, certificate: line, ...(uploadToken === undefined ? {} : { sessionUploadSha256: sha256Hex(uploadToken) }) },
        audit: { ...audit, ...(uploadToken === undefined ? {} : { recordsSessions: 'true' }) },
        endsAt: validBefore,
      };
    },

    acceptsSessionUpload: (record, token) => {
      const expected = record?.sessionUploadSha256;
      if (expected === undefined || !/^[0-9a-f]{64}$/.test(expected)) return false;
      return timingSafeEqual(Buffer.from(sha256Hex(token), 'hex'), Buffer.from(expected, 'hex'));
    },

    revoke: async (ref: TargetRef) => {
      const cert = certificateOf(ref.record);
      // No certificate (a grant that never signed one) or one that has run out: nothing can use it.
      if (!cert || cert.validBefore.getTime() <= now()) return;
      await prepare();
      await inOrder(async () => {
        const list = revokedList();
        if (list.some((r) => r.serial === cert.serial)) return;
        // Entries whose certificates ran out are dropped here too, so the stored list stays small.
        const next = [...list.filter((r) => r.validBefore.getTime() + DEFAULT_EXPIRY_GRACE_MS > now()), cert];
        await publish(next);
        await memo.set(REVOKED_KEY, storedForm(next));
      });
    },

    holds: async (ref: TargetRef) => {
      const cert = certificateOf(ref.record);
      if (!cert || cert.validBefore.getTime() <= now()) return false;
      return !revokedList().some((r) => r.serial === cert.serial);
    },

    // Who holds a certificate cannot be read from anywhere: certificates live with their users.
    inspect: async (): Promise<readonly Holder[]> => Promise.resolve([]),

    revocationList: async () => {
      await prepare();
      return await readFile(join(publishDir, KRL_FILE_NAME));
    },
    caPublicKey: () => caLine,

    close: async () => Promise.resolve(),
  };
}
