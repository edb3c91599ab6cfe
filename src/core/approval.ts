// Approval by people: who may decide a pending request, and what each decision does. Pure: the engine
// passes in the request, the decisions so far, the approver and whether the directory names them the
// requester's manager; this returns the records and audit events to commit together.
import type { AuditEventDraft } from './audit-event.ts';
import { ConflictError, ForbiddenError, InvalidInputError, InvariantError } from './errors.ts';
import type { LeaseId, PrincipalId, RequestId } from './ids.ts';
import { newGrantingLease } from './open-request.ts';
import type { Lease } from './lease.ts';
import { matchesSubject, type Principal } from './principal.ts';
import { moveRequest, type AccessRequest } from './request.ts';
import type { ApprovalPolicy, ApproverRef, Role } from './role.ts';
import { extendLease } from './extension.ts';

export const APPROVAL_DECISIONS = ['approve', 'deny'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/** One person's decision on one request. */
export interface Approval {
  readonly requestId: RequestId;
  readonly approver: PrincipalId;
  readonly decision: ApprovalDecision;
  readonly comment?: string;
  readonly at: Date;
}

export const MAX_COMMENT_LENGTH = 1_000;

/**
 * The approval a request waits for: its role's, or, for a request that went past a usage limit, the limit's
 * `whenExceeded` (so an automatic role's over-limit request has approvers too).
 */
export function approvalPolicyOf(role: Role, request: AccessRequest): ApprovalPolicy {
  const instead = role.limits?.whenExceeded;
  return request.limitExceeded !== undefined && instead?.mode === 'manual' ? instead : role.approval;
}

/** The approver refs of a request's policy that name this principal (`manager` only when the directory says so). */
export function approverRefsMatching(principal: Principal, policy: ApprovalPolicy, isRequestersManager: boolean): readonly ApproverRef[] {
  if (policy.mode !== 'manual') return [];
  return policy.from.filter((ref) => (ref === 'manager' ? isRequestersManager : matchesSubject(principal, ref)));
}

export function mayApprove(principal: Principal, request: AccessRequest, role: Role, isRequestersManager: boolean): boolean {
  return principal.id !== request.principal && approverRefsMatching(principal, approvalPolicyOf(role, request), isRequestersManager).length > 0;
}

export interface DecisionOutcome {
  readonly request: AccessRequest;
  readonly approval: Approval;
  /** Present when this approval was the last one needed: the lease to grant now. */
  readonly lease?: Lease;
  /** Present when this approval completed an extension request: the extended lease to write. */
  readonly extendedLease?: Lease;
  readonly events: readonly AuditEventDraft[];
}

/**
 * Records `approver`'s decision on a pending request. Refuses (with the message the caller sees): a request
 * that is no longer pending, one's own request, someone who is not an approver of the role, a second vote by
 * the same person, a denial without a comment. The first denial ends the request; the approval that brings
 * the count of distinct approvers to the required number approves it and opens its lease (the lease's window
 * starts when the grant is confirmed, never at request time).
 */
export function decideRequest(input: {
  readonly request: AccessRequest;
  readonly role: Role;
  readonly approvals: readonly Approval[];
  readonly approver: Principal;
  readonly isRequestersManager: boolean;
  readonly decision: ApprovalDecision;
  readonly comment?: string;
  readonly now: Date;
  readonly leaseId: LeaseId;
  readonly claimMs: number;
  /** For an extension request: the lease it extends, as stored now. */
  readonly extendedLease?: Lease;
}): DecisionOutcome {
  const { request, role, approvals, approver, decision, now } = input;
  const policy = approvalPolicyOf(role, request);
  const comment = input.comment?.trim() ?? '';
  const verb = decision === 'approve' ? 'approve' : 'deny';
  if (request.state !== 'pending') {
    throw new ConflictError(`request ${request.id} is already ${request.state}${request.decidedBy ? ` (decided by ${request.decidedBy})` : ''}; nothing to ${verb}`);
  }
  if (policy.mode !== 'manual') throw new InvariantError(`request ${request.id} is pending but role ${role.name} has automatic approval`);
  if (approver.id === request.principal) {
    throw new ForbiddenError(`you cannot ${verb} your own request ${request.id}: approval needs someone else${decision === 'deny' ? ' (to withdraw it, cancel it)' : ''}`);
  }
  const refs = approverRefsMatching(approver, policy, input.isRequestersManager);
  if (refs.length === 0) {
    const which = request.limitExceeded !== undefined && policy !== role.approval ? ` past its usage limits` : '';
    throw new ForbiddenError(`${approver.id} is not an approver of role ${role.name}${which} (approvers: ${policy.from.join(', ')})`);
  }
  if (approvals.some((a) => a.approver === approver.id)) {
    throw new ConflictError(`${approver.id} already approved request ${request.id}; each approver counts once`);
  }
  const issues = [];
  if (decision === 'deny' && comment === '') issues.push({ path: 'comment', message: 'a denial needs a comment saying why' });
  if (comment.length > MAX_COMMENT_LENGTH) issues.push({ path: 'comment', message: `must be at most ${MAX_COMMENT_LENGTH} characters` });
  if (issues.length > 0) throw InvalidInputError.of(issues);

  const approval: Approval = { requestId: request.id, approver: approver.id, decision, ...(comment ? { comment } : {}), at: now };
  const as = refs.join(', ');
  if (decision === 'deny') {
    const denied = moveRequest(request, 'denied', { decidedAt: now, decidedBy: approver.id, outcomeNote: comment });
    return {
      request: denied,
      approval,
      events: [{ type: 'request.denied', at: now, actor: approver.id, requestId: request.id, data: { approver: approver.id, as, comment } }],
    };
  }

  const approvers = [...approvals.filter((a) => a.decision === 'approve').map((a) => a.approver), approver.id];
  const required = policy.required;
  const given: AuditEventDraft = {
    type: 'approval.given',
    at: now,
    actor: approver.id,
    requestId: request.id,
    data: { approver: approver.id, as, ...(comment ? { comment } : {}), approvals: approvers.length, required },
  };
  if (approvers.length < required) {
    // Still pending: the version bump records that something happened, so a concurrent decision conflicts.
    return { request: { ...request, version: request.version + 1 }, approval, events: [given] };
  }
  const decided = { decidedAt: now, decidedBy: approvers.join(',') };
  const approvedEvent = (leaseId: LeaseId | undefined, extra: Record<string, unknown> = {}): AuditEventDraft => ({
    type: 'request.approved',
    at: now,
    actor: approver.id,
    requestId: request.id,
    ...(leaseId ? { leaseId } : {}),
    data: { mode: 'manual', approvers, ...extra },
  });

  if (request.extendsLease !== undefined) {
    const lease = input.extendedLease;
    if (lease === undefined || lease.id !== request.extendsLease) throw new InvariantError(`extension request ${request.id} was decided without its lease ${request.extendsLease}`);
    if (lease.state !== 'active' || lease.expiresAt.getTime() <= now.getTime()) {
      // Approved too late: the access already ended. The approvals stand; the extension cannot apply.
      const note = `lease ${lease.id} ended before the extension was approved`;
      const failed = moveRequest(request, 'failed', { ...decided, leaseId: lease.id, outcomeNote: note });
      return { request: failed, approval, events: [given, { type: 'request.failed', at: now, actor: 'system', requestId: request.id, leaseId: lease.id, data: { error: note } }] };
    }
    const extended = extendLease(lease, { byMs: request.durationMs, reason: request.reason, actor: approver.id, approvedBy: approvers.join(','), requestId: request.id, now });
    return {
      request: moveRequest(request, 'approved', { ...decided, leaseId: lease.id }),
      approval,
      extendedLease: extended.lease,
      events: [given, approvedEvent(lease.id, { extendsLease: lease.id }), ...extended.events],
    };
  }
  if (request.startAt !== undefined && request.startAt.getTime() > now.getTime()) {
    // Scheduled: the scheduler opens the lease when the start comes.
    return { request: moveRequest(request, 'approved', decided), approval, events: [given, approvedEvent(undefined, { startAt: request.startAt.toISOString() })] };
  }
  const approved = moveRequest(request, 'approved', { ...decided, leaseId: input.leaseId });
  const lease = newGrantingLease({ leaseId: input.leaseId, request: approved, role, now, claimMs: input.claimMs });
  return {
    request: approved,
    approval,
    lease,
    events: [
      given,
      approvedEvent(lease.id),
      { type: 'lease.granting', at: now, actor: 'system', requestId: request.id, leaseId: lease.id, data: { target: role.target, durationMs: request.durationMs } },
    ],
  };
}

/** A pending request whose approval deadline has passed: it ends `expired`, and nobody can approve it any more. */
export function expirePendingRequest(request: AccessRequest, now: Date): { request: AccessRequest; events: readonly AuditEventDraft[] } {
  if (request.state !== 'pending') throw new ConflictError(`request ${request.id} is ${request.state}, not pending`);
  const expired = moveRequest(request, 'expired', { decidedAt: now, decidedBy: 'system', outcomeNote: 'no decision before the approval deadline' });
  return {
    request: expired,
    events: [
      {
        type: 'request.expired',
        at: now,
        actor: 'system',
        requestId: request.id,
        data: { deadline: request.approvalDeadline?.toISOString() ?? now.toISOString(), approvalsRequired: request.approvalsRequired ?? 0 },
      },
    ],
  };
}
