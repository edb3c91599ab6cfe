// The access request: who asked for what, why, and what was decided. Transitions are a table;
// anything the table does not allow is refused with IllegalTransitionError.
import type { AuditEventDraft } from './audit-event.ts';
import { ConflictError, IllegalTransitionError } from './errors.ts';
import type { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from './ids.ts';

export const REQUEST_STATES = ['pending', 'approved', 'active', 'expired', 'revoked', 'denied', 'cancelled', 'failed'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];

export const REQUEST_TRANSITIONS: { readonly [From in RequestState]: readonly RequestState[] } = {
  // pending → failed: an extension approved after its lease ended cannot apply.
  pending: ['approved', 'denied', 'cancelled', 'expired', 'failed'],
  approved: ['active', 'failed', 'cancelled'],
  active: ['expired', 'revoked'],
  expired: [],
  revoked: [],
  denied: [],
  cancelled: [],
  failed: [],
};

export const TERMINAL_REQUEST_STATES: readonly RequestState[] = REQUEST_STATES.filter((s) => REQUEST_TRANSITIONS[s].length === 0);

export interface AccessRequest {
  readonly id: RequestId;
  readonly version: number;
  readonly state: RequestState;
  readonly principal: PrincipalId;
  readonly role: RoleName;
  readonly connector: ConnectorName;
  readonly durationMs: number;
  readonly reason: string;
  readonly ticket?: string;
  /** How it was decided: by policy, by people, or granted at once as break-glass (reviewed afterwards). */
  readonly approval: RequestApproval;
  readonly createdAt: Date;
  readonly decidedAt?: Date;
  readonly decidedBy?: string;
  readonly leaseId?: LeaseId;
  /** Why it failed, was denied or cancelled. */
  readonly outcomeNote?: string;
  /**
   * What the requester handed in for the target, checked by the role's connector (e.g. `{ publicKey }` for an
   * SSH certificate). Kept with the request so that a grant run later (recovery, approval) has it.
   */
  readonly grantInput?: GrantData;
  /** For requests that wait for people: how many distinct approvals they need, and until when. */
  readonly approvalsRequired?: number;
  readonly approvalDeadline?: Date;
  /** A scheduled request: not granted before this time; the window starts at the grant. */
  readonly startAt?: Date;
  /** An extension request: the lease it lengthens, by `durationMs`. It has no lease of its own. */
  readonly extendsLease?: LeaseId;
  /** Why a request for an automatic role waits for people: the usage limit it went past. */
  readonly limitExceeded?: string;
}

export const REQUEST_APPROVALS = ['auto', 'manual', 'break_glass'] as const;
export type RequestApproval = (typeof REQUEST_APPROVALS)[number];

/** Plain text fields a connector reads or produces for one grant (what goes in, what comes out). */
export type GrantData = Readonly<Record<string, string>>;

export function canMoveRequest(from: RequestState, to: RequestState): boolean {
  return REQUEST_TRANSITIONS[from].includes(to);
}

/** Returns the request in its new state with its version bumped; the store writes it with a version check. */
export function moveRequest(request: AccessRequest, to: RequestState, changes: Partial<Omit<AccessRequest, 'id' | 'version' | 'state'>> = {}): AccessRequest {
  if (!canMoveRequest(request.state, to)) throw new IllegalTransitionError('request', request.state, to);
  return { ...request, ...changes, state: to, version: request.version + 1 };
}

/**
 * The requester withdraws a request that has not been granted: one waiting for approvers, or a scheduled one
 * whose start has not come. Anything else is refused with the reason.
 */
export function cancelRequest(request: AccessRequest, input: { readonly actor: string; readonly now: Date; readonly note?: string }): { request: AccessRequest; events: readonly AuditEventDraft[] } {
  const scheduled = request.state === 'approved' && request.leaseId === undefined && request.extendsLease === undefined;
  if (request.state !== 'pending' && !scheduled) {
    const hint = request.leaseId !== undefined ? ` (its access is lease ${request.leaseId}: release that instead)` : '';
    throw new ConflictError(`request ${request.id} is ${request.state}; only a pending or scheduled request can be cancelled${hint}`);
  }
  const note = input.note?.trim();
  return {
    request: moveRequest(request, 'cancelled', { outcomeNote: note || `cancelled by ${input.actor}` }),
    events: [{ type: 'request.cancelled', at: input.now, actor: input.actor, requestId: request.id, data: { was: scheduled ? 'scheduled' : 'pending', ...(note ? { note } : {}) } }],
  };
}
