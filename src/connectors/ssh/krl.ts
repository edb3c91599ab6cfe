// The Key Revocation List sshd reads (RevokedKeys) to refuse certificates revoked before they expire.
// No library writes KRLs, so `ssh-keygen -k` builds it from a spec; then `ssh-keygen -Q` must read it back
// before it replaces the live file, because sshd refuses EVERY key when the KRL cannot be loaded. OpenSSH
// 9.2 encodes revoked serials less than ~72 apart as a bitmap, and cannot load a bitmap wider than 16,384
// bits ("bignum is too large"); writing `serial: A-B` ranges does not change its choice (measured). When
// that happens and every entry has a key id, the KRL is written again revoking by key id (`id:` lines),
// which needs no bitmap (~20 bytes per entry instead of ~1 bit).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvalidInputError, JitdError } from '../../core/errors.ts';
import { parseCertificate } from './certificate.ts';
import type { ParsedCertificate } from './certificate.ts';
import { parsePublicKeyLine } from './public-key.ts';
import type { SshPublicKey } from './public-key.ts';
import { hasControlCharacter } from './ssh-wire.ts';

const run = promisify(execFile);

export const SSH_KEYGEN = '/usr/bin/ssh-keygen';
export const KRL_FILE_NAME = 'revoked.krl';
/** Revoked certificates stay listed this long after they expire, in case sshd's clock is behind jitd's. */
export const DEFAULT_EXPIRY_GRACE_MS = 5 * 60_000;
const UINT64_MAX = (1n << 64n) - 1n;

/** A KRL could not be built or failed its checks; the published file was not touched. */
export class KrlError extends JitdError {
  readonly retryable: boolean;
  constructor(message: string, options: { retryable: boolean; cause?: unknown }) {
    super(options.retryable ? 'target_unavailable' : 'target_rejected', message, { cause: options.cause });
    this.retryable = options.retryable;
  }
}

export interface RevokedCertificate {
  readonly serial: bigint;
  /** The certificate's own valid_before: once past (plus the grace), sshd refuses it anyway and it is pruned. */
  readonly validBefore: Date;
  /** The certificate's key id; when every entry has one, a KRL that fails with serials is retried with `id:` lines. */
  readonly keyId?: string;
}

export interface WriteKrlOptions {
  /** Directory of the published `revoked.krl` (sshd's RevokedKeys); temporary files are made next to it. */
  readonly dir: string;
  /** The CA public key line file (as in sshd's TrustedUserCAKeys). */
  readonly caPublicKeyFile: string;
  readonly revoked: readonly RevokedCertificate[];
  readonly now: Date;
  /** A certificate signed by the same CA and never revoked: the new KRL must answer "ok" for it. */
  readonly probeCertificateFile: string;
  /** Optional: a certificate signed by the same CA that is in `revoked`: the new KRL must report it revoked. */
  readonly revokedProbeCertificateFile?: string;
  readonly expiryGraceMs?: number;
}

export interface KrlWritten {
  readonly path: string;
  readonly revokedBy: 'serial' | 'key-id';
  /** Certificates listed (after pruning and removing repeats). */
  readonly listed: number;
  /** Entries left out because their certificate has expired. */
  readonly pruned: number;
  readonly specLines: number;
  readonly bytes: number;
  /** Why the serial KRL was refused when the file revokes by key id. */
  readonly fallbackReason?: string;
}

/** Entries whose certificate is still valid at `now` (give or take the grace), without repeated serials. */
export function pruneExpired(revoked: readonly RevokedCertificate[], now: Date, graceMs: number): { kept: RevokedCertificate[]; pruned: number } {
  const bySerial = new Map<bigint, RevokedCertificate>();
  let pruned = 0;
  for (const entry of revoked) {
    if (entry.validBefore.getTime() + graceMs <= now.getTime()) {
      pruned++;
      continue;
    }
    const seen = bySerial.get(entry.serial);
    if (seen === undefined || seen.validBefore < entry.validBefore) bySerial.set(entry.serial, entry);
  }
  const kept = [...bySerial.values()].sort((a, b) => (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0));
  return { kept, pruned };
}

/** `serial: N` lines, runs of consecutive serials written as one `serial: A-B` range. */
export function serialSpecLines(serials: readonly bigint[]): string[] {
  const sorted = [...new Set(serials)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lines: string[] = [];
  let start: bigint | undefined;
  let end = 0n;
  const flush = (): void => {
    if (start !== undefined) lines.push(start === end ? `serial: ${start}` : `serial: ${start}-${end}`);
  };
  for (const serial of sorted) {
    if (start !== undefined && serial === end + 1n) {
      end = serial;
      continue;
    }
    flush();
    start = serial;
    end = serial;
  }
  flush();
  return lines;
}

/** Why `keyId` cannot be written as an `id:` spec line (ssh-keygen cuts at '#' and trims spaces), or undefined. */
export function keyIdSpecProblem(keyId: string): string | undefined {
  if (keyId === '' || keyId.includes('#') || hasControlCharacter(keyId) || keyId.trim() !== keyId) {
    return `key id ${JSON.stringify(keyId)} cannot be written as an "id:" line (empty, "#", control characters or outer spaces)`;
  }
  return undefined;
}

function checkInput(options: WriteKrlOptions): void {
  if (!Number.isFinite(options.now.getTime())) throw new InvalidInputError('now: must be a valid date');
  options.revoked.forEach((entry, i) => {
    if (entry.serial < 1n || entry.serial > UINT64_MAX) throw new InvalidInputError(`revoked[${i}].serial: must be between 1 and ${UINT64_MAX}`);
    if (!Number.isFinite(entry.validBefore.getTime())) throw new InvalidInputError(`revoked[${i}].validBefore: must be a valid date`);
  });
}

async function ensureSshKeygen(): Promise<void> {
  try {
    await access(SSH_KEYGEN, constants.X_OK);
  } catch {
    throw new KrlError(`${SSH_KEYGEN} not found: install the openssh-client package (apt-get install openssh-client)`, { retryable: true });
  }
}

async function readCertificate(path: string, role: string): Promise<ParsedCertificate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new KrlError(`${role} ${path} cannot be read (${(err as { code?: string }).code ?? 'error'})`, { retryable: false, cause: err });
  }
  try {
    return parseCertificate(text);
  } catch (err) {
    throw new KrlError(`${role} ${path} is not a valid certificate: ${(err as Error).message}`, { retryable: false, cause: err });
  }
}

interface Query {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function sshKeygen(args: readonly string[]): Promise<Query> {
  try {
    const { stdout, stderr } = await run(SSH_KEYGEN, [...args], { timeout: 30_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; message: string };
    if (typeof e.code !== 'number') throw new KrlError(`running ${SSH_KEYGEN} failed: ${e.message}`, { retryable: true, cause: err });
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Why the KRL at `krlPath` must not be published, or undefined when it answers as expected for the probes. */
async function validationProblem(krlPath: string, probeFile: string, revokedProbeFile: string | undefined): Promise<string | undefined> {
  const probe = await sshKeygen(['-Q', '-f', krlPath, probeFile]);
  if (probe.code !== 0 || !/: ok\s*$/.test(probe.stdout)) {
    if (/REVOKED/.test(probe.stdout)) return `ssh-keygen -Q reports the probe certificate ${probeFile} as revoked`;
    const said = (probe.stderr || probe.stdout).trim().replaceAll(krlPath, '<new KRL>');
    const hint = /bignum is too large/.test(said)
      ? ' (ssh-keygen encoded the revoked serials as a bitmap wider than 16,384 bits, which OpenSSH 9.2 cannot load: the serials are too spread out; sshd would refuse every key)'
      : '';
    return `ssh-keygen -Q cannot read it back: ${said || `exit code ${probe.code}`}${hint}`;
  }
  if (revokedProbeFile !== undefined) {
    const revoked = await sshKeygen(['-Q', '-f', krlPath, revokedProbeFile]);
    if (revoked.code !== 1 || !/REVOKED/.test(revoked.stdout)) {
      return `ssh-keygen -Q does not report the revoked probe certificate ${revokedProbeFile} as revoked (exit code ${revoked.code}: ${(revoked.stderr || revoked.stdout).trim()})`;
    }
  }
  return undefined;
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Builds a KRL revoking `revoked` (minus expired entries), checks it with `ssh-keygen -Q`, and only then
 * renames it over `<dir>/revoked.krl`. On any failure the published file is left as it was and a KrlError
 * says why. Callers must not run two writes for the same directory at once (the last rename wins).
 */
export async function writeKrl(options: WriteKrlOptions): Promise<KrlWritten> {
  checkInput(options);
  await ensureSshKeygen();
  const target = join(options.dir, KRL_FILE_NAME);
  const refuse = (reason: string, retryable = false, cause?: unknown): KrlError =>
    new KrlError(`KRL not published (${target} left as it was): ${reason}`, { retryable, cause });

  let caLine: string;
  try {
    caLine = await readFile(options.caPublicKeyFile, 'utf8');
  } catch (err) {
    throw refuse(`CA public key ${options.caPublicKeyFile} cannot be read (${(err as { code?: string }).code ?? 'error'})`, false, err);
  }
  let ca: SshPublicKey;
  try {
    ca = parsePublicKeyLine(caLine);
  } catch (err) {
    throw refuse(`CA public key ${options.caPublicKeyFile}: ${(err as Error).message}`, false, err);
  }
  const { kept, pruned } = pruneExpired(options.revoked, options.now, options.expiryGraceMs ?? DEFAULT_EXPIRY_GRACE_MS);
  const keptSerials = new Set(kept.map((e) => e.serial));
  const keptKeyIds = new Set(kept.flatMap((e) => (e.keyId === undefined ? [] : [e.keyId])));

  const probe = await readCertificate(options.probeCertificateFile, 'probe certificate');
  if (!probe.signatureKey.blob.equals(ca.blob)) {
    throw refuse(`probe certificate ${options.probeCertificateFile} is signed by ${probe.signatureKey.fingerprint}, not by the CA ${ca.fingerprint}`);
  }
  if (keptSerials.has(probe.serial) || keptKeyIds.has(probe.keyId)) {
    throw refuse(`probe certificate ${options.probeCertificateFile} (serial ${probe.serial}) is itself in the revocation list: use a certificate that is never revoked`);
  }
  if (options.revokedProbeCertificateFile !== undefined) {
    const revokedProbe = await readCertificate(options.revokedProbeCertificateFile, 'revoked probe certificate');
    if (!revokedProbe.signatureKey.blob.equals(ca.blob) || !keptSerials.has(revokedProbe.serial)) {
      throw refuse(`revoked probe certificate ${options.revokedProbeCertificateFile} (serial ${revokedProbe.serial}) is not one of this CA's certificates in the list`);
    }
  }

  const stem = join(options.dir, `.${KRL_FILE_NAME}.${randomBytes(6).toString('hex')}`);
  const specPath = `${stem}.spec`;
  const tmpPath = `${stem}.tmp`;
  const build = async (lines: readonly string[]): Promise<string | undefined> => {
    await rm(tmpPath, { force: true });
    await writeFile(specPath, lines.length > 0 ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    const version = String(Math.max(1, Math.floor(options.now.getTime() / 1000)));
    const made = await sshKeygen(['-k', '-z', version, '-f', tmpPath, '-s', options.caPublicKeyFile, specPath]);
    if (made.code !== 0) return `ssh-keygen -k failed (exit code ${made.code}): ${made.stderr.trim().replaceAll(specPath, '<spec>')}`;
    return await validationProblem(tmpPath, options.probeCertificateFile, options.revokedProbeCertificateFile);
  };

  try {
    const serialLines = serialSpecLines(kept.map((e) => e.serial));
    let revokedBy: 'serial' | 'key-id' = 'serial';
    let specLines = serialLines.length;
    let fallbackReason: string | undefined;
    const problem = await build(serialLines);
    if (problem !== undefined) {
      const unusable = kept.map((e) => (e.keyId === undefined ? `serial ${e.serial} has no key id` : keyIdSpecProblem(e.keyId))).find((p) => p !== undefined);
      if (!/bignum is too large/.test(problem) || unusable !== undefined) {
        throw refuse(unusable === undefined ? problem : `${problem}; revoking by key id instead is not possible: ${unusable}`);
      }
      const idLines = [...keptKeyIds].sort().map((id) => `id: ${id}`);
      const idProblem = await build(idLines);
      if (idProblem !== undefined) throw refuse(`${problem}; revoking by key id instead also failed: ${idProblem}`);
      revokedBy = 'key-id';
      specLines = idLines.length;
      fallbackReason = problem;
    }
    await fsyncPath(tmpPath);
    await rename(tmpPath, target);
    await fsyncPath(options.dir);
    const { size } = await stat(target);
    return { path: target, revokedBy, listed: kept.length, pruned, specLines, bytes: size, ...(fallbackReason === undefined ? {} : { fallbackReason }) };
  } catch (err) {
    if (err instanceof JitdError) throw err;
    throw refuse((err as Error).message, true, err);
  } finally {
    await rm(specPath, { force: true });
    await rm(tmpPath, { force: true });
  }
}
