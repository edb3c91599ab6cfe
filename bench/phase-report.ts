// Table rows and JSON of the grant-latency and mass-expiry phases, shared by the LDAP and AD sections so
// that both report the same figures under the same names. A target is given only where one was set for
// that directory; without one the figure is reported with no verdict.
import type { GrantLatencyResult } from './phases/grant-latency.ts';
import type { MassExpiryResult } from './phases/mass-expiry.ts';
import { ms, perSecond, sec, section, type Row } from './report.ts';
import { round } from './stats.ts';

export interface GrantRowsOptions {
  /** The section's name, e.g. "LDAP" (heading prefix and "visible in …"). */
  readonly directory: string;
  /** What the floor did, e.g. "raw ldapts add + compare". */
  readonly rawLabel: string;
  /** Target for jitd's added latency (p50), when one was set for this directory. */
  readonly addedTargetMs?: number;
  /** Shown in the target column when there is no target. */
  readonly addedNote?: string;
}

export const addedLatencyMs = (grant: GrantLatencyResult): number => grant.grantMs.p50 - grant.rawMs.p50;

export function grantRows(grant: GrantLatencyResult, o: GrantRowsOptions): Row[] {
  const added = addedLatencyMs(grant);
  return [
    section(`${o.directory}: grant latency (${grant.grantMs.n} sequential grants)`),
    { figure: `API call → visible in ${o.directory}, p50`, value: ms(grant.grantMs.p50) },
    { figure: `API call → visible in ${o.directory}, p99`, value: ms(grant.grantMs.p99) },
    { figure: 'API round trip (POST /v1/requests), p50', value: ms(grant.apiMs.p50) },
    { figure: 'API round trip (POST /v1/requests), p99', value: ms(grant.apiMs.p99) },
    { figure: `${o.rawLabel}, p50`, value: ms(grant.rawMs.p50) },
    { figure: `${o.rawLabel}, p99`, value: ms(grant.rawMs.p99) },
    o.addedTargetMs === undefined
      ? { figure: 'jitd added latency, p50', value: ms(added), ...(o.addedNote === undefined ? {} : { target: o.addedNote }) }
      : { figure: 'jitd added latency, p50', value: ms(added), target: `< ${o.addedTargetMs} ms`, met: added < o.addedTargetMs },
    { figure: 'visible at the first read after the response', value: `${grant.visibleAtResponse}/${grant.grantMs.n}`, target: 'all', met: grant.visibleAtResponse === grant.grantMs.n },
    { figure: 'release round trip, p50', value: ms(grant.releaseMs.p50) },
  ];
}

export function grantJson(grant: GrantLatencyResult) {
  return {
    grant_ms: grant.grantMs,
    api_ms: grant.apiMs,
    raw_target_op_ms: grant.rawMs,
    added_latency_ms_p50: round(addedLatencyMs(grant)),
    release_ms: grant.releaseMs,
    raw_remove_ms: grant.rawRemoveMs,
    grants_visible_at_response: grant.visibleAtResponse,
  };
}

export const lastRevokeMet = (mass: MassExpiryResult, targetSeconds: number): boolean =>
  mass.secondsToLastRevoke !== null && mass.secondsToLastRevoke <= targetSeconds;

/** `lastRevokeTargetS`: the target for "latest expiry → last membership gone", when one was set. */
export function massRows(mass: MassExpiryResult, o: { readonly directory: string; readonly groups: number; readonly lastRevokeTargetS?: number }): Row[] {
  const lastGone = { figure: 'latest expiry → last membership gone', value: sec(mass.secondsToLastRevoke) };
  return [
    section(`${o.directory}: mass expiry (${mass.count} leases over ${o.groups} roles)`),
    { figure: 'leases created through the API', value: `${mass.created} in ${sec(mass.createSeconds)} (${perSecond(mass.createPerSecond)})`, target: String(mass.count), met: mass.created === mass.count },
    // Whole-second durations put the expiries in one second, plus the jitter of when the server handles each request.
    { figure: 'expiresAt spread (latest − earliest)', value: `${mass.expiryWindowMs} ms`, target: '≈ 1000 ms (setup)' },
    { figure: 'earliest expiry → first removal seen', value: sec(mass.secondsToFirstRevoke) },
    o.lastRevokeTargetS === undefined ? lastGone : { ...lastGone, target: `≤ ${o.lastRevokeTargetS} s`, met: lastRevokeMet(mass, o.lastRevokeTargetS) },
    { figure: 'revocations per second (first → last removal)', value: perSecond(mass.revocationsPerSecond) },
    { figure: 'server lag revokeConfirmedAt − expiresAt, p50 / p99', value: mass.api.serverLagMs ? `${sec(mass.api.serverLagMs.p50 / 1000)} / ${sec(mass.api.serverLagMs.p99 / 1000)}` : 'n/a' },
    { figure: 'all revoked according to the API', value: mass.api.allRevoked ? 'yes' : 'no', target: 'yes', met: mass.api.allRevoked },
  ];
}

export function massJson(mass: MassExpiryResult, groups: number) {
  return {
    count: mass.count,
    groups,
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
  };
}
