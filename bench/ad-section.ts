// The AD section of `npm run bench`: a Samba AD DC and jitd's `ad` connector over LDAPS. Grant latency
// against the same `member` add + compare done directly with ldapts, and mass expiry. The issue set no
// target for AD, so its figures are reported without a verdict (LDAP's 5 ms is shown as a reference only).
import { startAdEnvironment, type AdBenchEnvironment } from './environment-ad.ts';
import { LDAP_TARGETS } from './ldap-section.ts';
import type { BenchOptions } from './options.ts';
import { grantJson, grantRows, massJson, massRows } from './phase-report.ts';
import type { GrantLatencyResult } from './phases/grant-latency.ts';
import type { MassExpiryResult } from './phases/mass-expiry.ts';
import type { ProcessProbe } from './process-probe.ts';
import { phase } from './progress.ts';
import { section, type Row, type SectionResult } from './report.ts';
import { grantLatencyPhase, massExpiryPhase, runSection } from './sections.ts';

// Samba spends ≈ 0.8 ms of CPU on each read of a 200-member group. Polling the 10 groups every 25 ms (the
// LDAP section's pace) would by that figure take ≈ 20 % of the DC's time during the drain, competing with
// the removals being measured; every 200 ms it is ≈ 3 %. The drain lasts seconds, so the coarser
// resolution costs little.
const AD_POLL_MS = 200;

interface AdResults {
  readonly grant: GrantLatencyResult;
  readonly mass: MassExpiryResult;
  readonly peakRssMb: number;
}

async function measure(env: AdBenchEnvironment, options: BenchOptions, probe: ProcessProbe): Promise<AdResults> {
  phase(`ad phase 1/2: grant latency (${options.warmup} warm-up + ${options.grants} sequential grants, each also done raw with ldapts over LDAPS)`);
  const grant = await grantLatencyPhase(env, options, probe);

  phase(`ad phase 2/2: mass expiry (${options.adMass} leases expiring in the same second)`);
  // No throughput phase here: the sequential grant rate of phase 1 is a cautious guess of how fast leases
  // can be created (concurrent requests go faster, which only leaves more time before the target second).
  const expectedRate = Math.max(10, 1000 / grant.apiMs.p50);
  const mass = await massExpiryPhase(env, options, probe, {
    count: options.adMass,
    expectedRate,
    // Every removal is a write the DC syncs to disk: allow for as few as 20/s before giving up.
    waitLimitSeconds: Math.max(60, Math.ceil(options.adMass / 20)),
    pollMs: AD_POLL_MS,
  });
  return { grant, mass, peakRssMb: probe.peakRssMb() };
}

function rows(r: AdResults, options: BenchOptions, probe: ProcessProbe): Row[] {
  return [
    ...grantRows(r.grant, { directory: 'AD', rawLabel: 'raw ldapts member add + compare (LDAPS)', addedNote: `none set (LDAP's: < ${LDAP_TARGETS.addedLatencyMsP50} ms)` }),
    ...massRows(r.mass, { directory: 'AD', groups: options.groups }),
    section('AD: memory'),
    { figure: 'RSS of jitd serve right after start-up', value: `${probe.atStart.jitd_rss_mb.toFixed(1)} MB` },
    { figure: 'peak RSS of jitd serve (VmHWM)', value: `${r.peakRssMb.toFixed(1)} MB` },
  ];
}

function json(r: AdResults, env: AdBenchEnvironment, probe: ProcessProbe) {
  return {
    setup_s: env.setupSeconds,
    users: env.users.length,
    ...grantJson(r.grant),
    mass_expiry: massJson(r.mass, env.massRoles.length),
    peak_rss_mb: r.peakRssMb,
    jitd_at_start: probe.atStart,
    processes_by_phase: probe.marks,
    // The issue set no target for AD.
    targets: null,
  };
}

/** Runs the AD section (its servers are stopped when it returns). */
export const runAdSection = (options: BenchOptions): Promise<SectionResult<ReturnType<typeof json>>> =>
  runSection(options, { serverLabel: 'samba', start: startAdEnvironment, measure, rows, json });
