// The always-on report: reads every lease that may have held access in the period, page by page, and lets the
// core judge them.
import type { RoleName } from '../core/ids.ts';
import type { Lease } from '../core/lease.ts';
import type { Role } from '../core/role.ts';
import { findAlwaysOnCandidates, type AlwaysOnReport, type UsagePatternOptions } from '../core/usage-pattern.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from './deps.ts';
// kpi-report.ts imports this file too: the cycle is safe because neither uses the other's bindings at load time.
import { PAGE_SIZE, pageBack } from './page-back.ts';

const DAY_MS = 86_400_000;
/** A lease that held access in the period was requested at most this long before it (the core clips the rest). */
export const MIN_LOOKBACK_MS = 31 * DAY_MS;

export interface UsageReportDeps {
  readonly store: Pick<Store, 'listLeases'>;
  /** The configured roles: the report covers these (leases of roles since removed from the config are not read). */
  readonly roles: ReadonlyMap<RoleName, Role>;
  readonly clock: Clock;
}

/** How far before the period to look for leases of a role: a month, or the role's longest lease and a day. */
export function lookbackMs(role: Role): number {
  return Math.max(MIN_LOOKBACK_MS, role.maxExtendedDurationMs + DAY_MS);
}

/** Every lease of one role requested at or after `since`, newest first, however many pages that takes. */
function roleLeases(store: UsageReportDeps['store'], role: RoleName, since: Date): Promise<Lease[]> {
  return pageBack((before) => store.listLeases({ role, requestedSince: since, ...(before ? { requestedBefore: before } : {}), limit: PAGE_SIZE }), (l) => l.requestedAt);
}

/** Always-on candidates over the last `periodMs` until now, per configured role. Throws InvalidInputError for bad options. */
export async function alwaysOnReport(deps: UsageReportDeps, ask: { readonly periodMs: number; readonly options?: Partial<UsagePatternOptions> }): Promise<AlwaysOnReport> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - ask.periodMs);
  const leases: Lease[] = [];
  for (const role of deps.roles.values()) leases.push(...(await roleLeases(deps.store, role.name, new Date(since.getTime() - lookbackMs(role)))));
  return findAlwaysOnCandidates(leases, { since, now }, ask.options);
}
