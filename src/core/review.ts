// The after-the-fact review of a break-glass lease: someone other than its holder accepts the use or refuses
// it. A refusal of access that still holds takes it away at once. Pure: the engine passes in the lease, its
// request, the reviewer and whether they may review; this returns what to commit.
import type { AuditEventDraft } from './audit-event.ts';
import { ConflictError, ForbiddenError, InvalidInputError, type Issue } from './errors.ts';
import { beginRevocation, type Lease, type ReviewVerdict } from './lease.ts';
import { approverRefsMatching, MAX_COMMENT_LENGTH } from './approval.ts';
import type { Principal } from './principal.ts';
import type { AccessRequest } from './request.ts';
import type { Role } from './role.ts';

/** Who may review a break-glass lease of `role`: its approvers (when it names any) and admins, never the holder. */
export function mayReview(reviewer: Principal, isAdmin: boolean, lease: Lease, role: Role | undefined): boolean {
  if (reviewer.id === lease.principal) return false;
  if (isAdmin) return true;
  // `manager` is the requester's manager for approvals; a review is not tied to one requester's directory entry.
  return role !== undefined && approverRefsMatching(reviewer, role.approval, false).length > 0;
}

export interface ReviewOutcome {
  readonly lease: Lease;
  /** Set when a refusal ended access that still held: the request moves with the lease. */
  readonly request?: AccessRequest;
  /** True when the caller should run the revocation now (it claimed the lease in the same write). */
  readonly revoke: boolean;
  readonly events: readonly AuditEventDraft[];
}

export function reviewLease(input: {
  readonly lease: Lease;
  readonly request: AccessRequest;
  readonly role: Role | undefined;
  readonly reviewer: Principal;
  readonly isAdmin: boolean;
  readonly verdict: ReviewVerdict;
  readonly comment?: string;
  readonly now: Date;
  readonly claimUntil: Date;
}): ReviewOutcome {
  const { lease, reviewer, verdict, now } = input;
  const comment = input.comment?.trim() ?? '';
  if (!lease.reviewRequired) throw new ConflictError(`lease ${lease.id} is not a break-glass lease; it needs no review`);
  if (lease.review) throw new ConflictError(`lease ${lease.id} was already reviewed by ${lease.review.by} (${lease.review.verdict})`);
  if (reviewer.id === lease.principal) throw new ForbiddenError(`you cannot review your own break-glass lease ${lease.id}: a review needs someone else`);
  if (!mayReview(reviewer, input.isAdmin, lease, input.role)) {
    const approvers = input.role?.approval.mode === 'manual' ? `${input.role.approval.from.filter((r) => r !== 'manager').join(', ')} or an admin` : 'an admin';
    throw new ForbiddenError(`${reviewer.id} may not review lease ${lease.id} (reviewers: ${approvers})`);
  }
  const issues: Issue[] = [];
  if (verdict === 'refused' && comment === '') issues.push({ path: 'comment', message: 'refusing a break-glass use needs a comment saying why' });
  if (comment.length > MAX_COMMENT_LENGTH) issues.push({ path: 'comment', message: `must be at most ${MAX_COMMENT_LENGTH} characters` });
  if (issues.length > 0) throw InvalidInputError.of(issues);

  const reviewed: Lease = { ...lease, version: lease.version + 1, review: { by: reviewer.id, at: now, verdict, ...(comment ? { comment } : {}) } };
  const live = lease.state === 'active' || lease.state === 'granting';
  const event: AuditEventDraft = {
    type: 'lease.reviewed',
    at: now,
    actor: reviewer.id,
    requestId: lease.requestId,
    leaseId: lease.id,
    data: { verdict, ...(comment ? { comment } : {}), holder: lease.principal, stillActive: live },
  };
  if (verdict === 'accepted' || !live) return { lease: reviewed, revoke: false, events: [event] };
  // Refused while access holds: take it away now, in the same commit as the verdict.
  const ended = beginRevocation(input.request, { ...reviewed, version: lease.version }, { reason: 'revoked', actor: reviewer.id, now, note: `break-glass use refused in review: ${comment}`, claimUntil: input.claimUntil });
  return { lease: ended.lease, request: ended.request, revoke: true, events: [event, ...ended.events] };
}
