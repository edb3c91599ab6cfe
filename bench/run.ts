// `npm run bench`: measures jitd end to end against a real slapd and a real `jitd serve` process, prints a
// table (figure, value, target, met?) and writes the figures as JSON. It measures; it asserts nothing.
// `npm run bench -- --help` for the options.
import { cleanup, cleanupOnSignals } from './cleanup.ts';
import { startEnvironment, type BenchEnvironment } from './environment.ts';
import { gitState, machineInfo } from './machine.ts';
import { HELP, parseOptions, type BenchOptions } from './options.ts';
import { measureGrantLatency, type GrantLatencyResult } from './phases/grant-latency.ts';
import { measureMassExpiry, type MassExpiryResult } from './phases/mass-expiry.ts';
import { measureThroughput, type ThroughputResult } from './phases/throughput.ts';
import { sampleProcess } from './proc-stats.ts';
import { phase } from './progress.ts';
import { formatTable, ms, perSecond, sec, section, writeJson, type Row } from './report.ts';
import { round } from './stats.ts';

const TARGETS = { addedLatencyMsP50: 5, secondsToLastRevoke: 10, peakRssMb: 200 } as const;

/** CPU seconds used by jitd and slapd between marks, and jitd's memory at each mark. */
class ProcessProbe {
  private readonly pids: { readonly jitd: number; readonly slapd: number | undefined };
  private last: { jitd: number; slapd: number; bench: number; at: number };
  /** jitd right after it answered /healthz: start-up cost, including loading the config. */
  readonly atStart: { jitd_cpu_s: number; jitd_rss_mb: number; jitd_peak_rss_mb: number };
  readonly marks: Record<string, { wall_s: number; jitd_cpu_s: number; slapd_cpu_s: number | null; bench_cpu_s: number; jitd_rss_mb: number; jitd_peak_rss_mb: number }> = {};

  constructor(jitdPid: number, slapdPid: number | undefined) {
    this.pids = { jitd: jitdPid, slapd: slapdPid };
    this.last = this.cpu();
    const jitd = sampleProcess(jitdPid);
    this.atStart = { jitd_cpu_s: this.last.jitd, jitd_rss_mb: round(jitd?.rssMb ?? Number.NaN, 1), jitd_peak_rss_mb: round(jitd?.peakRssMb ?? Number.NaN, 1) };
  }

  private cpu() {
    const self = process.cpuUsage();
    return {
      jitd: sampleProcess(this.pids.jitd)?.cpuSeconds ?? 0,
      slapd: this.pids.slapd === undefined ? 0 : (sampleProcess(this.pids.slapd)?.cpuSeconds ?? 0),
      // This process too: the LDAP reader and the API clients compete with jitd and slapd for the 2 cores.
      bench: (self.user + self.system) / 1e6,
      at: Date.now(),
    };
  }

  /** Records what was used since the previous mark under `name`. */
  mark(name: string): void {
    const now = this.cpu();
    const jitd = sampleProcess(this.pids.jitd);
    this.marks[name] = {
      wall_s: round((now.at - this.last.at) / 1000, 2),
      jitd_cpu_s: round(now.jitd - this.last.jitd, 2),
      slapd_cpu_s: this.pids.slapd === undefined ? null : round(now.slapd - this.last.slapd, 2),
      bench_cpu_s: round(now.bench - this.last.bench, 2),
      jitd_rss_mb: round(jitd?.rssMb ?? Number.NaN, 1),
      jitd_peak_rss_mb: round(jitd?.peakRssMb ?? Number.NaN, 1),
    };
    this.last = now;
  }

  peakRssMb(): number {
    return round(sampleProcess(this.pids.jitd)?.peakRssMb ?? Number.NaN, 1);
  }
}

interface Results {
  readonly grant: GrantLatencyResult;
  readonly throughput: ThroughputResult | undefined;
  readonly mass: MassExpiryResult;
  readonly peakRssMb: number;
}

async function measure(env: BenchEnvironment, options: BenchOptions, probe: ProcessProbe): Promise<Results> {
  phase(`phase 1/3: grant latency (${options.warmup} warm-up + ${options.grants} sequential grants, each also done raw with ldapts)`);
  const grant = await measureGrantLatency({
    api: env.api,
    witness: env.witness,
    raw: env.raw,
    role: env.latencyRole,
    rawGroupDn: env.rawGroupDn,
    users: env.users,
    warmup: options.warmup,
    grants: options.grants,
  });
  probe.mark('grant_latency');

  let throughput: ThroughputResult | undefined;
  if (options.seconds > 0) {
    phase(`phase 2/3: throughput (${options.clients} clients doing request → release for ${options.seconds} s)`);
    throughput = await measureThroughput({
      api: env.api,
      role: env.throughputRole,
      tokens: env.users.slice(0, options.clients).map((u) => u.token),
      seconds: options.seconds,
    });
    probe.mark('throughput');
  } else {
    phase('phase 2/3: throughput skipped (--seconds 0)');
  }

  phase(`phase 3/3: mass expiry (${options.mass} leases expiring in the same second)`);
  // A request costs about what a release does, so the API call rate of phase 2 is a fair guess of how fast
  // leases can be created; without phase 2, assume a slow 50/s.
  const expectedRate = throughput ? Math.max(20, throughput.apiCallsPerSecond * 0.8) : 50;
  const mass = await measureMassExpiry({
    api: env.api,
    adminToken: env.server.adminToken,
    witness: env.witness,
    roles: env.massRoles,
    tokens: env.users.slice(0, options.mass).map((u) => u.token),
    concurrency: options.createConcurrency,
    expectedRate,
    waitLimitSeconds: 60,
    mark: (name) => probe.mark(name),
  });
  return { grant, throughput, mass, peakRssMb: probe.peakRssMb() };
}

function rows(r: Results, options: BenchOptions, probe: ProcessProbe): Row[] {
  const { grant, throughput, mass } = r;
  const added = grant.grantMs.p50 - grant.rawMs.p50;
  return [
    section(`grant latency (${grant.grantMs.n} sequential grants)`),
    { figure: 'API call → visible in LDAP, p50', value: ms(grant.grantMs.p50) },
    { figure: 'API call → visible in LDAP, p99', value: ms(grant.grantMs.p99) },
    { figure: 'API round trip (POST /v1/requests), p50', value: ms(grant.apiMs.p50) },
    { figure: 'API round trip (POST /v1/requests), p99', value: ms(grant.apiMs.p99) },
    { figure: 'raw ldapts add + compare, p50', value: ms(grant.rawMs.p50) },
    { figure: 'raw ldapts add + compare, p99', value: ms(grant.rawMs.p99) },
    { figure: 'jitd added latency, p50', value: ms(added), target: `< ${TARGETS.addedLatencyMsP50} ms`, met: added < TARGETS.addedLatencyMsP50 },
    { figure: 'visible at the first read after the response', value: `${grant.visibleAtResponse}/${grant.grantMs.n}`, target: 'all', met: grant.visibleAtResponse === grant.grantMs.n },
    { figure: 'release round trip, p50', value: ms(grant.releaseMs.p50) },
    section(throughput ? `throughput (${throughput.clients} clients, request → release, ${throughput.seconds.toFixed(1)} s)` : 'throughput (skipped)'),
    ...(throughput
      ? [
          { figure: 'requests (POST /v1/requests) per second', value: perSecond(throughput.requestsPerSecond) },
          { figure: 'request + release cycles per second', value: perSecond(throughput.cyclesPerSecond) },
          { figure: 'API calls per second', value: perSecond(throughput.apiCallsPerSecond) },
          { figure: 'request under load, p50 / p99', value: `${ms(throughput.requestMs.p50)} / ${ms(throughput.requestMs.p99)}` },
          { figure: 'errors', value: String(throughput.errors), target: '0', met: throughput.errors === 0 },
        ]
      : []),
    section(`mass expiry (${mass.count} leases over ${options.groups} roles)`),
    { figure: 'leases created through the API', value: `${mass.created} in ${sec(mass.createSeconds)} (${perSecond(mass.createPerSecond)})`, target: String(mass.count), met: mass.created === mass.count },
    // Whole-second durations put the expiries in one second, plus the jitter of when the server handles each request.
    { figure: 'expiresAt spread (latest − earliest)', value: `${mass.expiryWindowMs} ms`, target: '≈ 1000 ms (setup)' },
    { figure: 'earliest expiry → first removal seen', value: sec(mass.secondsToFirstRevoke) },
    { figure: 'latest expiry → last membership gone', value: sec(mass.secondsToLastRevoke), target: `≤ ${TARGETS.secondsToLastRevoke} s`, met: mass.secondsToLastRevoke !== null && mass.secondsToLastRevoke <= TARGETS.secondsToLastRevoke },
    { figure: 'revocations per second (first → last removal)', value: perSecond(mass.revocationsPerSecond) },
    { figure: 'server lag revokeConfirmedAt − expiresAt, p50 / p99', value: mass.api.serverLagMs ? `${sec(mass.api.serverLagMs.p50 / 1000)} / ${sec(mass.api.serverLagMs.p99 / 1000)}` : 'n/a' },
    { figure: 'all revoked according to the API', value: mass.api.allRevoked ? 'yes' : 'no', target: 'yes', met: mass.api.allRevoked },
    section('memory'),
    { figure: 'RSS of jitd serve right after start-up', value: `${probe.atStart.jitd_rss_mb.toFixed(1)} MB` },
    { figure: 'peak RSS of jitd serve (VmHWM)', value: `${r.peakRssMb.toFixed(1)} MB`, target: `< ${TARGETS.peakRssMb} MB`, met: r.peakRssMb < TARGETS.peakRssMb },
  ];
}

function json(r: Results, env: BenchEnvironment, options: BenchOptions, probe: ProcessProbe, startedAt: Date) {
  const git = gitState();
  const { grant, throughput, mass } = r;
  return {
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    duration_s: round((Date.now() - startedAt.getTime()) / 1000, 1),
    git_commit: git.commit,
    git_dirty: git.dirty,
    machine: machineInfo(),
    options,
    setup_s: env.setupSeconds,
    grant_ms: grant.grantMs,
    api_ms: grant.apiMs,
    raw_target_op_ms: grant.rawMs,
    added_latency_ms_p50: round(grant.grantMs.p50 - grant.rawMs.p50),
    release_ms: grant.releaseMs,
    raw_remove_ms: grant.rawRemoveMs,
    grants_visible_at_response: grant.visibleAtResponse,
    requests_per_second: throughput?.requestsPerSecond ?? null,
    throughput: throughput
      ? {
          clients: throughput.clients,
          seconds: throughput.seconds,
          requests: throughput.requests,
          releases: throughput.releases,
          cycles: throughput.cycles,
          errors: throughput.errors,
          first_errors: throughput.firstErrors,
          requests_per_second: throughput.requestsPerSecond,
          cycles_per_second: throughput.cyclesPerSecond,
          api_calls_per_second: throughput.apiCallsPerSecond,
          request_ms: throughput.requestMs,
          release_ms: throughput.releaseMs,
        }
      : null,
    mass_expiry: {
      count: mass.count,
      groups: env.massRoles.length,
      created: mass.created,
      create_failures: mass.createFailures,
      first_create_errors: mass.firstCreateErrors,
      create_seconds: mass.createSeconds,
      create_per_second: mass.createPerSecond,
      created_after_target: mass.createdAfterTarget,
      expiry_window_ms: mass.expiryWindowMs,
      visible_before_expiry: mass.visibleBeforeExpiry,
      seconds_to_first_revoke: mass.secondsToFirstRevoke,
      seconds_to_last_revoke: mass.secondsToLastRevoke,
      revocations_per_second: mass.revocationsPerSecond,
      remaining_at_end: mass.remainingAtEnd,
      api_settled_seconds: mass.apiSettledSeconds,
      api: {
        all_revoked: mass.api.allRevoked,
        revoked_delta: mass.api.revokedDelta,
        listed: mass.api.listed,
        listed_revoked_expired: mass.api.listedRevokedExpired,
        server_lag_ms: mass.api.serverLagMs,
        status_counts_before: mass.api.statusCountsBefore,
        status_counts_after: mass.api.statusCountsAfter,
      },
      timeline: mass.timeline,
    },
    peak_rss_mb: r.peakRssMb,
    jitd_at_start: probe.atStart,
    processes_by_phase: probe.marks,
    targets: {
      added_latency_ms_p50: { target: `< ${TARGETS.addedLatencyMsP50}`, met: grant.grantMs.p50 - grant.rawMs.p50 < TARGETS.addedLatencyMsP50 },
      seconds_to_last_revoke: { target: `<= ${TARGETS.secondsToLastRevoke}`, met: mass.secondsToLastRevoke !== null && mass.secondsToLastRevoke <= TARGETS.secondsToLastRevoke },
      peak_rss_mb: { target: `< ${TARGETS.peakRssMb}`, met: r.peakRssMb < TARGETS.peakRssMb },
    },
  };
}

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (!options) {
    process.stdout.write(HELP);
    return 0;
  }
  cleanupOnSignals();
  const startedAt = new Date();
  try {
    const env = await startEnvironment(options);
    const probe = new ProcessProbe(env.server.pid, env.slapdPid);
    const results = await measure(env, options, probe);
    const data = json(results, env, options, probe, startedAt);
    phase('stopping jitd and slapd');
    await cleanup();
    const file = await writeJson(options.out, data);
    process.stdout.write(`\njitd benchmark — ${data.machine.cpus} × ${data.machine.cpu_model}, Node ${data.machine.node_version}, commit ${data.git_commit?.slice(0, 12) ?? 'unknown'}${data.git_dirty ? ' (+ uncommitted changes)' : ''}${options.quick ? ', --quick' : ''}\n\n`);
    process.stdout.write(`${formatTable(rows(results, options, probe))}\n\nJSON: ${file}  (whole run ${data.duration_s} s)\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
