// ssh phase 1: how long from asking until the certificate is on the client's disk, against what signing one
// costs. Sequential requests, each timed from sending POST /v1/requests until the returned certificate is
// written to a file; interleaved with the floor done in this process (jitd's own signUserCertificate with
// the same CA, key and principals, and the same file write), so both run under the same conditions. Then
// the signing alone over many certificates, and `ssh-keygen -s` as a process (what jitd avoids) for reference.
import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { DEFAULT_EXTENSIONS, parseCertificate, signUserCertificate } from '../../src/connectors/ssh/certificate.ts';
import { signUserCertificate as sshKeygenSign } from '../../test/fixtures/sshd.ts';
import type { ApiClient } from '../api-client.ts';
import { SSH_PRINCIPALS, type SshBenchEnvironment } from '../environment-ssh.ts';
import { summarize, type Summary } from '../stats.ts';
import { warmedUpSequence } from './sequential.ts';
import { requestCertificate } from './ssh-request.ts';

export interface CertLatencyInput {
  readonly env: SshBenchEnvironment;
  readonly warmup: number;
  readonly grants: number;
  /** Signatures in the tight in-process loop. */
  readonly rawSigns: number;
  /** `ssh-keygen -s` runs. */
  readonly keygenRuns: number;
}

export interface CertLatencyResult {
  /** POST /v1/requests sent → 201 received. */
  readonly apiMs: Summary;
  /** POST /v1/requests sent → certificate written to the file. */
  readonly certMs: Summary;
  /** signUserCertificate + the same file write, in this process, interleaved with the requests. */
  readonly rawSignWriteMs: Summary;
  /** signUserCertificate alone, in a tight loop. */
  readonly rawSignMs: Summary;
  /** `ssh-keygen -s` spawned from node, until it exited (the certificate is then in a file). */
  readonly keygenMs: Summary;
  /** Certificates whose CA signature, principals and key id (the lease id) checked out. */
  readonly certificatesChecked: number;
}

const HOUR_MS = 3_600_000;

export async function measureCertLatency(input: CertLatencyInput): Promise<CertLatencyResult> {
  const { env } = input;
  const api: ApiClient = env.api;
  const client = env.clients[0]!;
  const rawFile = `${env.referenceKey.privateKeyFile}-raw-cert.pub`;
  const rawSign = (serial: number) => {
    const at = Date.now();
    return signUserCertificate({
      ca: env.ca,
      publicKey: client.publicKey,
      serial: BigInt(serial),
      keyId: `lease-bench-raw:${SSH_PRINCIPALS.join(',')}`,
      principals: SSH_PRINCIPALS,
      validAfter: new Date(at - 120_000),
      validBefore: new Date(at + HOUR_MS),
      extensions: DEFAULT_EXTENSIONS,
    });
  };
  const apiMs: number[] = [];
  const certMs: number[] = [];
  const rawSignWriteMs: number[] = [];
  let checked = 0;
  await warmedUpSequence('certificates', input.warmup, input.grants, async (i, measured) => {
    const t0 = performance.now();
    const issued = await requestCertificate(api, client);
    const t1 = performance.now();
    const r0 = performance.now();
    await writeFile(rawFile, `${rawSign(i + 1).line}\n`);
    const r1 = performance.now();
    if (!measured) return;
    certMs.push(t1 - t0);
    rawSignWriteMs.push(r1 - r0);
    apiMs.push(issued.apiMs);
    // Outside the timing: the certificate is what was asked for (parseCertificate checks the CA signature).
    const parsed = parseCertificate(issued.line);
    if (parsed.signatureKey.blob.equals(env.ca.publicKey.blob) && parsed.principals.join(',') === SSH_PRINCIPALS.join(',') && parsed.keyId.startsWith(`${issued.leaseId}:`)) checked += 1;
  });

  const rawSignMs: number[] = [];
  for (let i = 0; i < input.rawSigns; i++) {
    const s0 = performance.now();
    rawSign(i + 1);
    rawSignMs.push(performance.now() - s0);
  }

  const keygenMs: number[] = [];
  for (let i = 0; i < input.keygenRuns; i++) {
    const k0 = performance.now();
    await sshKeygenSign({
      caPrivateKeyFile: env.caKeyPair.privateKeyFile,
      publicKeyFile: env.referenceKey.publicKeyFile,
      keyId: 'lease-bench-keygen:bench',
      principals: SSH_PRINCIPALS,
      serial: i + 1,
    });
    keygenMs.push(performance.now() - k0);
  }
  return {
    apiMs: summarize(apiMs),
    certMs: summarize(certMs),
    rawSignWriteMs: summarize(rawSignWriteMs),
    rawSignMs: summarize(rawSignMs),
    keygenMs: summarize(keygenMs),
    certificatesChecked: checked,
  };
}
