// Usage limits against "always on" use of a role: how often, and how long in total, one principal held it
// within a sliding window. Pure: the engine passes in the principal's recent leases of the role and `now`.
import { formatDuration } from './duration.ts';
import type { Lease } from './lease.ts';
import type { UsageLimits } from './role.ts';

/** How long a lease holds (or held, or is committed to hold) access, counted from its request. */
export function committedMs(lease: Lease): number {
  const start = (lease.grantedAt ?? lease.requestedAt).getTime();
  const end = lease.revokeRequestedAt ?? lease.revokedAt ?? lease.expiresAt;
  return Math.max(0, Math.min(end.getTime(), lease.expiresAt.getTime()) - start);
}

/** A lease that counts as a use of the role: it was (or is being) granted, not one whose grant failed. */
function counts(lease: Lease): boolean {
  return lease.revokeReason !== 'grant_failed';
}

/**
 * Why a new use of `askMs` would go past the role's limits, in words the requester reads; undefined when
 * it would not. `history` holds the principal's leases of the role (any that started before the window
 * are ignored here). `newActivation` is false for an extension, which lengthens a lease but is not a new use.
 */
export function usageLimitExceeded(limits: UsageLimits | undefined, history: readonly Lease[], askMs: number, now: Date, newActivation = true): string | undefined {
  if (limits === undefined) return undefined;
  const within = (windowMs: number) => history.filter((lease) => counts(lease) && lease.requestedAt.getTime() > now.getTime() - windowMs);
  const reasons: string[] = [];
  const activations = limits.maxActivations;
  if (activations !== undefined && newActivation) {
    const used = within(activations.windowMs).length;
    if (used + 1 > activations.count) {
      reasons.push(`${used} activation${used === 1 ? '' : 's'} in the last ${formatDuration(activations.windowMs)} (limit ${activations.count})`);
    }
  }
  const total = limits.maxTotalDuration;
  if (total !== undefined) {
    const usedMs = within(total.windowMs).reduce((sum, lease) => sum + committedMs(lease), 0);
    if (usedMs + askMs > total.durationMs) {
      reasons.push(
        `${formatDuration(usedMs)} held in the last ${formatDuration(total.windowMs)}; ${formatDuration(askMs)} more would exceed the limit of ${formatDuration(total.durationMs)}`,
      );
    }
  }
  return reasons.length === 0 ? undefined : `usage limit reached: ${reasons.join('; ')}`;
}

/** The longest window of the limits: how far back a principal's leases must be read to check them. */
export function longestWindowMs(limits: UsageLimits): number {
  return Math.max(limits.maxActivations?.windowMs ?? 0, limits.maxTotalDuration?.windowMs ?? 0);
}
