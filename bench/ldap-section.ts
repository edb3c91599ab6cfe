// The LDAP section of `npm run bench`: slapd, grant latency, throughput, mass expiry and memory, against the
// targets set for jitd on LDAP. Its JSON stays at the top level of the results file, as before the AD section.
import { startEnvironment, type BenchEnvironment } from './environment.ts';
import type { BenchOptions } from './options.ts';
import { addedLatencyMs, grantJson, grantRows, lastRevokeMet, massJson, massRows } from './phase-report.ts';
import type { GrantLatencyResult } from './phases/grant-latency.ts';
import type { MassExpiryResult } from './phases/mass-expiry.ts';
import { measureThroughput, type ThroughputResult } from './phases/throughput.ts';
import type { ProcessProbe } from './process-probe.ts';
import { phase } from './progress.ts';
import { ms, perSecond, section, type Row, type SectionResult } from './report.ts';
import { grantLatencyPhase, massExpiryPhase, runSection } from './sections.ts';

export const LDAP_TARGETS = { addedLatencyMsP50: 5, secondsToLastRevoke: 10, peakRssMb: 200 } as const;

interface Results {
  readonly grant: GrantLatencyResult;
  readonly throughput: ThroughputResult | undefined;
  readonly mass: MassExpiryResult;
  readonly peakRssMb: number;
}

async function measure(env: BenchEnvironment, options: BenchOptions, probe: ProcessProbe): Promise<Results> {
  phase(`ldap phase 1/3: grant latency (${options.warmup} warm-up + ${options.grants} sequential grants, each also done raw with ldapts)`);
  const grant = await grantLatencyPhase(env, options, probe);

  let throughput: ThroughputResult | undefined;
  if (options.seconds > 0) {
    phase(`ldap phase 2/3: throughput (${options.clients} clients doing request → release for ${options.seconds} s)`);
    throughput = await measureThroughput({
      api: env.api,
      role: env.throughputRole,
      tokens: env.users.slice(0, options.clients).map((u) => u.token),
      seconds: options.seconds,
    });
    probe.mark('throughput');
  } else {
    phase('ldap phase 2/3: throughput skipped (--seconds 0)');
  }

  phase(`ldap phase 3/3: mass expiry (${options.mass} leases expiring in the same second)`);
  // A request costs about what a release does, so the API call rate of phase 2 is a fair guess of how fast
  // leases can be created; without phase 2, assume a slow 50/s.
  const expectedRate = throughput ? Math.max(20, throughput.apiCallsPerSecond * 0.8) : 50;
  const mass = await massExpiryPhase(env, options, probe, { count: options.mass, expectedRate, waitLimitSeconds: 60 });
  return { grant, throughput, mass, peakRssMb: probe.peakRssMb() };
}

function rows(r: Results, options: BenchOptions, probe: ProcessProbe): Row[] {
  const { grant, throughput, mass } = r;
  return [
    ...grantRows(grant, { directory: 'LDAP', rawLabel: 'raw ldapts add + compare', addedTargetMs: LDAP_TARGETS.addedLatencyMsP50 }),
    section(throughput ? `LDAP: throughput (${throughput.clients} clients, request → release, ${throughput.seconds.toFixed(1)} s)` : 'LDAP: throughput (skipped)'),
    ...(throughput
      ? [
          { figure: 'requests (POST /v1/requests) per second', value: perSecond(throughput.requestsPerSecond) },
          { figure: 'request + release cycles per second', value: perSecond(throughput.cyclesPerSecond) },
          { figure: 'API calls per second', value: perSecond(throughput.apiCallsPerSecond) },
          { figure: 'request under load, p50 / p99', value: `${ms(throughput.requestMs.p50)} / ${ms(throughput.requestMs.p99)}` },
          { figure: 'errors', value: String(throughput.errors), target: '0', met: throughput.errors === 0 },
        ]
      : []),
    ...massRows(mass, { directory: 'LDAP', groups: options.groups, lastRevokeTargetS: LDAP_TARGETS.secondsToLastRevoke }),
    section('LDAP: memory'),
    { figure: 'RSS of jitd serve right after start-up', value: `${probe.atStart.jitd_rss_mb.toFixed(1)} MB` },
    { figure: 'peak RSS of jitd serve (VmHWM)', value: `${r.peakRssMb.toFixed(1)} MB`, target: `< ${LDAP_TARGETS.peakRssMb} MB`, met: r.peakRssMb < LDAP_TARGETS.peakRssMb },
  ];
}

function json(r: Results, env: BenchEnvironment, probe: ProcessProbe) {
  const { grant, throughput, mass } = r;
  return {
    setup_s: env.setupSeconds,
    ...grantJson(grant),
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
    mass_expiry: massJson(mass, env.massRoles.length),
    peak_rss_mb: r.peakRssMb,
    jitd_at_start: probe.atStart,
    processes_by_phase: probe.marks,
    targets: {
      added_latency_ms_p50: { target: `< ${LDAP_TARGETS.addedLatencyMsP50}`, met: addedLatencyMs(grant) < LDAP_TARGETS.addedLatencyMsP50 },
      seconds_to_last_revoke: { target: `<= ${LDAP_TARGETS.secondsToLastRevoke}`, met: lastRevokeMet(mass, LDAP_TARGETS.secondsToLastRevoke) },
      peak_rss_mb: { target: `< ${LDAP_TARGETS.peakRssMb}`, met: r.peakRssMb < LDAP_TARGETS.peakRssMb },
    },
  };
}

/** Runs the LDAP section (its servers are stopped when it returns). */
export const runLdapSection = (options: BenchOptions): Promise<SectionResult<ReturnType<typeof json>>> =>
  runSection(options, { serverLabel: 'slapd', start: startEnvironment, measure, rows, json });
