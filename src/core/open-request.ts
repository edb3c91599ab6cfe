// Turning a policy decision into the first committed records: the request, and for an auto-approved
// request the lease in `granting` state. The lease row (with an expiry) exists before the target is touched.
import type { AuditEventDraft } from './audit-event.ts';
import type { LeaseId, RequestId } from './ids.ts';
import type { Lease } from './lease.ts';
import type { AccessAsk, PolicyDecision } from './policy.ts';
import type { Principal } from './principal.ts';
import type { AccessRequest } from './request.ts';
import type { Role } from './role.ts';

export interface OpenedRequest {
  readonly request: AccessRequest;
  readonly lease?: Lease;
  readonly events: readonly AuditEventDraft[];
}

export function openRequest(input: {
  readonly requestId: RequestId;
  readonly leaseId: LeaseId;
  readonly principal: Principal;
  readonly role: Role;
  readonly ask: AccessAsk;
  readonly decision: PolicyDecision;
  readonly now: Date;
  /** How long the caller owns the grant before a recovering worker may take it over. */
  readonly claimMs: number;
}): OpenedRequest {
  const { requestId, leaseId, principal, role, ask, decision, now } = input;
  const reason = ask.reason?.trim() ?? '';
  const ticket = ask.ticket?.trim() || undefined;
  const waits = decision.outcome === 'needs_approval';
  const startAt = decision.outcome === 'break_glass' ? undefined : decision.startAt;
  // A scheduled request is decided now but gets its lease when its start comes (the scheduler opens it).
  const grantsNow = !waits && startAt === undefined;
  const approval = decision.outcome === 'auto_approved' ? 'auto' : decision.outcome === 'break_glass' ? 'break_glass' : 'manual';
  const deadline = waits ? new Date(now.getTime() + decision.timeoutMs) : undefined;
  const limitExceeded = waits ? decision.limitExceeded : undefined;
  const request: AccessRequest = {
    id: requestId,
    version: 1,
    state: waits ? 'pending' : 'approved',
    principal: principal.id,
    role: role.name,
    connector: role.connector,
    durationMs: decision.durationMs,
    reason,
    ...(ticket ? { ticket } : {}),
    ...(ask.grantInput ? { grantInput: ask.grantInput } : {}),
    approval,
    createdAt: now,
    ...(startAt ? { startAt } : {}),
    ...(waits
      ? { approvalsRequired: decision.approvalsRequired, approvalDeadline: deadline, ...(limitExceeded ? { limitExceeded } : {}) }
      : { decidedAt: now, decidedBy: approval === 'break_glass' ? 'break-glass' : 'policy', ...(grantsNow ? { leaseId } : {}) }),
  };
  const created: AuditEventDraft = {
    type: 'request.created',
    at: now,
    actor: principal.id,
    requestId,
    data: {
      principal: principal.id,
      role: role.name,
      durationMs: decision.durationMs,
      reason,
      ...(ticket ? { ticket } : {}),
      ...(ask.grantInput ? { grantInput: ask.grantInput } : {}),
      approval,
      ...(startAt ? { startAt: startAt.toISOString() } : {}),
      ...(waits ? { approvalsRequired: decision.approvalsRequired, approvalDeadline: deadline?.toISOString() } : {}),
      ...(limitExceeded ? { limitExceeded } : {}),
    },
  };
  if (waits) return { request, events: [created] };

  const approved: AuditEventDraft = {
    type: 'request.approved',
    at: now,
    actor: approval === 'break_glass' ? principal.id : 'policy',
    requestId,
    ...(grantsNow ? { leaseId } : {}),
    data: { mode: approval, ...(startAt ? { startAt: startAt.toISOString() } : {}) },
  };
  if (!grantsNow) return { request, events: [created, approved] };
  const lease = newGrantingLease({ leaseId, request, role, now, claimMs: input.claimMs });
  return {
    request,
    lease,
    events: [created, approved, { type: 'lease.granting', at: now, actor: 'system', requestId, leaseId, data: { target: role.target, durationMs: decision.durationMs } }],
  };
}

/**
 * The lease of an approved request, in `granting`, owned by the caller for `claimMs`. Its expiry is
 * provisional (now + duration) until the grant is confirmed: the window starts then.
 */
export function newGrantingLease(input: { readonly leaseId: LeaseId; readonly request: AccessRequest; readonly role: Role; readonly now: Date; readonly claimMs: number }): Lease {
  const { leaseId, request, role, now } = input;
  return {
    id: leaseId,
    version: 1,
    state: 'granting',
    requestId: request.id,
    principal: request.principal,
    role: role.name,
    connector: role.connector,
    target: role.target,
    durationMs: request.durationMs,
    requestedAt: now,
    expiresAt: new Date(now.getTime() + request.durationMs),
    attempts: 0,
    claimedUntil: new Date(now.getTime() + input.claimMs),
    ...(request.approval === 'break_glass' ? { reviewRequired: true } : {}),
  };
}
