// Approval by people, as use cases: decide a pending request (approve or deny), list what waits for a
// caller, and expire requests nobody decided in time. The decision rules are in src/core/approval.ts; this
// file reads what they need, commits what they return, and grants the lease of an approved request.
import { approvalPolicyOf, decideRequest, expirePendingRequest, mayApprove, type Approval, type ApprovalDecision } from '../core/approval.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { LeaseId, RequestId } from '../core/ids.ts';
import type { AccessRequest } from '../core/request.ts';
import type { Role } from '../core/role.ts';
import type { Broker, RequestResult } from './broker.ts';
import type { Caller } from './caller.ts';
import type { EngineDeps } from './deps.ts';
import { record } from './record.ts';
import { grantOrCleanUp } from './target-ops.ts';

/** A request with the decisions it has so far. */
export interface PendingRequest {
  readonly request: AccessRequest;
  readonly approvals: readonly Approval[];
}

/** Concurrent decisions on one request conflict on its version; the loser reads again this many times. */
const DECISION_ATTEMPTS = 3;

export class ApprovalDesk {
  private readonly broker: Broker;

  constructor(broker: Broker) {
    this.broker = broker;
  }

  private get deps() {
    return this.broker.deps;
  }

  /** Approves or denies a pending request as `caller`; an approval that completes it grants the lease before returning. */
  async decide(caller: Caller, requestId: string, decision: ApprovalDecision, comment: string | undefined): Promise<RequestResult> {
    for (let attempt = 1; ; attempt++) {
      const request = await this.deps.store.getRequest(RequestId(requestId));
      if (!request) throw new NotFoundError(`no request ${requestId}`);
      const role = this.roleOf(request);
      const approvals = await this.deps.store.listApprovals(request.id);
      const extendedLease = request.extendsLease === undefined ? undefined : await this.deps.store.getLease(request.extendsLease);
      const outcome = decideRequest({
        request,
        role,
        approvals,
        approver: caller.principal,
        isRequestersManager: await this.isManager(caller, request, role),
        decision,
        ...(comment === undefined ? {} : { comment }),
        now: this.deps.clock.now(),
        leaseId: LeaseId(this.deps.newId('lease')),
        claimMs: this.deps.settings.claimMs,
        ...(extendedLease ? { extendedLease } : {}),
      });
      const decided = outcome.request.state === 'denied' ? 'request.denied' : outcome.request.state === 'approved' ? 'request.approved' : undefined;
      const outbox = decided === undefined ? [] : ((await this.deps.notify?.toRequester(decided, outcome.request, [...approvals, outcome.approval], outcome.approval.at)) ?? []);
      try {
        await record(this.deps, {
          updateRequests: [outcome.request],
          insertApprovals: [outcome.approval],
          insertOutbox: outbox,
          ...(outcome.lease ? { insertLeases: [outcome.lease] } : {}),
          ...(outcome.extendedLease ? { updateLeases: [outcome.extendedLease] } : {}),
          events: outcome.events,
        });
      } catch (error) {
        if (error instanceof ConflictError && attempt < DECISION_ATTEMPTS) continue;
        throw error;
      }
      if (!outcome.lease) return { request: outcome.request, ...(outcome.extendedLease ? { lease: outcome.extendedLease } : {}) };
      const granted = await grantOrCleanUp(this.deps, outcome.request, outcome.lease);
      if (!granted.ok) throw granted.error;
      return { request: granted.request, lease: granted.lease };
    }
  }

  /** Pending requests `caller` may decide and has not decided yet, oldest first. */
  async waitingFor(caller: Caller): Promise<readonly PendingRequest[]> {
    const pending = await this.deps.store.listRequests({ states: ['pending'], limit: 1000 });
    const mine: PendingRequest[] = [];
    for (const request of [...pending].reverse()) {
      const role = this.deps.roles.get(request.role);
      if (!role || !mayApprove(caller.principal, request, role, await this.isManager(caller, request, role))) continue;
      const approvals = await this.deps.store.listApprovals(request.id);
      if (approvals.some((a) => a.approver === caller.principal.id)) continue;
      mine.push({ request, approvals });
    }
    return mine;
  }

  /** A request and the decisions on it, for those who may see it (its requester, its approvers, admins and auditors). */
  async requestWithApprovals(caller: Caller, requestId: string): Promise<PendingRequest> {
    const request = await this.deps.store.getRequest(RequestId(requestId));
    const role = request && this.deps.roles.get(request.role);
    const visible =
      request !== undefined &&
      (request.principal === caller.principal.id || caller.isAdmin || caller.isAuditor || (role !== undefined && mayApprove(caller.principal, request, role, await this.isManager(caller, request, role))));
    if (!visible) throw new NotFoundError(`no request ${requestId}`);
    return { request, approvals: await this.deps.store.listApprovals(request.id) };
  }

  private roleOf(request: AccessRequest): Role {
    const role = this.deps.roles.get(request.role);
    if (!role) throw new ConflictError(`role ${request.role} of request ${request.id} is no longer configured; it cannot be decided`);
    return role;
  }

  /** Whether the role's directory names `caller` the requester's manager (only asked for roles that accept `manager`). */
  private async isManager(caller: Caller, request: AccessRequest, role: Role): Promise<boolean> {
    const policy = approvalPolicyOf(role, request);
    if (policy.mode !== 'manual' || !policy.from.includes('manager')) return false;
    const connector = this.deps.connectors.get(role.connector);
    if (!connector?.managerOf) return false;
    return (await connector.managerOf(request.principal)) === caller.principal.id;
  }
}

/** Ends pending requests past their deadline (the scheduler calls this every tick); returns how many. */
export async function expirePendingRequests(deps: EngineDeps, now: Date, limit: number): Promise<number> {
  const due = await deps.store.findExpiredPendingRequests(now, limit);
  let expired = 0;
  for (const request of due) {
    const outcome = expirePendingRequest(request, now);
    const outbox = (await deps.notify?.toRequester('request.expired', outcome.request, await deps.store.listApprovals(request.id), now)) ?? [];
    try {
      await record(deps, { updateRequests: [outcome.request], insertOutbox: outbox, events: outcome.events });
      expired++;
    } catch (error) {
      // Decided a moment ago by someone: that decision stands.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return expired;
}
