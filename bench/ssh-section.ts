// The ssh section of `npm run bench`: jitd as an OpenSSH user CA. Certificate issuance latency (API call →
// certificate on disk) against the raw cost of signing, issuance throughput (and whether the store's
// commits or jitd's CPU bound it), and release → KRL served. The issue set no target for SSH: the figures
// are reported without a verdict, except counts that must be complete (errors, checked certificates).
import { join } from 'node:path';
import { startSshEnvironment, type SshBenchEnvironment } from './environment-ssh.ts';
import type { BenchOptions } from './options.ts';
import { measureCertLatency, type CertLatencyResult } from './phases/cert-latency.ts';
import { measureCertThroughput, type CertThroughputResult } from './phases/cert-throughput.ts';
import { measureKrlLatency, type KrlLatencyResult } from './phases/krl-latency.ts';
import type { ProcessProbe } from './process-probe.ts';
import { phase } from './progress.ts';
import { ms, perSecond, section, type Row, type SectionResult } from './report.ts';
import { runSection } from './sections.ts';
import { measureSqliteCommit } from './sqlite-commit-floor.ts';
import { round, type Summary } from './stats.ts';

/** Store commits per certificate in jitd: request + lease, the serial, the confirmed grant (src/engine, connectors/ssh). */
const COMMITS_PER_CERTIFICATE = 3;

interface SshResults {
  readonly latency: CertLatencyResult;
  readonly throughput: CertThroughputResult | undefined;
  readonly commitMs: Summary;
  readonly krl: KrlLatencyResult | undefined;
  readonly peakRssMb: number;
}

async function measure(env: SshBenchEnvironment, options: BenchOptions, probe: ProcessProbe): Promise<SshResults> {
  const rawSigns = Math.max(1000, options.sshGrants * 10);
  const keygenRuns = Math.min(50, options.sshGrants);
  phase(`ssh phase 1/3: issuance latency (${options.warmup} warm-up + ${options.sshGrants} sequential certificates; ${rawSigns} in-process signatures; ${keygenRuns} ssh-keygen -s)`);
  const latency = await measureCertLatency({ env, warmup: options.warmup, grants: options.sshGrants, rawSigns, keygenRuns });
  probe.mark('issuance_latency');

  let throughput: CertThroughputResult | undefined;
  if (options.sshSeconds > 0) {
    phase(`ssh phase 2/3: throughput (${env.clients.length} clients requesting certificates for ${options.sshSeconds} s)`);
    throughput = await measureCertThroughput(env, options.sshSeconds);
    probe.mark('issuance_throughput');
  } else {
    phase('ssh phase 2/3: throughput skipped (--ssh-seconds 0)');
  }
  const commits = options.quick ? 100 : 300;
  phase(`ssh: ${commits} SQLite commits (WAL, synchronous=FULL) in this process, the store's floor`);
  const commitMs = measureSqliteCommit(join(env.dir, 'commit-floor.sqlite'), commits);

  let krl: KrlLatencyResult | undefined;
  if (options.sshReleases > 0) {
    phase(`ssh phase 3/3: release → KRL served (${options.sshReleases} releases, each checked with ssh-keygen -Q)`);
    krl = await measureKrlLatency(env, options.sshReleases);
    probe.mark('krl_latency');
  } else {
    phase('ssh phase 3/3: release → KRL skipped (--ssh-releases 0)');
  }
  return { latency, throughput, commitMs, krl, peakRssMb: probe.peakRssMb() };
}

const pair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p99)}`;
const percent = (share: number | null) => (share === null ? 'n/a' : `${Math.round(share * 100)} %`);
const addedMs = (l: CertLatencyResult) => round(l.certMs.p50 - l.rawSignWriteMs.p50);

/** Share of each wall second jitd's main thread would spend in the store's fsyncs at the measured rate. */
const fsyncShare = (t: CertThroughputResult, commitMs: Summary) => round((t.certificatesPerSecond * COMMITS_PER_CERTIFICATE * commitMs.p50) / 1000, 2);

function rows(r: SshResults): Row[] {
  const { latency: l, throughput: t, krl } = r;
  return [
    section(`SSH: certificate issuance latency (${l.certMs.n} sequential requests, ed25519 CA and user key)`),
    { figure: 'API call → certificate written to a file, p50 / p99', value: pair(l.certMs) },
    { figure: 'API round trip (POST /v1/requests), p50 / p99', value: pair(l.apiMs) },
    { figure: 'raw signUserCertificate + file write (in-process), p50 / p99', value: pair(l.rawSignWriteMs) },
    { figure: `raw signUserCertificate alone (${l.rawSignMs.n}), p50 / p99`, value: pair(l.rawSignMs) },
    { figure: `ssh-keygen -s as a process (${l.keygenMs.n}), p50 / p99`, value: pair(l.keygenMs) },
    { figure: 'jitd added latency, p50 (on disk − raw sign + write)', value: ms(addedMs(l)), target: 'none set' },
    { figure: 'certificates checked (CA signature, principals, key id)', value: `${l.certificatesChecked}/${l.certMs.n}`, target: 'all', met: l.certificatesChecked === l.certMs.n },
    section(t ? `SSH: issuance throughput (${t.clients} clients, ${t.seconds.toFixed(1)} s)` : 'SSH: issuance throughput (skipped)'),
    ...(t
      ? [
          { figure: 'certificates per second', value: perSecond(t.certificatesPerSecond) },
          { figure: 'call → certificate on disk under load, p50 / p99', value: pair(t.certMs) },
          { figure: 'errors', value: String(t.errors), target: '0', met: t.errors === 0 },
          { figure: 'jitd CPU, all threads / main thread (of one core)', value: `${percent(t.jitdCpuShare)} / ${percent(t.jitdMainThreadCpuShare)}` },
          { figure: 'benchmark clients CPU (same 2 cores)', value: percent(t.benchCpuShare) },
          { figure: 'SQLite commit, WAL + synchronous=FULL, p50 / p99', value: pair(r.commitMs) },
          { figure: `main thread in fsync (${COMMITS_PER_CERTIFICATE} commits/cert × rate × commit p50)`, value: percent(fsyncShare(t, r.commitMs)) },
        ]
      : [{ figure: 'SQLite commit, WAL + synchronous=FULL, p50 / p99', value: pair(r.commitMs) }]),
    section(krl ? `SSH: release → KRL (${krl.releases} releases)` : 'SSH: release → KRL (skipped)'),
    ...(krl
      ? [
          { figure: 'release round trip (KRL written, checked, renamed), p50 / p99', value: pair(krl.releaseMs) },
          { figure: 'release → new KRL served by GET /v1/ssh/krl, p50 / p99', value: pair(krl.krlServedMs) },
          { figure: 'released certificates the fetched KRL refuses', value: `${krl.refusedByKrl}/${krl.releases}`, target: 'all', met: krl.refusedByKrl === krl.releases },
          { figure: 'KRL size at the end', value: `${krl.krlBytes} bytes` },
        ]
      : []),
    section('SSH: memory'),
    { figure: 'peak RSS of jitd serve (VmHWM)', value: `${r.peakRssMb.toFixed(1)} MB` },
  ];
}

function json(r: SshResults, env: SshBenchEnvironment, probe: ProcessProbe) {
  const { latency: l, throughput: t, krl } = r;
  return {
    setup_s: env.setupSeconds,
    issuance: {
      cert_on_disk_ms: l.certMs,
      api_ms: l.apiMs,
      raw_sign_write_ms: l.rawSignWriteMs,
      raw_sign_ms: l.rawSignMs,
      ssh_keygen_process_ms: l.keygenMs,
      added_latency_ms_p50: addedMs(l),
      certificates_checked: l.certificatesChecked,
    },
    throughput: t
      ? {
          clients: t.clients,
          seconds: t.seconds,
          certificates: t.certificates,
          errors: t.errors,
          first_errors: t.firstErrors,
          certificates_per_second: t.certificatesPerSecond,
          cert_on_disk_ms: t.certMs,
          jitd_cpu_share: t.jitdCpuShare,
          jitd_main_thread_cpu_share: t.jitdMainThreadCpuShare,
          bench_cpu_share: t.benchCpuShare,
          commits_per_certificate: COMMITS_PER_CERTIFICATE,
          main_thread_fsync_share_estimate: fsyncShare(t, r.commitMs),
        }
      : null,
    sqlite_commit_ms: r.commitMs,
    krl: krl
      ? { releases: krl.releases, release_ms: krl.releaseMs, krl_served_ms: krl.krlServedMs, refused_by_krl: krl.refusedByKrl, krl_bytes: krl.krlBytes }
      : null,
    peak_rss_mb: r.peakRssMb,
    jitd_at_start: probe.atStart,
    processes_by_phase: probe.marks,
    // The issue set no target for SSH.
    targets: null,
  };
}

/** Runs the ssh section (its jitd is stopped and its keys removed when it returns). */
export const runSshSection = (options: BenchOptions): Promise<SectionResult<ReturnType<typeof json>>> =>
  runSection(options, { serverLabel: undefined, start: startSshEnvironment, measure, rows, json });
