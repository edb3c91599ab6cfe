// The lease: what a request granted in a target, and the guarantee that it ends. Every function here is
// pure: it takes the current values and `now`, and returns the new values plus the audit events that the
// store must commit together with them.
import type { AuditEventDraft } from './audit-event.ts';
import { retryDelayMs, type RetryPolicy } from './backoff.ts';
import { IllegalTransitionError } from './errors.ts';
import type { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from './ids.ts';
import { moveRequest, type AccessRequest, type GrantData } from './request.ts';
import type { RoleTarget } from './role.ts';

export const LEASE_STATES = ['granting', 'active', 'revoking', 'revoke_failed', 'revoked'] as const;
export type LeaseState = (typeof LEASE_STATES)[number];

export const LEASE_TRANSITIONS: { readonly [From in LeaseState]: readonly LeaseState[] } = {
  // A grant that fails or is interrupted is cleaned up through revocation: the target may have applied it.
  granting: ['active', 'revoking'],
  active: ['revoking'],
  revoking: ['revoked', 'revoke_failed'],
  revoke_failed: ['revoked', 'revoke_failed'],
  revoked: [],
};

/** Why access is being taken away. */
export type RevokeReason = 'expired' | 'released' | 'revoked' | 'grant_failed';

export interface Lease {
  readonly id: LeaseId;
  readonly version: number;
  readonly state: LeaseState;
  readonly requestId: RequestId;
  readonly principal: PrincipalId;
  readonly role: RoleName;
  readonly connector: ConnectorName;
  /** What was granted, copied from the role at request time, so that revocation undoes exactly this. */
  readonly target: RoleTarget;
  readonly durationMs: number;
  readonly requestedAt: Date;
  readonly grantedAt?: Date;
  readonly grantConfirmedAt?: Date;
  /** Always set. Provisional (requestedAt + duration) until the grant is confirmed, then grantedAt + duration. */
  readonly expiresAt: Date;
  readonly revokeReason?: RevokeReason;
  readonly revokeRequestedAt?: Date;
  readonly revokedAt?: Date;
  readonly revokeConfirmedAt?: Date;
  /** Failed revocation attempts so far. */
  readonly attempts: number;
  readonly lastError?: string;
  readonly nextAttemptAt?: Date;
  /** Until then, one worker owns this lease's pending target operation; others leave it alone. */
  readonly claimedUntil?: Date;
  /** What the grant produced in the target (e.g. a certificate and its serial); revocation acts on it. */
  readonly grantRecord?: GrantData;
  /** A break-glass lease: someone other than its holder must review its use after the fact. */
  readonly reviewRequired?: boolean;
  readonly review?: LeaseReview;
}

export const REVIEW_VERDICTS = ['accepted', 'refused'] as const;
export type ReviewVerdict = (typeof REVIEW_VERDICTS)[number];

/** The after-the-fact review of a break-glass lease. */
export interface LeaseReview {
  readonly by: PrincipalId;
  readonly at: Date;
  readonly verdict: ReviewVerdict;
  readonly comment?: string;
}

/** What a target reported for a confirmed grant. */
export interface GrantConfirmation {
  readonly grantedAt: Date;
  readonly confirmedAt: Date;
  /** Kept with the lease (see Lease.grantRecord). */
  readonly record?: GrantData;
  /** Written into the `lease.granted` audit event (e.g. the certificate's serial and key id). */
  readonly audit?: GrantData;
  /** The target ends access at this time by itself (e.g. a certificate's valid_before); the lease never ends later. */
  readonly endsAt?: Date;
}

export interface Transition {
  readonly request: AccessRequest;
  readonly lease: Lease;
  readonly events: readonly AuditEventDraft[];
}

export function canMoveLease(from: LeaseState, to: LeaseState): boolean {
  return LEASE_TRANSITIONS[from].includes(to);
}

function moveLease(lease: Lease, to: LeaseState, changes: Partial<Omit<Lease, 'id' | 'version' | 'state'>>): Lease {
  if (!canMoveLease(lease.state, to)) throw new IllegalTransitionError('lease', lease.state, to);
  return { ...lease, ...changes, state: to, version: lease.version + 1 };
}

/** Access holds in the target's eyes: granted (or being granted) and not yet past expiry. */
export function isLeaseActive(lease: Lease, now: Date): boolean {
  return (lease.state === 'active' || lease.state === 'granting') && lease.expiresAt.getTime() > now.getTime();
}

/** An active lease whose window has closed: the scheduler must start revoking it. */
export function isExpiryDue(lease: Lease, now: Date): boolean {
  return lease.state === 'active' && lease.expiresAt.getTime() <= now.getTime();
}

/** A lease whose revocation should be attempted now. */
export function isRevocationDue(lease: Lease, now: Date): boolean {
  if (lease.state === 'revoking') return true;
  return lease.state === 'revoke_failed' && (lease.nextAttemptAt?.getTime() ?? 0) <= now.getTime();
}

const ref = (lease: Lease) => ({ requestId: lease.requestId, leaseId: lease.id });

/** The target reported success and the read-back confirmed access: the lease window starts now. */
export function confirmGrant(request: AccessRequest, lease: Lease, at: GrantConfirmation): Transition {
  const window = at.grantedAt.getTime() + lease.durationMs;
  const expiresAt = new Date(at.endsAt === undefined ? window : Math.min(window, at.endsAt.getTime()));
  const next = moveLease(lease, 'active', {
    grantedAt: at.grantedAt,
    grantConfirmedAt: at.confirmedAt,
    expiresAt,
    claimedUntil: undefined,
    ...(at.record ? { grantRecord: at.record } : {}),
  });
  return {
    lease: next,
    request: moveRequest(request, 'active'),
    events: [
      {
        type: 'lease.granted',
        at: at.confirmedAt,
        actor: 'system',
        ...ref(lease),
        data: {
          principal: lease.principal,
          role: lease.role,
          target: lease.target,
          expiresAt: expiresAt.toISOString(),
          grantLatencyMs: at.confirmedAt.getTime() - lease.requestedAt.getTime(),
          ...(at.audit ? { grant: at.audit } : {}),
        },
      },
    ],
  };
}

/** The grant failed (or could not be confirmed): the request fails and the lease is revoked to be sure. */
export function failGrant(request: AccessRequest, lease: Lease, error: string, now: Date, claimUntil?: Date): Transition {
  return {
    // Claimed by the caller when it cleans up at once; otherwise the scheduler takes it.
    lease: moveLease(lease, 'revoking', { revokeReason: 'grant_failed', revokeRequestedAt: now, lastError: error, claimedUntil: claimUntil }),
    request: moveRequest(request, 'failed', { outcomeNote: error }),
    events: [
      { type: 'lease.grant_failed', at: now, actor: 'system', ...ref(lease), data: { error } },
      { type: 'request.failed', at: now, actor: 'system', ...ref(lease), data: { error } },
    ],
  };
}

const REVOKE_EVENT = { expired: 'lease.expired', released: 'lease.released', revoked: 'lease.revoke_requested' } as const;

/**
 * Starts taking access away: at expiry (actor `system`), released early by its holder, or revoked by an admin.
 * The lease keeps its `expiresAt`; the request records how it ended. With `claimUntil`, the caller also
 * claims the lease for running the revocation itself.
 */
export function beginRevocation(
  request: AccessRequest,
  lease: Lease,
  how: { reason: 'expired' | 'released' | 'revoked'; actor: string; now: Date; note?: string; claimUntil?: Date },
): Transition {
  const note = how.note?.trim();
  // The worker that starts the revocation usually runs it at once: it claims the lease in the same write.
  const next = moveLease(lease, 'revoking', { revokeReason: how.reason, revokeRequestedAt: how.now, claimedUntil: how.claimUntil });
  const requestState = how.reason === 'expired' ? 'expired' : 'revoked';
  // A lease still being granted belongs to a request that is `approved`; either way the request ends here.
  const movedRequest = moveRequest(request, request.state === 'approved' ? 'cancelled' : requestState, note ? { outcomeNote: note } : {});
  return {
    lease: next,
    request: movedRequest,
    events: [{ type: REVOKE_EVENT[how.reason], at: how.now, actor: how.actor, ...ref(lease), data: note ? { note } : {} }],
  };
}

/** The target reported the access gone and the read-back agreed. */
export function confirmRevocation(lease: Lease, at: { revokedAt: Date; confirmedAt: Date }): { lease: Lease; events: readonly AuditEventDraft[] } {
  const next = moveLease(lease, 'revoked', { revokedAt: at.revokedAt, revokeConfirmedAt: at.confirmedAt, nextAttemptAt: undefined, claimedUntil: undefined });
  const lagMs = lease.revokeReason === 'expired' ? at.confirmedAt.getTime() - lease.expiresAt.getTime() : undefined;
  return {
    lease: next,
    events: [
      {
        type: 'lease.revoked',
        at: at.confirmedAt,
        actor: 'system',
        ...ref(lease),
        data: { reason: lease.revokeReason ?? 'expired', attempts: lease.attempts + 1, ...(lagMs === undefined ? {} : { lagMs }) },
      },
    ],
  };
}

/** A revocation attempt failed (or the read-back still shows access): retry later, loudly. */
export function failRevocation(lease: Lease, error: string, now: Date, policy: RetryPolicy, random: number): { lease: Lease; events: readonly AuditEventDraft[] } {
  const attempts = lease.attempts + 1;
  const nextAttemptAt = new Date(now.getTime() + retryDelayMs(policy, attempts, random));
  return {
    lease: moveLease(lease, 'revoke_failed', { attempts, lastError: error, nextAttemptAt, claimedUntil: undefined }),
    events: [{ type: 'lease.revoke_failed', at: now, actor: 'system', ...ref(lease), data: { error, attempts, nextAttemptAt: nextAttemptAt.toISOString() } }],
  };
}

/** Marks a lease as owned by one worker until `until`, so that no other worker runs its target operation. */
export function claimLease(lease: Lease, until: Date): Lease {
  return { ...lease, claimedUntil: until, version: lease.version + 1 };
}
