// The four KPIs of issue 7 (standing access reduction, JIT utilization, approval time, revocation success) and
// the top requested roles, computed from what the store holds. Pure: the leases, requests and reconciler counts
// come in, with `since` and `now`; no clock is read. Days are UTC calendar days. The definitions are written down
// in docs/kpis.md; keep the two in step.
import type { RequestId, RoleName } from './ids.ts';
import type { Lease } from './lease.ts';
import type { AccessRequest, RequestApproval } from './request.ts';

const DAY_MS = 86_400_000;
/** Revocations confirmed this soon after expiry count as "within 1 s" and "within 1 min". */
const WITHIN_1S_MS = 1_000;
const WITHIN_1M_MS = 60_000;
export const TOP_ROLES = 10;

/** One reconciler count for one role (the store's StandingAccessCount has this shape). */
export interface StandingCount {
  readonly role: RoleName;
  readonly at: Date;
  /** Holders of the role's target with no live lease. */
  readonly standing: number;
}

/** [since, now). */
export interface KpiPeriod {
  readonly since: Date;
  readonly now: Date;
}

export interface StandingAccessKpi {
  /** Sum of each role's first count ever (the first inventory), if at or before now. */
  readonly baseline: number;
  /** Sum of each role's latest count at or before now. */
  readonly current: number;
  /** (baseline − current) / baseline × 100, one decimal; null when baseline is 0. */
  readonly reductionPercent: number | null;
  /** Per UTC day: the sum of each role's last count by the end of that day; null before any count at all. */
  readonly series: readonly { readonly day: string; readonly standing: number | null }[];
}

export interface UtilizationValue {
  /** Leases granted (grantedAt) in the period or day. */
  readonly jitGrants: number;
  /** Sum over roles of the highest `standing` among the role's counts in the period or day. */
  readonly standingHolders: number;
  /** jitGrants / (jitGrants + standingHolders) × 100, one decimal; null when both are 0. */
  readonly utilizationPercent: number | null;
}

export interface UtilizationKpi extends UtilizationValue {
  readonly series: readonly ({ readonly day: string } & UtilizationValue)[];
}

export interface ApprovalStats {
  readonly count: number;
  /** Nearest-rank percentiles of the wait in ms; null when count is 0. */
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
}

export type ApprovalTimeValue = { readonly [Mode in RequestApproval]: ApprovalStats };

export type ApprovalTimeKpi = ApprovalTimeValue & { readonly series: readonly ({ readonly day: string } & ApprovalTimeValue)[] };

export interface RevocationValue {
  /** Leases ended by expiry whose expiresAt is in the period or day, plus active ones past their expiry. */
  readonly total: number;
  /** Revoked with no failed attempt. */
  readonly firstTry: number;
  /** Revoked and confirmed at most 1 s / 1 min after expiry (cumulative). */
  readonly within1s: number;
  readonly within1m: number;
  /** Still revoking, revoke_failed, or active past expiry at now. */
  readonly stillFailing: number;
  /** Each count / total × 100, one decimal; null when total is 0. */
  readonly firstTryPercent: number | null;
  readonly within1sPercent: number | null;
  readonly within1mPercent: number | null;
  readonly stillFailingPercent: number | null;
}

export interface RevocationKpi extends RevocationValue {
  readonly series: readonly ({ readonly day: string } & RevocationValue)[];
}

export interface RoleRequests {
  readonly role: RoleName;
  readonly requests: number;
}

/** The whole report. Plain JSON: times are ISO strings, days YYYY-MM-DD (UTC). */
export interface KpiReport {
  readonly period: { readonly since: string; readonly until: string };
  readonly standingAccess: StandingAccessKpi;
  readonly utilization: UtilizationKpi;
  readonly approvalTime: ApprovalTimeKpi;
  readonly revocation: RevocationKpi;
  readonly topRoles: readonly RoleRequests[];
  readonly alwaysOnCandidates: number;
}

export interface KpiInput extends KpiPeriod {
  /** At least every lease granted or expiring in the period (others are ignored). */
  readonly leases: readonly Lease[];
  /** At least the requests of those leases and every request created in the period (others are ignored). */
  readonly requests: readonly AccessRequest[];
  /** Each role's first count ever. */
  readonly firstCounts: readonly StandingCount[];
  /** Every count in [since, now], and each role's last count before since (earlier ones change nothing). */
  readonly counts: readonly StandingCount[];
  /** How many always-on candidates the always-on report found over the same period. */
  readonly alwaysOnCandidates: number;
}

/** part / whole × 100, rounded to one decimal (halves up); null when whole is 0. */
export function percentOf(part: number, whole: number): number | null {
  // Scaling before dividing keeps 1/8 at 12.5 instead of 12.499999….
  return whole === 0 ? null : Math.round((part * 1000) / whole) / 10;
}

/** Nearest-rank percentile: the value at rank ceil(percentile/100 × n), 1-based, of the values sorted ascending. */
export function nearestRank(values: readonly number[], percentile: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  // Integer arithmetic: 0.9 × 30 is 27.000000000000004 in floating point, whose ceiling would be 28.
  const rank = Math.max(1, Math.ceil((percentile * sorted.length) / 100));
  return sorted[rank - 1] ?? null;
}

/** The UTC calendar day of a time, as YYYY-MM-DD. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** The UTC days that overlap [since, now), oldest first, each with its start (the first and last may be partial). */
export function utcDays(period: KpiPeriod): { readonly day: string; readonly start: number; readonly end: number }[] {
  const days: { day: string; start: number; end: number }[] = [];
  const now = period.now.getTime();
  for (let start = Math.floor(period.since.getTime() / DAY_MS) * DAY_MS; start < now; start += DAY_MS) {
    days.push({ day: utcDay(new Date(start)), start, end: start + DAY_MS });
  }
  return days;
}

/** The period's days, each clipped to the period. */
function periodDays(period: KpiPeriod): { day: string; from: number; to: number }[] {
  const since = period.since.getTime();
  const now = period.now.getTime();
  return utcDays(period).map(({ day, start, end }) => ({ day, from: Math.max(start, since), to: Math.min(end, now) }));
}

const inWindow = (at: Date | undefined, from: number, to: number): at is Date => at !== undefined && at.getTime() >= from && at.getTime() < to;

function byTime(counts: readonly StandingCount[]): StandingCount[] {
  return [...counts].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
}

const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};

/** KPI 1: holders without a lease now versus at the first inventory. */
export function standingAccessKpi(period: KpiPeriod, firstCounts: readonly StandingCount[], counts: readonly StandingCount[]): StandingAccessKpi {
  const now = period.now.getTime();
  const sorted = byTime(counts).filter((c) => c.at.getTime() <= now);
  const latest = new Map<RoleName, number>();
  const series: { day: string; standing: number | null }[] = [];
  let next = 0;
  for (const { day, end } of utcDays(period)) {
    // Each role's last count by the end of the day: that day's last, or the one carried from before.
    for (; next < sorted.length && sorted[next]!.at.getTime() < end; next++) latest.set(sorted[next]!.role, sorted[next]!.standing);
    series.push({ day, standing: latest.size === 0 ? null : sum(latest.values()) });
  }
  for (; next < sorted.length; next++) latest.set(sorted[next]!.role, sorted[next]!.standing);
  // A first count after now (a report on a past period) is not yet the first inventory.
  const baseline = sum(firstCounts.filter((c) => c.at.getTime() <= now).map((c) => c.standing));
  const current = sum(latest.values());
  return { baseline, current, reductionPercent: percentOf(baseline - current, baseline), series };
}

function utilizationOver(leases: readonly Lease[], counts: readonly StandingCount[], from: number, to: number): UtilizationValue {
  const jitGrants = leases.filter((l) => inWindow(l.grantedAt, from, to)).length;
  const highest = new Map<RoleName, number>();
  for (const c of counts) {
    if (inWindow(c.at, from, to)) highest.set(c.role, Math.max(highest.get(c.role) ?? 0, c.standing));
  }
  const standingHolders = sum(highest.values());
  return { jitGrants, standingHolders, utilizationPercent: percentOf(jitGrants, jitGrants + standingHolders) };
}

/** KPI 2: grants through jitd against the standing holders the reconciler saw (a head count: see docs/kpis.md). */
export function utilizationKpi(period: KpiPeriod, leases: readonly Lease[], counts: readonly StandingCount[]): UtilizationKpi {
  const since = period.since.getTime();
  const now = period.now.getTime();
  return {
    ...utilizationOver(leases, counts, since, now),
    series: periodDays(period).map(({ day, from, to }) => ({ day, ...utilizationOver(leases, counts, from, to) })),
  };
}

/** How long a granted lease's request waited: from creation (or its scheduled start) to the grant. */
export function approvalWaitMs(lease: Lease, request: AccessRequest): number | undefined {
  const granted = lease.grantConfirmedAt ?? lease.grantedAt;
  if (granted === undefined) return undefined;
  const asked = Math.max(request.createdAt.getTime(), (request.startAt ?? request.createdAt).getTime());
  return granted.getTime() - asked;
}

interface Wait {
  readonly mode: RequestApproval;
  readonly grantedAt: number;
  readonly ms: number;
}

function approvalOver(waits: readonly Wait[], from: number, to: number): ApprovalTimeValue {
  const stats = (mode: RequestApproval): ApprovalStats => {
    const values = waits.filter((w) => w.mode === mode && w.grantedAt >= from && w.grantedAt < to).map((w) => w.ms);
    return { count: values.length, medianMs: nearestRank(values, 50), p90Ms: nearestRank(values, 90) };
  };
  return { auto: stats('auto'), manual: stats('manual'), break_glass: stats('break_glass') };
}

/** KPI 3: request to grant, by how the request was decided. Extension requests are not grants and are left out. */
export function approvalTimeKpi(period: KpiPeriod, leases: readonly Lease[], requests: readonly AccessRequest[]): ApprovalTimeKpi {
  const byId = new Map<RequestId, AccessRequest>(requests.map((r) => [r.id, r]));
  const since = period.since.getTime();
  const now = period.now.getTime();
  const waits: Wait[] = [];
  for (const lease of leases) {
    if (!inWindow(lease.grantedAt, since, now)) continue;
    const request = byId.get(lease.requestId);
    if (request === undefined || request.extendsLease !== undefined) continue;
    const ms = approvalWaitMs(lease, request);
    if (ms !== undefined) waits.push({ mode: request.approval, grantedAt: lease.grantedAt.getTime(), ms });
  }
  return { ...approvalOver(waits, since, now), series: periodDays(period).map(({ day, from, to }) => ({ day, ...approvalOver(waits, from, to) })) };
}

/** Whether a lease belongs to the revocation KPI: ended by expiry, or active past it (the scheduler is behind). */
function endsByExpiry(lease: Lease, now: number): boolean {
  return lease.revokeReason === 'expired' || (lease.state === 'active' && lease.expiresAt.getTime() <= now);
}

function revocationOver(leases: readonly Lease[], from: number, to: number): RevocationValue {
  const counted = leases.filter((l) => inWindow(l.expiresAt, from, to));
  const lag = (l: Lease) => (l.state === 'revoked' && l.revokeConfirmedAt !== undefined ? l.revokeConfirmedAt.getTime() - l.expiresAt.getTime() : undefined);
  const total = counted.length;
  const firstTry = counted.filter((l) => l.state === 'revoked' && l.attempts === 0).length;
  const within1s = counted.filter((l) => (lag(l) ?? Infinity) <= WITHIN_1S_MS).length;
  const within1m = counted.filter((l) => (lag(l) ?? Infinity) <= WITHIN_1M_MS).length;
  const stillFailing = counted.filter((l) => l.state === 'revoking' || l.state === 'revoke_failed' || l.state === 'active').length;
  return {
    total,
    firstTry,
    within1s,
    within1m,
    stillFailing,
    firstTryPercent: percentOf(firstTry, total),
    within1sPercent: percentOf(within1s, total),
    within1mPercent: percentOf(within1m, total),
    stillFailingPercent: percentOf(stillFailing, total),
  };
}

/** KPI 4: leases revoked at expiry, by how soon and how cleanly. Released, revoked and failed grants are not in it. */
export function revocationKpi(period: KpiPeriod, leases: readonly Lease[]): RevocationKpi {
  const now = period.now.getTime();
  const ending = leases.filter((l) => endsByExpiry(l, now));
  return {
    ...revocationOver(ending, period.since.getTime(), now),
    series: periodDays(period).map(({ day, from, to }) => ({ day, ...revocationOver(ending, from, to) })),
  };
}

/** Roles by requests created in the period (extensions not counted), most first, then by name; at most `limit`. */
export function topRequestedRoles(period: KpiPeriod, requests: readonly AccessRequest[], limit = TOP_ROLES): RoleRequests[] {
  const since = period.since.getTime();
  const now = period.now.getTime();
  const counts = new Map<RoleName, number>();
  for (const r of requests) {
    if (r.extendsLease === undefined && inWindow(r.createdAt, since, now)) counts.set(r.role, (counts.get(r.role) ?? 0) + 1);
  }
  return [...counts]
    .map(([role, requests]) => ({ role, requests }))
    .sort((a, b) => b.requests - a.requests || (a.role < b.role ? -1 : a.role > b.role ? 1 : 0))
    .slice(0, limit);
}

/** Every KPI over [since, now). Leases and requests are de-duplicated by id (a later copy wins). */
export function computeKpis(input: KpiInput): KpiReport {
  const period = { since: input.since, now: input.now };
  const leases = [...new Map(input.leases.map((l) => [l.id, l])).values()];
  const requests = [...new Map(input.requests.map((r) => [r.id, r])).values()];
  return {
    period: { since: input.since.toISOString(), until: input.now.toISOString() },
    standingAccess: standingAccessKpi(period, input.firstCounts, input.counts),
    utilization: utilizationKpi(period, leases, input.counts),
    approvalTime: approvalTimeKpi(period, leases, requests),
    revocation: revocationKpi(period, leases),
    topRoles: topRequestedRoles(period, requests),
    alwaysOnCandidates: input.alwaysOnCandidates,
  };
}
