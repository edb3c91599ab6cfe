// ssh phase 3: how long from an early release until hosts can fetch a KRL that refuses the certificate.
// Sequentially: a certificate is issued (untimed), then POST /v1/leases/:id/release is sent (jitd writes
// the new KRL with `ssh-keygen -k`, checks it with `ssh-keygen -Q` against its probe certificate and renames
// it into place before it answers), then GET /v1/ssh/krl as a host would fetch it. Outside the timing, the
// fetched KRL is checked with `ssh-keygen -Q` against the released certificate: it must say "revoked".
// The KRL grows by one certificate per release (all are still valid for an hour).
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { SSH_KEYGEN } from '../../src/connectors/ssh/krl.ts';
import type { SshBenchEnvironment } from '../environment-ssh.ts';
import { counter } from '../progress.ts';
import { summarize, type Summary } from '../stats.ts';
import { requestCertificate } from './ssh-request.ts';

const run = promisify(execFile);

export interface KrlLatencyResult {
  readonly releases: number;
  /** POST release sent → answered (the KRL is published by then). */
  readonly releaseMs: Summary;
  /** POST release sent → GET /v1/ssh/krl returned the new KRL. */
  readonly krlServedMs: Summary;
  /** Released certificates that the fetched KRL refuses (`ssh-keygen -Q` exit status 1). */
  readonly refusedByKrl: number;
  /** Size of the last KRL fetched. */
  readonly krlBytes: number;
}

/** Whether `ssh-keygen -Q` finds the certificate in the KRL (it exits 1 for a revoked key, 0 for none). */
async function isRevoked(krlFile: string, certificateFile: string): Promise<boolean> {
  try {
    await run(SSH_KEYGEN, ['-Q', '-f', krlFile, certificateFile]);
    return false;
  } catch (error) {
    if ((error as { code?: unknown }).code === 1) return true;
    throw error;
  }
}

export async function measureKrlLatency(env: SshBenchEnvironment, releases: number): Promise<KrlLatencyResult> {
  const client = env.clients[0]!;
  const krlFile = join(env.dir, 'fetched.krl');
  const releaseMs: number[] = [];
  const krlServedMs: number[] = [];
  let refused = 0;
  let krlBytes = 0;
  const progress = counter('releases', releases);
  for (let i = 0; i < releases; i++) {
    const { leaseId } = await requestCertificate(env.api, client);
    const t0 = performance.now();
    await env.api.release(client.token, leaseId);
    const t1 = performance.now();
    const krl = await env.api.fetchBytes('/v1/ssh/krl', client.token);
    const t2 = performance.now();
    releaseMs.push(t1 - t0);
    krlServedMs.push(t2 - t0);
    krlBytes = krl.length;
    await writeFile(krlFile, krl);
    if (await isRevoked(krlFile, client.certificateFile)) refused += 1;
    progress.tick(i + 1);
  }
  progress.end(`${refused} refused by the fetched KRL`);
  return { releases, releaseMs: summarize(releaseMs), krlServedMs: summarize(krlServedMs), refusedByKrl: refused, krlBytes };
}
