// What every section does, whichever directory it measures: start its environment, run its phases
// (grant latency and mass expiry are shared), report, and stop its servers before the next section starts.
import { cleanup } from './cleanup.ts';
import type { BenchOptions } from './options.ts';
import { measureGrantLatency, type GrantLatencyResult } from './phases/grant-latency.ts';
import { measureMassExpiry, type MassExpiryResult } from './phases/mass-expiry.ts';
import { ProcessProbe } from './process-probe.ts';
import { phase } from './progress.ts';
import type { Row, SectionResult } from './report.ts';
import type { SectionEnvironment } from './section-environment.ts';

/** --warmup + --grants sequential grants on the latency role, each followed by the raw floor; marks `grant_latency`. */
export async function grantLatencyPhase(env: SectionEnvironment, options: BenchOptions, probe: ProcessProbe): Promise<GrantLatencyResult> {
  const result = await measureGrantLatency({
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
  return result;
}

export interface MassPhaseOptions {
  /** Leases, one per user from the first. */
  readonly count: number;
  /** Lease creations per second expected (sets how far ahead the common expiry second is). */
  readonly expectedRate: number;
  readonly waitLimitSeconds: number;
  /** Pause between the reader's polls during the drain (the phase's default when absent). */
  readonly pollMs?: number;
}

/** `count` leases over the mass roles expiring in the same second; marks each step. */
export function massExpiryPhase(env: SectionEnvironment, options: BenchOptions, probe: ProcessProbe, o: MassPhaseOptions): Promise<MassExpiryResult> {
  return measureMassExpiry({
    api: env.api,
    adminToken: env.server.adminToken,
    witness: env.witness,
    roles: env.massRoles,
    tokens: env.users.slice(0, o.count).map((u) => u.token),
    concurrency: options.createConcurrency,
    expectedRate: o.expectedRate,
    waitLimitSeconds: o.waitLimitSeconds,
    ...(o.pollMs === undefined ? {} : { pollMs: o.pollMs }),
    mark: (name) => probe.mark(name),
  });
}

/** What runSection needs of a section's environment: the jitd process and the directory server's pid, if any. */
export type RunnableEnvironment = Pick<SectionEnvironment, 'server' | 'directoryPid'>;

export interface SectionSpec<E extends RunnableEnvironment, R, J> {
  /**
   * Names the directory server's CPU column in the JSON (`slapd` → `slapd_cpu_s`) and the stop message;
   * undefined for a section without one (ssh).
   */
  readonly serverLabel: string | undefined;
  readonly start: (options: BenchOptions) => Promise<E>;
  readonly measure: (env: E, options: BenchOptions, probe: ProcessProbe) => Promise<R>;
  readonly rows: (results: R, options: BenchOptions, probe: ProcessProbe) => Row[];
  readonly json: (results: R, env: E, probe: ProcessProbe) => J;
}

/** Runs one section and stops everything it started (its clean-up actions) before returning. */
export async function runSection<E extends RunnableEnvironment, R, J>(options: BenchOptions, spec: SectionSpec<E, R, J>): Promise<SectionResult<J>> {
  const env = await spec.start(options);
  const probe = new ProcessProbe(env.server.pid, spec.serverLabel, env.directoryPid);
  const results = await spec.measure(env, options, probe);
  const out = { rows: spec.rows(results, options, probe), json: spec.json(results, env, probe) };
  phase(spec.serverLabel === undefined ? 'stopping jitd' : `stopping jitd and ${spec.serverLabel}`);
  await cleanup();
  return out;
}
