// Extending an active lease: the holder asks for more time with a reason. The same policy decides as for a
// request (eligibility, reason, usage limits, approval), and a lease with its extensions never lasts longer
// than the role's maxExtendedDuration. Pure: the engine passes in the lease, the role, the history and `now`.
import type { AuditEventDraft } from './audit-event.ts';
import { formatDuration } from './duration.ts';
import { ConflictError, ForbiddenError, InvalidInputError, type Issue } from './errors.ts';
import type { RequestId } from './ids.ts';
import type { Lease } from './lease.ts';
import { isEligible, MAX_REASON_LENGTH } from './policy.ts';
import type { Principal } from './principal.ts';
import type { AccessRequest } from './request.ts';
import type { Role } from './role.ts';
import { usageLimitExceeded } from './usage-limits.ts';

export interface ExtensionAsk {
  readonly byMs: number;
  readonly reason?: string;
}

export type ExtensionDecision =
  | { readonly outcome: 'extend_now'; readonly byMs: number; readonly reason: string }
  | { readonly outcome: 'needs_approval'; readonly byMs: number; readonly reason: string; readonly approvalsRequired: number; readonly timeoutMs: number; readonly limitExceeded?: string };

/**
 * Decides an extension. Refuses (with the message the holder sees): someone else's lease, a lease that is
 * not active or already past its end, a holder no longer eligible, a total beyond maxExtendedDuration, and a
 * usage limit the role refuses past. `nativeExpiry` says the target ends access by itself at the original end
 * (an SSH certificate's validity, an AD link's TTL), which no extension can move.
 */
export function evaluateExtension(input: {
  readonly principal: Principal;
  readonly role: Role;
  readonly lease: Lease;
  readonly ask: ExtensionAsk;
  readonly history: readonly Lease[];
  readonly nativeExpiry: boolean;
  readonly now: Date;
}): ExtensionDecision {
  const { principal, role, lease, ask, now } = input;
  if (lease.principal !== principal.id) throw new ForbiddenError(`lease ${lease.id} belongs to ${lease.principal}; only its holder can extend it`);
  if (lease.state !== 'active' || lease.expiresAt.getTime() <= now.getTime()) {
    throw new ConflictError(`lease ${lease.id} is ${lease.state === 'active' ? 'past its end' : lease.state}; only active access can be extended (ask for the role again)`);
  }
  if (input.nativeExpiry) {
    throw new ConflictError(
      `lease ${lease.id} cannot be extended: connector ${lease.connector} ends access by itself at ${lease.expiresAt.toISOString()} (an SSH certificate's validity or a directory link's TTL cannot be moved); ask for the role again`,
    );
  }
  if (!isEligible(principal, role)) throw new ForbiddenError(`${principal.id} is no longer eligible for role ${role.name}`);
  const issues: Issue[] = [];
  const reason = ask.reason?.trim() ?? '';
  if (!Number.isInteger(ask.byMs) || ask.byMs < 1_000) issues.push({ path: 'by', message: 'must be at least 1s' });
  else if (lease.durationMs + ask.byMs > role.maxExtendedDurationMs) {
    issues.push({
      path: 'by',
      message: `${formatDuration(ask.byMs)} more would make ${formatDuration(lease.durationMs + ask.byMs)} in total, more than role ${role.name} allows (${formatDuration(role.maxExtendedDurationMs)})`,
    });
  }
  if (role.requireReason && reason === '') issues.push({ path: 'reason', message: `role ${role.name} requires a reason` });
  if (reason.length > MAX_REASON_LENGTH) issues.push({ path: 'reason', message: `must be at most ${MAX_REASON_LENGTH} characters` });
  if (issues.length > 0) throw InvalidInputError.of(issues);

  // The lease being extended is in the history: its committed time counts, the extension is added to it.
  const exceeded = usageLimitExceeded(role.limits, input.history, ask.byMs, now, false);
  if (exceeded !== undefined && role.limits !== undefined) {
    const instead = role.limits.whenExceeded;
    if (instead.mode === 'refuse') throw new ConflictError(`${exceeded}: role ${role.name} refuses extensions past its limits`);
    return { outcome: 'needs_approval', byMs: ask.byMs, reason, approvalsRequired: instead.required, timeoutMs: instead.timeoutMs, limitExceeded: exceeded };
  }
  // Break-glass leases extend at once like automatic ones: they are reviewed afterwards either way.
  if (role.approval.mode === 'auto' || role.breakGlass) return { outcome: 'extend_now', byMs: ask.byMs, reason };
  return { outcome: 'needs_approval', byMs: ask.byMs, reason, approvalsRequired: role.approval.required, timeoutMs: role.approval.timeoutMs };
}

/** Moves an active lease's end by `byMs`; `approvedBy` is `policy` or the approvers. */
export function extendLease(lease: Lease, input: { readonly byMs: number; readonly reason: string; readonly actor: string; readonly approvedBy: string; readonly requestId?: RequestId; readonly now: Date }): { lease: Lease; events: readonly AuditEventDraft[] } {
  if (lease.state !== 'active' || lease.expiresAt.getTime() <= input.now.getTime()) {
    throw new ConflictError(`lease ${lease.id} is ${lease.state === 'active' ? 'past its end' : lease.state}; it can no longer be extended`);
  }
  const expiresAt = new Date(lease.expiresAt.getTime() + input.byMs);
  const next: Lease = { ...lease, version: lease.version + 1, durationMs: lease.durationMs + input.byMs, expiresAt };
  return {
    lease: next,
    events: [
      {
        type: 'lease.extended',
        at: input.now,
        actor: input.actor,
        requestId: input.requestId ?? lease.requestId,
        leaseId: lease.id,
        data: { byMs: input.byMs, reason: input.reason, approvedBy: input.approvedBy, previousExpiresAt: lease.expiresAt.toISOString(), expiresAt: expiresAt.toISOString(), totalDurationMs: next.durationMs },
      },
    ],
  };
}

/** An extension that waits for approvers: a request of its own, naming the lease it extends. */
export function openExtensionRequest(input: { readonly requestId: RequestId; readonly lease: Lease; readonly decision: Extract<ExtensionDecision, { outcome: 'needs_approval' }>; readonly now: Date }): { request: AccessRequest; events: readonly AuditEventDraft[] } {
  const { lease, decision, now } = input;
  const deadline = new Date(now.getTime() + decision.timeoutMs);
  const request: AccessRequest = {
    id: input.requestId,
    version: 1,
    state: 'pending',
    principal: lease.principal,
    role: lease.role,
    connector: lease.connector,
    durationMs: decision.byMs,
    reason: decision.reason,
    approval: 'manual',
    createdAt: now,
    extendsLease: lease.id,
    approvalsRequired: decision.approvalsRequired,
    approvalDeadline: deadline,
    ...(decision.limitExceeded ? { limitExceeded: decision.limitExceeded } : {}),
  };
  return {
    request,
    events: [
      {
        type: 'request.created',
        at: now,
        actor: lease.principal,
        requestId: request.id,
        leaseId: lease.id,
        data: {
          principal: lease.principal,
          role: lease.role,
          extendsLease: lease.id,
          durationMs: decision.byMs,
          reason: decision.reason,
          approval: 'manual',
          approvalsRequired: decision.approvalsRequired,
          approvalDeadline: deadline.toISOString(),
          ...(decision.limitExceeded ? { limitExceeded: decision.limitExceeded } : {}),
        },
      },
    ],
  };
}
