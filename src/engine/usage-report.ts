// The always-on report: reads the leases that may have held access in the period and lets the core judge them.
import type { RoleName } from '../core/ids.ts';
import type { Lease } from '../core/lease.ts';
import type { Role } from '../core/role.ts';
import { findAlwaysOnCandidates, type AlwaysOnReport, type UsagePatternOptions } from '../core/usage-pattern.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from './deps.ts';

const DAY_MS = 86_400_000;
/**
 * Leases read per role in one call: the SQL store's MAX_LIMIT (src/store/sql/sql-store.ts). The store has no
 * cursor for leases, so a role with more leases in the look-back than this is reported as truncated.
 */
export const LEASES_PER_ROLE = 1000;
/** A lease that held access in the period was requested at most this long before it (the core clips the rest). */
export const MIN_LOOKBACK_MS = 31 * DAY_MS;

export interface UsageReportDeps {
  readonly store: Pick<Store, 'listLeases'>;
  /** The configured roles: the report covers these (leases of roles since removed from the config are not read). */
  readonly roles: ReadonlyMap<RoleName, Role>;
  readonly clock: Clock;
}

export interface AlwaysOnReportResult extends AlwaysOnReport {
  /** Some role had more leases in the look-back than one read returns: its oldest ones were left out. */
  readonly truncated: boolean;
  /** Those roles, by name. */
  readonly truncatedRoles: readonly RoleName[];
}

/** How far before the period to look for leases of a role: a month, or the role's longest lease and a day. */
export function lookbackMs(role: Role): number {
  return Math.max(MIN_LOOKBACK_MS, role.maxExtendedDurationMs + DAY_MS);
}

/** Always-on candidates over the last `periodMs` until now, per configured role. Throws InvalidInputError for bad options. */
export async function alwaysOnReport(deps: UsageReportDeps, ask: { readonly periodMs: number; readonly options?: Partial<UsagePatternOptions> }): Promise<AlwaysOnReportResult> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - ask.periodMs);
  const leases: Lease[] = [];
  const truncatedRoles: RoleName[] = [];
  for (const role of deps.roles.values()) {
    const page = await deps.store.listLeases({ role: role.name, requestedSince: new Date(since.getTime() - lookbackMs(role)), limit: LEASES_PER_ROLE });
    leases.push(...page);
    if (page.length >= LEASES_PER_ROLE) truncatedRoles.push(role.name);
  }
  const report = findAlwaysOnCandidates(leases, { since, now }, ask.options);
  return { ...report, truncated: truncatedRoles.length > 0, truncatedRoles };
}
