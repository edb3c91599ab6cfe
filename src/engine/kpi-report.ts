// The KPI report: reads what the KPIs need from the store, page by page, and lets the core compute them
// (src/core/kpi.ts; definitions in docs/kpis.md). Also turns a report into the values /metrics shows.
import { InvalidInputError } from '../core/errors.ts';
import type { RequestId, RoleName } from '../core/ids.ts';
import { computeKpis, type KpiReport } from '../core/kpi.ts';
import type { Lease } from '../core/lease.ts';
import type { AccessRequest, RequestApproval } from '../core/request.ts';
import type { Role } from '../core/role.ts';
import type { StandingAccessCount, Store } from '../store/store.ts';
import { PAGE_SIZE, pageBack } from './page-back.ts';
import { alwaysOnReport, lookbackMs, MIN_LOOKBACK_MS } from './usage-report.ts';

const DAY_MS = 86_400_000;
/** The period /metrics reports on. */
export const METRICS_KPI_PERIOD_MS = 30 * DAY_MS;

export interface KpiReportDeps {
  readonly store: Pick<Store, 'listLeases' | 'listRequests' | 'getRequest' | 'listStandingAccess' | 'firstStandingAccess'>;
  /** The configured roles: their longest lease sets how far back leases are read; the always-on count covers them. */
  readonly roles: ReadonlyMap<RoleName, Role>;
}


/** Every reconciler count in [since, before), oldest first, page by page (the same millisecond-boundary care). */
async function countsBetween(store: KpiReportDeps['store'], since: Date, before: Date): Promise<StandingAccessCount[]> {
  const rows = new Map<string, StandingAccessCount>();
  let from = since;
  for (;;) {
    const page = await store.listStandingAccess({ since: from, before, limit: PAGE_SIZE });
    const size = rows.size;
    for (const row of page) rows.set(`${row.role}\u0000${row.at.getTime()}`, row);
    const newest = page.at(-1);
    if (page.length < PAGE_SIZE || newest === undefined) break;
    from = new Date(rows.size === size ? newest.at.getTime() + 1 : newest.at.getTime());
  }
  return [...rows.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/**
 * Each role's last count before `since`: the value carried into the period. The store reads oldest first, so this
 * looks back in windows that double (1 day, 2 days, 4 days …) until every role counted before `since` is found.
 */
async function lastCountsBefore(store: KpiReportDeps['store'], since: Date, firstCounts: readonly StandingAccessCount[]): Promise<StandingAccessCount[]> {
  const wanted = new Set(firstCounts.filter((c) => c.at < since).map((c) => c.role));
  const earliest = Math.min(...firstCounts.map((c) => c.at.getTime()));
  const found = new Map<RoleName, StandingAccessCount>();
  let end = since.getTime();
  for (let width = DAY_MS; found.size < wanted.size && end > earliest; width *= 2) {
    const start = Math.max(end - width, earliest);
    const window = new Map<RoleName, StandingAccessCount>();
    for (const row of await countsBetween(store, new Date(start), new Date(end))) if (wanted.has(row.role) && !found.has(row.role)) window.set(row.role, row);
    for (const [role, row] of window) found.set(role, row);
    end = start;
  }
  return [...found.values()];
}

/** The requests of these leases that `known` lacks, one read each (normally none: they were read by pages). */
async function missingRequests(store: KpiReportDeps['store'], leases: readonly Lease[], known: readonly AccessRequest[]): Promise<AccessRequest[]> {
  const have = new Set<RequestId>(known.map((r) => r.id));
  const out: AccessRequest[] = [];
  for (const id of new Set(leases.map((l) => l.requestId))) {
    if (have.has(id)) continue;
    const request = await store.getRequest(id);
    if (request) out.push(request);
  }
  return out;
}

/** Every KPI over [now − periodMs, now). Throws InvalidInputError for a period that is not a positive whole number of ms. */
export async function kpiReport(deps: KpiReportDeps, ask: { readonly now: Date; readonly periodMs: number }): Promise<KpiReport> {
  if (!Number.isSafeInteger(ask.periodMs) || ask.periodMs <= 0) throw new InvalidInputError(`the KPI period must be a positive number of milliseconds, got ${ask.periodMs}`);
  const { store } = deps;
  const now = ask.now;
  const since = new Date(now.getTime() - ask.periodMs);
  // A lease granted or expiring in the period was requested at most a role's longest lease (or a scheduled
  // request's 30 days) before it; its request was created before that.
  const lookback = Math.max(MIN_LOOKBACK_MS, ...[...deps.roles.values()].map(lookbackMs));
  const readFrom = new Date(since.getTime() - lookback);
  const leases = await pageBack((before) => store.listLeases({ requestedSince: readFrom, ...(before ? { requestedBefore: before } : {}), limit: PAGE_SIZE }), (l) => l.requestedAt);
  const requests = await pageBack((before) => store.listRequests({ createdSince: readFrom, ...(before ? { createdBefore: before } : {}), limit: PAGE_SIZE }), (r) => r.createdAt);
  const granted = leases.filter((l) => l.grantedAt !== undefined && l.grantedAt >= since && l.grantedAt < now);
  requests.push(...(await missingRequests(store, granted, requests)));
  const firstCounts = await store.firstStandingAccess();
  const counts = [...(await lastCountsBefore(store, since, firstCounts)), ...(await countsBetween(store, since, new Date(now.getTime() + 1)))];
  const alwaysOn = await alwaysOnReport({ store, roles: deps.roles, clock: { now: () => now } }, { periodMs: ask.periodMs });
  return computeKpis({ since, now, leases, requests, firstCounts, counts, alwaysOnCandidates: alwaysOn.candidates.length });
}

/** A KPI report as the /metrics gauges show it (docs/kpis.md): null reads NaN; an approval mode with no grants has no samples. */
export interface KpiGaugeValues {
  readonly standingAccessReductionPercent: number;
  readonly jitUtilizationPercent: number;
  readonly approvalSeconds: readonly { readonly labels: { readonly mode: RequestApproval; readonly quantile: '0.5' | '0.9' }; readonly value: number }[];
  readonly revocations: readonly { readonly labels: { readonly outcome: 'first_try' | 'within_1s' | 'within_1m' | 'still_failing' | 'total' }; readonly value: number }[];
}

export function kpiGaugeValues(report: KpiReport): KpiGaugeValues {
  const modes = ['auto', 'manual', 'break_glass'] as const;
  const r = report.revocation;
  return {
    standingAccessReductionPercent: report.standingAccess.reductionPercent ?? Number.NaN,
    jitUtilizationPercent: report.utilization.utilizationPercent ?? Number.NaN,
    approvalSeconds: modes.flatMap((mode) => {
      const stats = report.approvalTime[mode];
      return [
        ...(stats.medianMs === null ? [] : [{ labels: { mode, quantile: '0.5' as const }, value: stats.medianMs / 1000 }]),
        ...(stats.p90Ms === null ? [] : [{ labels: { mode, quantile: '0.9' as const }, value: stats.p90Ms / 1000 }]),
      ];
    }),
    revocations: [
      { labels: { outcome: 'first_try' }, value: r.firstTry },
      { labels: { outcome: 'within_1s' }, value: r.within1s },
      { labels: { outcome: 'within_1m' }, value: r.within1m },
      { labels: { outcome: 'still_failing' }, value: r.stillFailing },
      { labels: { outcome: 'total' }, value: r.total },
    ],
  };
}
