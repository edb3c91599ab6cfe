// Changes to a lease after its grant, as use cases: the holder extends it (through the role's policy), and
// someone else reviews a break-glass lease after the fact (a refusal takes access away at once). The rules
// are pure functions in src/core/extension.ts and src/core/review.ts; this file reads and commits.
import { ConflictError, NotFoundError } from '../core/errors.ts';
import { evaluateExtension, extendLease, openExtensionRequest, type ExtensionAsk } from '../core/extension.ts';
import { LeaseId, RequestId } from '../core/ids.ts';
import type { Lease, ReviewVerdict } from '../core/lease.ts';
import type { AccessRequest } from '../core/request.ts';
import { reviewLease } from '../core/review.ts';
import type { Broker } from './broker.ts';
import { canSeeAll, type Caller } from './caller.ts';
import { record } from './record.ts';
import { connectorFor, runRevocation } from './target-ops.ts';

export interface ExtensionResult {
  /** The lease as it is now: extended, or unchanged while the extension waits for approvers. */
  readonly lease: Lease;
  /** The extension request that waits for approvers (absent when extended at once). */
  readonly request?: AccessRequest;
}

export class LeaseDesk {
  private readonly broker: Broker;

  constructor(broker: Broker) {
    this.broker = broker;
  }

  private get deps() {
    return this.broker.deps;
  }

  /** The holder asks for more time: extended at once when the role is automatic, otherwise a pending extension request. */
  async extend(caller: Caller, leaseId: string, ask: ExtensionAsk): Promise<ExtensionResult> {
    const lease = await this.visibleLease(caller, leaseId);
    const role = this.deps.roles.get(lease.role);
    if (!role) throw new ConflictError(`role ${lease.role} is no longer configured; lease ${lease.id} cannot be extended`);
    const now = this.deps.clock.now();
    const decision = evaluateExtension({
      principal: caller.principal,
      role,
      lease,
      ask,
      history: await this.broker.usageOf(lease.principal, role, now),
      nativeExpiry: connectorFor(this.deps, lease).capabilities.nativeExpiry,
      now,
    });
    if (decision.outcome === 'extend_now') {
      const extended = extendLease(lease, { byMs: decision.byMs, reason: decision.reason, actor: caller.principal.id, approvedBy: 'policy', now });
      await record(this.deps, { updateLeases: [extended.lease], events: extended.events });
      return { lease: extended.lease };
    }
    const opened = openExtensionRequest({ requestId: RequestId(this.deps.newId('req')), lease, decision, now });
    const outbox = (await this.deps.notify?.approvalRequested(opened.request, role, now)) ?? [];
    await record(this.deps, { insertRequests: [opened.request], insertOutbox: outbox, events: opened.events });
    return { lease, request: opened.request };
  }

  /** Accepts or refuses the use of a break-glass lease; a refusal of access that still holds revokes it now. */
  async review(caller: Caller, leaseId: string, verdict: ReviewVerdict, comment: string | undefined): Promise<Lease> {
    const lease = await this.deps.store.getLease(LeaseId(leaseId));
    // Reviewers are not always admins or auditors: a role's approvers review its break-glass leases.
    if (!lease) throw new NotFoundError(`no lease ${leaseId}`);
    const request = await this.deps.store.getRequest(lease.requestId);
    if (!request) throw new NotFoundError(`request ${lease.requestId} of lease ${lease.id} is missing`);
    const now = this.deps.clock.now();
    const outcome = reviewLease({
      lease,
      request,
      role: this.deps.roles.get(lease.role),
      reviewer: caller.principal,
      isAdmin: caller.isAdmin,
      verdict,
      ...(comment === undefined ? {} : { comment }),
      now,
      claimUntil: new Date(now.getTime() + this.deps.settings.claimMs),
    });
    await record(this.deps, { updateLeases: [outcome.lease], ...(outcome.request ? { updateRequests: [outcome.request] } : {}), events: outcome.events });
    return outcome.revoke ? runRevocation(this.deps, outcome.lease) : outcome.lease;
  }

  /** Break-glass leases nobody has reviewed yet, newest first (admins and auditors see all, others their own). */
  async unreviewed(caller: Caller, limit: number): Promise<readonly Lease[]> {
    return this.deps.store.listLeases({ unreviewed: true, limit, ...(canSeeAll(caller) ? {} : { principal: caller.principal.id }) });
  }

  private async visibleLease(caller: Caller, id: string): Promise<Lease> {
    const lease = await this.deps.store.getLease(LeaseId(id));
    if (!lease || (!canSeeAll(caller) && lease.principal !== caller.principal.id)) throw new NotFoundError(`no lease ${id}`);
    return lease;
  }
}
