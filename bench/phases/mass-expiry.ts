// Phase 3: thousands of leases expiring in the same second. The leases are created through the API with
// bounded concurrency, each asking for the whole number of seconds that makes it end in the second after a
// common target time T. Then an independent LDAP reader polls the member count of every group, and we
// measure from the latest expiresAt until the last membership is gone. The API is asked afterwards whether
// every lease is `revoked`, and its own timestamps give the server-side lag of each revocation.
import type { ApiClient, LeaseView } from '../api-client.ts';
import type { BenchRole } from '../jitd-server.ts';
import type { MembershipReader } from '../ldap-witness.ts';
import { counter, phase } from '../progress.ts';
import { round, summarize, type Summary } from '../stats.ts';

export interface MassExpiryInput {
  readonly api: ApiClient;
  readonly adminToken: string;
  readonly witness: MembershipReader;
  readonly roles: readonly BenchRole[];
  /** One per lease: the user's token (each lease is a different principal). */
  readonly tokens: readonly string[];
  readonly concurrency: number;
  /** Requests per second the server is expected to sustain while creating (sets how far T is). */
  readonly expectedRate: number;
  /** Give up waiting for the last removal this long after the latest expiry. */
  readonly waitLimitSeconds: number;
  /**
   * Pause between two reads of the member counts during the drain (default 25 ms): the resolution of the
   * figures, traded against the reader's own load on the directory server.
   */
  readonly pollMs?: number;
  /** Called at the end of each step (create, wait, drain, API check), e.g. to account CPU per step. */
  readonly mark?: (step: string) => void;
}

export interface TimelinePoint {
  /** Milliseconds since the latest expiresAt (negative: before it). */
  readonly t_ms: number;
  /** Memberships still present in LDAP (all groups together). */
  readonly remaining: number;
}

export interface MassExpiryResult {
  readonly count: number;
  readonly created: number;
  readonly createFailures: number;
  readonly firstCreateErrors: readonly string[];
  readonly createSeconds: number;
  readonly createPerSecond: number;
  /** Leases whose request was sent after T (their expiry could not be put in the target second). */
  readonly createdAfterTarget: number;
  /** Latest expiresAt − earliest expiresAt. */
  readonly expiryWindowMs: number;
  readonly visibleBeforeExpiry: number;
  /** Earliest expiresAt → the reader first sees fewer members. */
  readonly secondsToFirstRevoke: number | null;
  /** Latest expiresAt → the reader sees no member left. Null when they were not all gone in time. */
  readonly secondsToLastRevoke: number | null;
  /** Memberships removed per second, from the first observed removal to the last. */
  readonly revocationsPerSecond: number | null;
  readonly remainingAtEnd: number;
  /** Latest expiresAt → the API reports no lease active, revoking or revoke_failed. */
  readonly apiSettledSeconds: number | null;
  readonly api: {
    readonly statusCountsBefore: Record<string, number>;
    readonly statusCountsAfter: Record<string, number>;
    /** Increase of the `revoked` count in /v1/status over the phase. */
    readonly revokedDelta: number;
    /** From GET /v1/leases?role=… (only when each role has at most 1000 leases). */
    readonly listed: number | null;
    readonly listedRevokedExpired: number | null;
    /** revokeConfirmedAt − expiresAt of each listed lease, from the server's own timestamps. */
    readonly serverLagMs: Summary | null;
    readonly allRevoked: boolean;
  };
  readonly timeline: readonly TimelinePoint[];
}

const DEFAULT_POLL_MS = 25;
const TIMELINE_EVERY_MS = 250;
const LIST_LIMIT = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function totalMembers(witness: MembershipReader, roles: readonly BenchRole[]): Promise<number> {
  const counts = await Promise.all(roles.map((r) => witness.memberCount(r.groupDn)));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Counts members of the groups that still have some. A group found empty stays empty (nothing is granted
 * during the drain), so it is not read again: the reader's own load on slapd and on the 2 cores shrinks
 * as the drain proceeds instead of competing with jitd for the last revocations.
 */
function drainCounter(witness: MembershipReader, roles: readonly BenchRole[]): () => Promise<number> {
  let open = [...roles];
  return async () => {
    const counts = await Promise.all(open.map((r) => witness.memberCount(r.groupDn)));
    open = open.filter((_, i) => counts[i]! > 0);
    return counts.reduce((a, b) => a + b, 0);
  };
}

async function statusCounts(api: ApiClient, adminToken: string): Promise<Record<string, number>> {
  const { body } = await api.call<{ counts?: Record<string, number> }>('GET', '/v1/status', adminToken);
  if (!body.counts) throw new Error('/v1/status returned no counts: the bench admin token is not an admin');
  return body.counts;
}

const unsettled = (c: Record<string, number>) => (c['active'] ?? 0) + (c['granting'] ?? 0) + (c['revoking'] ?? 0) + (c['revoke_failed'] ?? 0);

export async function measureMassExpiry(input: MassExpiryInput): Promise<MassExpiryResult> {
  const { api, witness, roles, tokens } = input;
  const pollMs = input.pollMs ?? DEFAULT_POLL_MS;
  const n = tokens.length;
  const before = await statusCounts(api, input.adminToken);

  // T: far enough ahead to create every lease first (expected time × 1.3 + 3 s).
  const createStart = Date.now();
  const target = createStart + Math.ceil((n / input.expectedRate) * 1300) + 3000;
  phase(`  creating ${n} leases over ${roles.length} roles, ${input.concurrency} at a time; all to expire in the second after ${new Date(target).toISOString()}`);
  const leases: LeaseView[] = [];
  const errors: string[] = [];
  let failures = 0;
  let late = 0;
  let next = 0;
  const progress = counter('leases created', n);
  // The server starts a lease's clock when it handles the request, a little after we send it (more under
  // load). Aiming at T − that delay (a moving average of requestedAt − send time) keeps the expiries inside
  // [T, T + 1 s) up to the delay's jitter, instead of spilling over by the whole delay.
  let serverDelayMs = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const sentAt = Date.now();
      const left = target - (sentAt + serverDelayMs);
      if (left <= 0) late += 1;
      const seconds = Math.max(1, Math.ceil(left / 1000));
      try {
        const lease = await api.requestRole(tokens[i]!, roles[i % roles.length]!.name, `${seconds}s`);
        serverDelayMs = 0.9 * serverDelayMs + 0.1 * Math.max(0, Date.parse(lease.requestedAt) - sentAt);
        leases.push(lease);
      } catch (error) {
        failures += 1;
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
      }
      progress.tick(leases.length + failures);
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.concurrency, n) }, worker));
  const createSeconds = (Date.now() - createStart) / 1000;
  progress.end(`${round(leases.length / createSeconds, 1)}/s, ${failures} failed, ${late} after T`);
  input.mark?.('mass_create');

  const expiries = leases.map((l) => Date.parse(l.expiresAt));
  const earliest = Math.min(...expiries);
  const latest = Math.max(...expiries);
  const visible = await totalMembers(witness, roles);
  phase(`  ${visible} memberships visible in the directory; expiries span ${latest - earliest} ms; waiting ${round((earliest - Date.now()) / 1000, 1)} s for the first`);

  // Poll from a little before the earliest expiry until nothing is left (or the limit).
  await sleep(earliest - 200 - Date.now());
  input.mark?.('mass_wait_for_expiry');
  const timeline: TimelinePoint[] = [];
  let firstDrop: number | undefined;
  let gone: number | undefined;
  let remaining: number;
  let lastTimeline = 0;
  const giveUpAt = latest + input.waitLimitSeconds * 1000;
  const drain = counter('memberships removed', visible);
  const count = drainCounter(witness, roles);
  for (;;) {
    remaining = await count();
    const at = Date.now();
    if (firstDrop === undefined && remaining < visible) firstDrop = at;
    if (at - lastTimeline >= TIMELINE_EVERY_MS || remaining === 0) {
      timeline.push({ t_ms: at - latest, remaining });
      lastTimeline = at;
    }
    drain.tick(visible - remaining);
    if (remaining === 0) {
      gone = at;
      break;
    }
    if (at > giveUpAt) break;
    await sleep(pollMs);
  }
  drain.end(gone === undefined ? `${remaining} still present after ${input.waitLimitSeconds} s` : `last gone ${round((gone - latest) / 1000, 2)} s after the latest expiry`);

  input.mark?.('mass_drain');

  // The API: wait (briefly) until no lease is left unsettled, then read counts and the leases themselves.
  let after = await statusCounts(api, input.adminToken);
  const apiDeadline = Date.now() + 30_000;
  while (unsettled(after) > 0 && Date.now() < apiDeadline) {
    await sleep(50);
    after = await statusCounts(api, input.adminToken);
  }
  const apiSettled = unsettled(after) === 0 ? Date.now() : undefined;
  const revokedDelta = (after['revoked'] ?? 0) - (before['revoked'] ?? 0);

  let listed: LeaseView[] | undefined;
  if (Math.ceil(n / roles.length) <= LIST_LIMIT) {
    listed = [];
    for (const role of roles) {
      const { body } = await api.call<{ leases: LeaseView[] }>('GET', `/v1/leases?role=${encodeURIComponent(role.name)}&limit=${LIST_LIMIT}`, input.adminToken);
      listed.push(...body.leases);
    }
  }
  const expiredOnes = listed?.filter((l) => l.state === 'revoked' && l.revokeReason === 'expired');
  const lags = expiredOnes?.filter((l) => l.revokeConfirmedAt).map((l) => Date.parse(l.revokeConfirmedAt!) - Date.parse(l.expiresAt));

  input.mark?.('mass_api_check');

  const span = firstDrop !== undefined && gone !== undefined ? Math.max(pollMs, gone - firstDrop) / 1000 : undefined;
  return {
    count: n,
    created: leases.length,
    createFailures: failures,
    firstCreateErrors: errors,
    createSeconds: round(createSeconds),
    createPerSecond: round(leases.length / createSeconds, 1),
    createdAfterTarget: late,
    expiryWindowMs: latest - earliest,
    visibleBeforeExpiry: visible,
    secondsToFirstRevoke: firstDrop === undefined ? null : round((firstDrop - earliest) / 1000),
    secondsToLastRevoke: gone === undefined ? null : round((gone - latest) / 1000),
    revocationsPerSecond: span === undefined ? null : round(visible / span, 1),
    remainingAtEnd: remaining,
    apiSettledSeconds: apiSettled === undefined ? null : round((apiSettled - latest) / 1000),
    api: {
      statusCountsBefore: before,
      statusCountsAfter: after,
      revokedDelta,
      listed: listed?.length ?? null,
      listedRevokedExpired: expiredOnes?.length ?? null,
      serverLagMs: lags && lags.length > 0 ? summarize(lags) : null,
      allRevoked: revokedDelta === leases.length && unsettled(after) === 0 && (expiredOnes === undefined || expiredOnes.length === leases.length),
    },
    timeline,
  };
}
