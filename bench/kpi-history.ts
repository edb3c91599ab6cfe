// The kpi section's data: a month of jitd history shaped like a real deployment's, written through the store API
// (commit, recordStandingAccess) the way the broker and the reconciler leave it. Leases over 30 days across 5 roles
// and 200 principals: auto, manual (some scheduled) and break-glass requests; revoked at expiry on the first try,
// after retries, or still failing; some released or revoked early, some failed grants, the newest still active;
// a few principals who hold a role every working day (always-on candidates); requests denied or cancelled without
// a lease; and the reconciler's hourly count per role, falling as people move to jitd. Seeded: the same count
// gives the same store, so runs compare.
import { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../src/core/ids.ts';
import type { Lease } from '../src/core/lease.ts';
import type { AccessRequest, RequestApproval } from '../src/core/request.ts';
import type { Role } from '../src/core/role.ts';
import type { StandingAccessCount, Store } from '../src/store/store.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Monday 23 November 2026, 00:00 UTC: the end of the history and the `now` of every report. */
export const HISTORY_NOW = new Date('2026-11-23T00:00:00Z');
export const HISTORY_DAYS = 30;
export const PRINCIPALS = 200;
/** Principals who hold one role from 08:30 to 17:00 every working day: what the always-on report should find. */
export const ALWAYS_ON_PRINCIPALS = 8;
/** Leases (and their requests) per store commit: a scheduler chunk is 250; larger only makes filling faster. */
const LEASES_PER_COMMIT = 500;
/** The reconciler's counts start this long before the leases: jitd was counting before people used it. */
const COUNTS_LEAD_MS = 2 * DAY;

interface RoleSpec {
  readonly name: string;
  /** Share of the (not always-on) requests. */
  readonly share: number;
  /** Chance of auto, manual, break_glass. */
  readonly modes: readonly [number, number, number];
  readonly maxExtendedHours: number;
  /** Holders without a lease the reconciler counts at the start and at the end of the month. */
  readonly standing: readonly [number, number];
}

const ROLE_SPECS: readonly RoleSpec[] = [
  { name: 'db-admins', share: 0.35, modes: [0.9, 0.08, 0.02], maxExtendedHours: 8, standing: [24, 6] },
  { name: 'ssh-prod', share: 0.25, modes: [0.95, 0.03, 0.02], maxExtendedHours: 8, standing: [40, 9] },
  { name: 'k8s-cluster-admin', share: 0.15, modes: [0, 0.95, 0.05], maxExtendedHours: 12, standing: [12, 3] },
  { name: 'domain-admins', share: 0.05, modes: [0, 0.9, 0.1], maxExtendedHours: 4, standing: [9, 2] },
  { name: 'billing-read', share: 0.2, modes: [1, 0, 0], maxExtendedHours: 24, standing: [30, 14] },
];

const CONNECTOR = ConnectorName('corp-ldap');
const DURATIONS_MS = [30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR];
const DURATION_WEIGHTS = [0.2, 0.4, 0.2, 0.15, 0.05];
const targetOf = (role: string) => ({ group: `cn=${role},ou=groups,dc=example,dc=org` });

/** The 5 roles as configured: the reports read their names and longest leases. */
export function historyRoles(): ReadonlyMap<RoleName, Role> {
  return new Map(
    ROLE_SPECS.map((s): [RoleName, Role] => [
      RoleName(s.name),
      {
        name: RoleName(s.name),
        connector: CONNECTOR,
        target: targetOf(s.name),
        eligible: ['group:engineering'],
        approval: s.modes[0] > 0 ? { mode: 'auto' } : { mode: 'manual', required: 1, from: ['group:sre-leads'], timeoutMs: 8 * HOUR },
        defaultDurationMs: HOUR,
        maxDurationMs: 8 * HOUR,
        requireReason: true,
        breakGlass: s.modes[2] > 0,
        maxExtendedDurationMs: s.maxExtendedHours * HOUR,
        enforce: false,
      },
    ]),
  );
}

/** mulberry32: small, fast, and good enough to spread a benchmark's data. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }
  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }
  /** An index drawn with these weights (they need not sum to 1). */
  weighted(weights: readonly number[]): number {
    let r = this.next() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
  /** Log-normal around `median` (waits and lags: mostly short, with a long tail). */
  around(median: number, spread: number): number {
    const gauss = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
    return Math.max(1, Math.round(median * Math.exp(spread * gauss)));
  }
  /** 80 random bits as hex, like src/engine/ids.ts's ids. */
  id(prefix: string): string {
    let hex = '';
    for (let i = 0; i < 5; i++) hex += this.int(0, 0xffff).toString(16).padStart(4, '0');
    return `${prefix}-${hex}`;
  }
}

const isWorkingTime = (ms: number) => {
  const d = new Date(ms);
  return d.getUTCDay() >= 1 && d.getUTCDay() <= 5 && d.getUTCHours() >= 8 && d.getUTCHours() < 18;
};

/** One lease and its request, as jitd leaves them by the end of the history. */
interface Grant {
  readonly request: AccessRequest;
  readonly lease: Lease;
}

interface Ask {
  readonly principal: PrincipalId;
  readonly role: RoleSpec;
  readonly mode: RequestApproval;
  /** When the request was created. */
  readonly createdAt: number;
  readonly durationMs: number;
  /** A scheduled request's start (the lease is created then). */
  readonly startAt?: number;
}

/** The lease and request as jitd leaves them by `now`, with an outcome drawn from the dice. */
function grantFor(dice: Dice, ask: Ask, now: number): Grant {
  const leaseId = LeaseId(dice.id('lease'));
  const requestId = RequestId(dice.id('req'));
  const role = RoleName(ask.role.name);
  // Manual: the approver decides minutes to hours after the request. The lease is created at the decision, or at
  // the scheduled start if that is later; then the grant itself (directory add + read-back) takes milliseconds.
  const decidedAt = ask.createdAt + (ask.mode === 'manual' ? dice.around(8 * MINUTE, 1.3) : 0);
  const requestedAt = Math.max(decidedAt, ask.startAt ?? decidedAt);
  const grantMs = dice.around(ask.mode === 'manual' ? 120 : 300, 0.7);
  const grantedAt = requestedAt + grantMs;
  const expiresAt = grantedAt + ask.durationMs;
  const request: AccessRequest = {
    id: requestId,
    version: 3,
    state: 'active',
    principal: ask.principal,
    role,
    connector: CONNECTOR,
    durationMs: ask.durationMs,
    reason: 'on-call work',
    ticket: `OPS-${dice.int(1000, 9999)}`,
    approval: ask.mode,
    createdAt: new Date(ask.createdAt),
    leaseId,
    ...(ask.mode === 'manual' ? { decidedAt: new Date(decidedAt), decidedBy: `lead-${dice.int(1, 6)}`, approvalsRequired: 1, approvalDeadline: new Date(ask.createdAt + 8 * HOUR) } : {}),
    ...(ask.startAt === undefined ? {} : { startAt: new Date(ask.startAt) }),
  };
  const base: Lease = {
    id: leaseId,
    version: 2,
    state: 'active',
    requestId,
    principal: ask.principal,
    role,
    connector: CONNECTOR,
    target: targetOf(ask.role.name),
    durationMs: ask.durationMs,
    requestedAt: new Date(requestedAt),
    grantedAt: new Date(grantedAt),
    grantConfirmedAt: new Date(grantedAt),
    expiresAt: new Date(expiresAt),
    attempts: 0,
    ...(ask.mode === 'break_glass' ? { reviewRequired: true } : {}),
  };
  const ended = (lease: Lease, requestState: AccessRequest['state']): Grant => {
    const reviewed = lease.reviewRequired && requestedAt < now - 2 * DAY ? { review: { by: PrincipalId(`lead-${dice.int(1, 6)}`), at: new Date(requestedAt + DAY), verdict: 'accepted' as const } } : {};
    return { request: { ...request, version: 4, state: requestState }, lease: { ...lease, ...reviewed } };
  };

  const outcome = dice.next();
  if (outcome < 0.01) {
    // The directory refused the grant: cleaned up through revocation, the request failed.
    const failedAt = new Date(grantedAt);
    const { grantedAt: _g, grantConfirmedAt: _c, ...notGranted } = base;
    return ended(
      { ...notGranted, version: 4, state: 'revoked', expiresAt: new Date(requestedAt + ask.durationMs), revokeReason: 'grant_failed', revokeRequestedAt: failedAt, revokedAt: new Date(grantedAt + 150), revokeConfirmedAt: new Date(grantedAt + 150), lastError: 'LDAP 50 insufficientAccessRights' },
      'failed',
    );
  }
  if (outcome < 0.1) {
    // Released by its holder (9 %) or revoked by an admin (1 %) before expiry.
    const at = grantedAt + Math.round(ask.durationMs * dice.between(0.1, 0.9));
    if (at + SECOND <= now) {
      const reason = outcome < 0.09 ? 'released' : 'revoked';
      return ended({ ...base, version: 4, state: 'revoked', revokeReason: reason, revokeRequestedAt: new Date(at), revokedAt: new Date(at + 200), revokeConfirmedAt: new Date(at + 200) }, 'revoked');
    }
  }
  if (expiresAt > now) return { request, lease: base };
  // A revocation confirmed after now has not happened yet: those few (expired in the last moments) end now.
  const confirmed = (lagMs: number) => new Date(Math.min(now, expiresAt + lagMs));
  const fate = dice.next();
  if (fate < 0.935) {
    // Revoked at expiry on the first try: a scheduler tick late plus the directory round trip.
    const done = confirmed(dice.around(350, 0.8));
    return ended({ ...base, version: 4, state: 'revoked', revokeReason: 'expired', revokeRequestedAt: new Date(expiresAt), revokedAt: done, revokeConfirmedAt: done }, 'expired');
  }
  if (fate < 0.993) {
    // After 1 to 4 failed attempts with backoff: seconds to minutes late.
    const attempts = dice.int(1, 4);
    const done = confirmed(dice.around(2 * SECOND * 2 ** attempts, 0.6));
    return ended({ ...base, version: 4 + 2 * attempts, state: 'revoked', revokeReason: 'expired', revokeRequestedAt: new Date(expiresAt), revokedAt: done, revokeConfirmedAt: done, attempts, lastError: 'connect ETIMEDOUT' }, 'expired');
  }
  // Still failing now: the directory keeps refusing the removal.
  const attempts = dice.int(5, 20);
  return ended(
    { ...base, version: 3 + 2 * attempts, state: 'revoke_failed', revokeReason: 'expired', revokeRequestedAt: new Date(expiresAt), attempts, lastError: 'LDAP 53 unwillingToPerform', nextAttemptAt: new Date(now + dice.int(1, 10) * MINUTE) },
    'expired',
  );
}

/** A request that never got a lease: denied by an approver, or cancelled by its requester. */
function leaselessRequest(dice: Dice, principal: PrincipalId, role: RoleSpec, createdAt: number): AccessRequest {
  const denied = dice.next() < 0.8;
  const decidedAt = new Date(createdAt + dice.around(15 * MINUTE, 1));
  return {
    id: RequestId(dice.id('req')),
    version: 2,
    state: denied ? 'denied' : 'cancelled',
    principal,
    role: RoleName(role.name),
    connector: CONNECTOR,
    durationMs: HOUR,
    reason: 'on-call work',
    approval: 'manual',
    createdAt: new Date(createdAt),
    decidedAt,
    decidedBy: denied ? `lead-${dice.int(1, 6)}` : principal,
    outcomeNote: denied ? 'not during the freeze' : `cancelled by ${principal}`,
    approvalsRequired: 1,
    approvalDeadline: new Date(createdAt + 8 * HOUR),
  };
}

export interface History {
  readonly grants: readonly Grant[];
  /** Requests without a lease (denied, cancelled). */
  readonly leaseless: readonly AccessRequest[];
  readonly counts: readonly StandingAccessCount[];
}

/** The whole history for `leases` leases, oldest first. */
export function buildHistory(leases: number, seed = 7): History {
  const dice = new Dice(seed);
  const now = HISTORY_NOW.getTime();
  const start = now - HISTORY_DAYS * DAY;
  const principals = Array.from({ length: PRINCIPALS }, (_, i) => PrincipalId(`u${String(i + 1).padStart(4, '0')}`));
  // Some people ask more often than others: activity falls off gently with rank (a steeper fall makes the busiest
  // hold several roles all day at this volume, and most of them would be always-on candidates).
  const activity = principals.map((_, i) => 1 / (i + 1) ** 0.2);
  const grants: Grant[] = [];

  // The always-on principals first (ranks 21-28): one 08:30-17:00 lease every working day on their role.
  for (let p = 0; p < ALWAYS_ON_PRINCIPALS && grants.length < leases; p++) {
    const role = ROLE_SPECS[p % 2]!;
    for (let day = 0; day < HISTORY_DAYS && grants.length < leases; day++) {
      const at = start + day * DAY + 8 * HOUR + 30 * MINUTE;
      if (!isWorkingTime(at)) continue;
      grants.push(grantFor(dice, { principal: principals[20 + p]!, role, mode: 'auto', createdAt: at, durationMs: 8.5 * HOUR }, now));
    }
  }
  while (grants.length < leases) {
    // Mostly working hours; nights and weekends now and then.
    let createdAt = Math.round(dice.between(start, now - 5 * MINUTE));
    for (let tries = 0; tries < 4 && !isWorkingTime(createdAt); tries++) createdAt = Math.round(dice.between(start, now - 5 * MINUTE));
    const role = ROLE_SPECS[dice.weighted(ROLE_SPECS.map((r) => r.share))]!;
    const mode = (['auto', 'manual', 'break_glass'] as const)[dice.weighted(role.modes)]!;
    // One manual request in twenty is scheduled a day or three ahead.
    const startAt = mode === 'manual' && dice.next() < 0.05 ? createdAt + dice.int(1, 3) * DAY : undefined;
    if (startAt !== undefined && startAt + 10 * HOUR > now) continue;
    const principal = principals[dice.weighted(activity)]!;
    grants.push(grantFor(dice, { principal, role, mode, createdAt, durationMs: DURATIONS_MS[dice.weighted(DURATION_WEIGHTS)]!, ...(startAt === undefined ? {} : { startAt }) }, now));
  }
  grants.sort((a, b) => a.request.createdAt.getTime() - b.request.createdAt.getTime());

  // About one manual request in ten is denied or cancelled.
  const manual = grants.filter((g) => g.request.approval === 'manual').length;
  const leaseless = Array.from({ length: Math.round(manual / 10) }, () =>
    leaselessRequest(dice, principals[dice.weighted(activity)]!, ROLE_SPECS[dice.int(2, 3)]!, Math.round(dice.between(start, now - HOUR))),
  ).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

  // The reconciler's count per role every hour, falling linearly over the month from the first to the last value.
  const counts: StandingAccessCount[] = [];
  for (let at = start - COUNTS_LEAD_MS; at < now; at += HOUR) {
    const progress = Math.min(1, Math.max(0, (at - start) / (now - start)));
    for (const role of ROLE_SPECS) {
      const [first, last] = role.standing;
      const standing = Math.max(0, Math.round(first - (first - last) * progress + (dice.next() < 0.1 ? dice.int(-1, 1) : 0)));
      counts.push({ role: RoleName(role.name), at: new Date(at), standing, leased: dice.int(0, 4) });
    }
  }
  return { grants, leaseless, counts };
}

export interface FillResult {
  readonly leases: number;
  readonly requests: number;
  readonly counts: number;
  readonly commits: number;
}

/** Writes the history through the store API, oldest first, `LEASES_PER_COMMIT` leases per commit. */
export async function fillStore(store: Store, history: History, progress: (leasesDone: number) => void): Promise<FillResult> {
  let commits = 0;
  let nextLeaseless = 0;
  for (let i = 0; i < history.grants.length; i += LEASES_PER_COMMIT) {
    const batch = history.grants.slice(i, i + LEASES_PER_COMMIT);
    const until = batch.at(-1)!.request.createdAt.getTime();
    const leaseless: AccessRequest[] = [];
    for (; nextLeaseless < history.leaseless.length && (history.leaseless[nextLeaseless]!.createdAt.getTime() <= until || i + LEASES_PER_COMMIT >= history.grants.length); nextLeaseless++) {
      leaseless.push(history.leaseless[nextLeaseless]!);
    }
    // No audit events: neither report reads them, and writing a month of them would only slow the filling down.
    await store.commit({ insertRequests: [...batch.map((g) => g.request), ...leaseless], insertLeases: batch.map((g) => g.lease), events: [] });
    commits += 1;
    progress(i + batch.length);
  }
  for (let i = 0; i < history.counts.length; i += 1000) await store.recordStandingAccess(history.counts.slice(i, i + 1000));
  return { leases: history.grants.length, requests: history.grants.length + history.leaseless.length, counts: history.counts.length, commits };
}
