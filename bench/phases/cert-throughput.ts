// ssh phase 2: sustained load. C clients, each its own principal and key, request certificates back to back
// (call → certificate on disk) for S seconds; the leases stay active (1 h), as they would in use. Every
// certificate takes three store commits inside jitd: the request and lease, the serial (allocated one at a
// time, written before it is used), and the confirmed grant. The CPU jitd used, in all its threads and in
// its main thread alone, is read from /proc, to tell a CPU bound from time spent waiting for fsync.
import { performance } from 'node:perf_hooks';
import type { SshBenchEnvironment } from '../environment-ssh.ts';
import { mainThreadCpuSeconds, sampleProcess } from '../proc-stats.ts';
import { round, summarize, type Summary } from '../stats.ts';
import { runClosedLoop } from './closed-loop.ts';
import { requestCertificate } from './ssh-request.ts';

export interface CertThroughputResult {
  readonly clients: number;
  readonly seconds: number;
  readonly certificates: number;
  readonly errors: number;
  readonly firstErrors: readonly string[];
  readonly certificatesPerSecond: number;
  /** Call → certificate on disk, under load. */
  readonly certMs: Summary;
  /** CPU seconds of jitd (all threads) and of its main thread per wall second. */
  readonly jitdCpuShare: number | null;
  readonly jitdMainThreadCpuShare: number | null;
  /** CPU seconds of this process (the clients) per wall second: they share the 2 cores with jitd. */
  readonly benchCpuShare: number;
}

export async function measureCertThroughput(env: SshBenchEnvironment, seconds: number): Promise<CertThroughputResult> {
  const pid = env.server.pid;
  const certMs: number[] = [];
  let certificates = 0;
  const before = { all: sampleProcess(pid)?.cpuSeconds, main: mainThreadCpuSeconds(pid), bench: process.cpuUsage() };
  const loop = await runClosedLoop(
    env.clients,
    seconds,
    async (client) => {
      const t0 = performance.now();
      await requestCertificate(env.api, client);
      certMs.push(performance.now() - t0);
      certificates += 1;
    },
    () => `${certificates} certificates`,
  );
  const after = { all: sampleProcess(pid)?.cpuSeconds, main: mainThreadCpuSeconds(pid), bench: process.cpuUsage(before.bench) };
  const wall = loop.elapsedSeconds;
  const share = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? null : round((b - a) / wall, 2));
  return {
    clients: env.clients.length,
    seconds: round(wall),
    certificates,
    errors: loop.errors,
    firstErrors: loop.firstErrors,
    certificatesPerSecond: round(certificates / wall, 1),
    certMs: summarize(certMs),
    jitdCpuShare: share(before.all, after.all),
    jitdMainThreadCpuShare: share(before.main, after.main),
    benchCpuShare: round((after.bench.user + after.bench.system) / 1e6 / wall, 2),
  };
}
