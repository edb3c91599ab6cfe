// writeKrl against the real ssh-keygen 9.2: what it publishes revokes what was asked and nothing else,
// and a KRL that OpenSSH cannot load (the "bignum is too large" bug with sparse serials) is never
// published. Certificates here are signed by `ssh-keygen -s`, independent of jitd's own signer.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KRL_FILE_NAME, SSH_KEYGEN, writeKrl } from '../../src/connectors/ssh/krl.ts';
import type { RevokedCertificate } from '../../src/connectors/ssh/krl.ts';
import { ensureSshInstalled } from '../fixtures/sshd.ts';

const run = promisify(execFile);

/** Installs Debian's openssh-client when ssh-keygen is missing (root only). */
async function keygen(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(SSH_KEYGEN, args, { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const NOW = new Date();
const IN_ONE_HOUR = new Date(NOW.getTime() + 3600_000);
let root = '';
let caPub = '';
let probe = '';

/** A certificate for the test user key with this serial and key id, signed by `ca` with ssh-keygen -s. */
async function certificate(serial: number, keyId: string, ca = join(root, 'ca')): Promise<string> {
  const base = join(root, `user-${serial}-${keyId.replace(/[^A-Za-z0-9]/g, '_')}-${ca.endsWith('other-ca') ? 'other' : 'ca'}`);
  await copyFile(join(root, 'user.pub'), `${base}.pub`);
  const made = await keygen('-q', '-s', ca, '-I', keyId, '-n', 'root', '-z', String(serial), '-V', '-5m:+1h', `${base}.pub`);
  assert.equal(made.code, 0, made.stderr);
  return `${base}-cert.pub`;
}

/** A fresh directory for one published KRL. */
async function krlDir(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  return dir;
}

/** What `ssh-keygen -Q` says about a certificate with the published KRL: "ok" or "REVOKED". */
async function query(dir: string, cert: string): Promise<string> {
  const q = await keygen('-Q', '-f', join(dir, KRL_FILE_NAME), cert);
  return q.code === 0 ? 'ok' : q.code === 1 ? 'REVOKED' : `error: ${q.stderr.trim()}`;
}

const every = (from: number, to: number, step: number): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
const entries = (serials: readonly number[], withKeyIds = false): RevokedCertificate[] =>
  serials.map((s) => ({ serial: BigInt(s), validBefore: IN_ONE_HOUR, ...(withKeyIds ? { keyId: `lease_${s}:root` } : {}) }));

describe('KRL writing with ssh-keygen -k, checked with ssh-keygen -Q', () => {
  before(async () => {
    await ensureSshInstalled();
    root = await mkdtemp(join(tmpdir(), 'jitd-ssh-krl-'));
    await Promise.all([
      keygen('-q', '-N', '', '-t', 'ed25519', '-C', 'jitd test CA', '-f', join(root, 'ca')),
      keygen('-q', '-N', '', '-t', 'ed25519', '-C', 'another CA', '-f', join(root, 'other-ca')),
      keygen('-q', '-N', '', '-t', 'ed25519', '-C', 'alice', '-f', join(root, 'user')),
    ]);
    caPub = join(root, 'ca.pub');
    // Serial 0 is never issued by jitd, so a certificate with it is never revoked: the "ok" probe.
    probe = await certificate(0, 'jitd-krl-probe');
  });

  after(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('the published KRL revokes the listed serials as ranges, leaves out expired ones, and nothing else', async (t) => {
    const dir = await krlDir('basic');
    const revokedProbe = await certificate(4, 'lease_4:root');
    const start = performance.now();
    const written = await writeKrl({
      dir,
      caPublicKeyFile: caPub,
      revoked: [...entries([3, 4, 5, 9]), { serial: 2n, validBefore: new Date(NOW.getTime() - 3600_000) }],
      now: NOW,
      probeCertificateFile: probe,
      revokedProbeCertificateFile: revokedProbe,
    });
    t.diagnostic(`writeKrl (ssh-keygen -k and two -Q) took ${(performance.now() - start).toFixed(1)} ms`);
    assert.deepEqual({ ...written, bytes: 0 }, { path: join(dir, KRL_FILE_NAME), revokedBy: 'serial', listed: 4, pruned: 1, specLines: 2, bytes: 0 });
    const listing = (await keygen('-Q', '-l', '-f', join(dir, KRL_FILE_NAME))).stdout;
    assert.match(listing, /^serial: 3-5$/m);
    assert.match(listing, /^serial: 9$/m);
    assert.doesNotMatch(listing, /^serial: 2$/m);
    assert.equal(await query(dir, await certificate(9, 'lease_9:root')), 'REVOKED');
    assert.equal(await query(dir, await certificate(2, 'lease_2:root')), 'ok');
    assert.equal(await query(dir, await certificate(6, 'lease_6:root')), 'ok');
    assert.deepEqual(await readdir(dir), [KRL_FILE_NAME]);
  });

  test('an empty list publishes a KRL that revokes nothing (sshd needs the file to exist)', async () => {
    const dir = await krlDir('empty');
    const written = await writeKrl({ dir, caPublicKeyFile: caPub, revoked: [], now: NOW, probeCertificateFile: probe });
    assert.equal(written.listed, 0);
    assert.equal(await query(dir, await certificate(1, 'lease_1:root')), 'ok');
  });

  test('serials spread over exactly 16,384 numbers still load; one more and ssh-keygen writes a KRL it cannot read', async () => {
    // Measured boundary of OpenSSH 9.2: a serial bitmap may span at most 16,384 bits.
    const fits = await krlDir('boundary-fits');
    await writeKrl({ dir: fits, caPublicKeyFile: caPub, revoked: entries(every(1, 16383, 2)), now: NOW, probeCertificateFile: probe });
    const spec = join(root, 'boundary.spec');
    await writeFile(spec, `${every(1, 16385, 2).map((s) => `serial: ${s}`).join('\n')}\n`);
    const made = await keygen('-k', '-f', join(root, 'boundary.krl'), '-s', caPub, spec);
    assert.equal(made.code, 0, 'ssh-keygen -k itself reports success');
    const readBack = await keygen('-Q', '-f', join(root, 'boundary.krl'), probe);
    assert.equal(readBack.code, 255);
    assert.match(readBack.stderr, /bignum is too large/);
  });

  test('sparse serials spanning more than 16,384 are refused and the previous KRL stays in place', async () => {
    const dir = await krlDir('sparse');
    await writeKrl({ dir, caPublicKeyFile: caPub, revoked: entries([9]), now: NOW, probeCertificateFile: probe });
    const previous = await readFile(join(dir, KRL_FILE_NAME));
    const target = join(dir, KRL_FILE_NAME);
    await assert.rejects(writeKrl({ dir, caPublicKeyFile: caPub, revoked: entries(every(1, 40001, 2)), now: NOW, probeCertificateFile: probe }), {
      name: 'KrlError',
      message:
        `KRL not published (${target} left as it was): ssh-keygen -Q cannot read it back: Invalid KRL file <new KRL>: bignum is too large ` +
        '(ssh-keygen encoded the revoked serials as a bitmap wider than 16,384 bits, which OpenSSH 9.2 cannot load: the serials are too spread out; sshd would refuse every key); ' +
        'revoking by key id instead is not possible: serial 1 has no key id',
    });
    assert.deepEqual(await readFile(target), previous);
    assert.deepEqual(await readdir(dir), [KRL_FILE_NAME]);
    assert.equal(await query(dir, await certificate(9, 'lease_9:root')), 'REVOKED');
  });

  test('writing runs of serials as "serial: A-B" ranges does not avoid the failure', async () => {
    const dir = await krlDir('ranges');
    // Runs of 3 with gaps of 2: the spec holds 8,000 range lines, ssh-keygen still makes one bitmap.
    const serials = every(1, 40000, 5).flatMap((s) => [s, s + 1, s + 2]);
    await assert.rejects(writeKrl({ dir, caPublicKeyFile: caPub, revoked: entries(serials), now: NOW, probeCertificateFile: probe }), {
      message: /ssh-keygen -Q cannot read it back: Invalid KRL file <new KRL>: bignum is too large/,
    });
    assert.deepEqual(await readdir(dir), []);
  });

  test('when every entry has a key id, the same sparse list is published revoking by key id instead', async (t) => {
    const dir = await krlDir('by-key-id');
    const start = performance.now();
    const written = await writeKrl({
      dir,
      caPublicKeyFile: caPub,
      revoked: entries(every(1, 40001, 2), true),
      now: NOW,
      probeCertificateFile: probe,
      revokedProbeCertificateFile: await certificate(41, 'lease_41:root'),
    });
    t.diagnostic(`20,001 key ids: ${(performance.now() - start).toFixed(0)} ms, ${written.bytes} bytes (serial bitmap would be ~5 kB but unloadable)`);
    assert.equal(written.revokedBy, 'key-id');
    assert.equal(written.listed, 20001);
    assert.match(written.fallbackReason ?? '', /bignum is too large/);
    assert.equal(await query(dir, await certificate(40001, 'lease_40001:root')), 'REVOKED');
    // Revocation by key id does not look at the serial: a certificate with a revoked serial but another id passes.
    assert.equal(await query(dir, await certificate(3, 'lease_other:root')), 'ok');
  });

  test('measured: contiguous serials and serials 100 apart load; serials a few apart across more than 16,384 do not', async (t) => {
    // ssh-keygen picks a list, a range or a bitmap by size: gaps under ~72 make a bitmap, which breaks
    // past 16,384 bits whatever the spec says. Revoking nearly everything, with a few holes, is enough.
    const cases: ReadonlyArray<{ name: string; serials: number[]; loads: boolean }> = [
      { name: '40,001 contiguous', serials: every(100_000, 140_000, 1), loads: true },
      { name: 'every 100th of 200,000', serials: every(1, 200_001, 100), loads: true },
      { name: 'every 70th of 200,000', serials: every(1, 200_001, 70), loads: false },
      { name: '40,000 with every 97th missing', serials: every(100_000, 140_000, 1).filter((s) => s % 97 !== 0), loads: false },
    ];
    for (const c of cases) {
      const dir = await krlDir(`measure-${c.serials.length}-${c.loads}`);
      const start = performance.now();
      try {
        const written = await writeKrl({ dir, caPublicKeyFile: caPub, revoked: entries(c.serials), now: NOW, probeCertificateFile: probe });
        t.diagnostic(`${c.name}: published, ${written.specLines} spec lines, ${written.bytes} bytes, ${(performance.now() - start).toFixed(0)} ms`);
        assert.ok(c.loads, `${c.name} was expected to fail`);
        assert.equal(await query(dir, await certificate(c.serials[1] ?? 0, `lease_m${c.serials.length}:root`)), 'REVOKED');
      } catch (err) {
        if (c.loads) throw err;
        assert.match((err as Error).message, /bignum is too large/);
        t.diagnostic(`${c.name}: refused (bignum is too large), ${(performance.now() - start).toFixed(0)} ms`);
      }
    }
  });

  test('a probe certificate from another CA is refused before anything is written', async () => {
    const dir = await krlDir('foreign-probe');
    const foreign = await certificate(1, 'foreign', join(root, 'other-ca'));
    const other = (await keygen('-l', '-f', join(root, 'other-ca.pub'))).stdout.split(' ')[1];
    const ours = (await keygen('-l', '-f', caPub)).stdout.split(' ')[1];
    await assert.rejects(writeKrl({ dir, caPublicKeyFile: caPub, revoked: entries([5]), now: NOW, probeCertificateFile: foreign }), {
      message: `KRL not published (${join(dir, KRL_FILE_NAME)} left as it was): probe certificate ${foreign} is signed by ${other}, not by the CA ${ours}`,
    });
    assert.deepEqual(await readdir(dir), []);
  });

  test('a probe certificate that is itself in the list is refused', async () => {
    const dir = await krlDir('probe-revoked');
    const cert = await certificate(5, 'lease_5:root');
    await assert.rejects(writeKrl({ dir, caPublicKeyFile: caPub, revoked: entries([5]), now: NOW, probeCertificateFile: cert }), {
      message: `KRL not published (${join(dir, KRL_FILE_NAME)} left as it was): probe certificate ${cert} (serial 5) is itself in the revocation list: use a certificate that is never revoked`,
    });
  });

  test('a revoked probe whose serial is not in the list (or was pruned) is refused', async () => {
    const dir = await krlDir('revoked-probe-missing');
    const cert = await certificate(7, 'lease_7:root');
    await assert.rejects(
      writeKrl({ dir, caPublicKeyFile: caPub, revoked: [{ serial: 7n, validBefore: new Date(NOW.getTime() - 3600_000) }], now: NOW, probeCertificateFile: probe, revokedProbeCertificateFile: cert }),
      { message: `KRL not published (${join(dir, KRL_FILE_NAME)} left as it was): revoked probe certificate ${cert} (serial 7) is not one of this CA's certificates in the list` },
    );
  });

  test('a missing CA public key file is reported by name', async () => {
    const dir = await krlDir('no-ca');
    const missing = join(root, 'missing.pub');
    await assert.rejects(writeKrl({ dir, caPublicKeyFile: missing, revoked: [], now: NOW, probeCertificateFile: probe }), {
      message: `KRL not published (${join(dir, KRL_FILE_NAME)} left as it was): CA public key ${missing} cannot be read (ENOENT)`,
    });
  });
});
