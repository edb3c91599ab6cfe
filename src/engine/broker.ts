// The broker's use cases: ask for a role, release or revoke a lease, and read what one may see.
// Order matters and is the point of this file: the request and lease rows (with an expiry) and their audit
// events are committed first; only then is the target touched.
import { ForbiddenError, InvalidInputError, NotFoundError } from '../core/errors.ts';
import { LeaseId, RequestId, RoleName, type PrincipalId } from '../core/ids.ts';
import { beginRevocation, type Lease } from '../core/lease.ts';
import { openRequest } from '../core/open-request.ts';
import { evaluateAsk, isEligible, type AccessAsk } from '../core/policy.ts';
import { cancelRequest, type AccessRequest } from '../core/request.ts';
import type { ResidualAccess } from '../connectors/connector.ts';
import type { Role } from '../core/role.ts';
import { longestWindowMs } from '../core/usage-limits.ts';
import type { LeaseFilter, RequestFilter } from '../store/store.ts';
import { canSeeAll, type Caller } from './caller.ts';
import type { EngineDeps } from './deps.ts';
import { record } from './record.ts';
import { grantOrCleanUp, runRevocation } from './target-ops.ts';

export interface RequestResult {
  readonly request: AccessRequest;
  readonly lease?: Lease;
}

/** A role as a caller sees it: may they ask for it, and how long access can outlive a lease of it. */
export type VisibleRole = Role & {
  readonly callerEligible: boolean;
  readonly residualAccess: ResidualAccess | undefined;
};

/** Leases read to check usage limits: more than any sensible activation count. */
const MAX_USAGE_HISTORY = 1000;

export class Broker {
  readonly deps: EngineDeps;

  constructor(deps: EngineDeps) {
    this.deps = deps;
  }

  /** Roles the caller may request (admins and auditors see every role). */
  visibleRoles(caller: Caller): readonly VisibleRole[] {
    return [...this.deps.roles.values()]
      .map((role) => ({
        ...role,
        callerEligible: isEligible(caller.principal, role),
        residualAccess: this.deps.connectors.get(role.connector)?.residualAccess?.(role.target),
      }))
      .filter((role) => role.callerEligible || canSeeAll(caller));
  }

  role(caller: Caller, name: string): Role {
    const role = this.deps.roles.get(RoleName(name));
    if (!role) {
      const mine = this.visibleRoles(caller).filter((r) => r.callerEligible).map((r) => r.name);
      throw new NotFoundError(`unknown role "${name}" (roles you may request: ${mine.length ? mine.join(', ') : 'none'})`);
    }
    return role;
  }

  /**
   * Asks for a role. An auto-approved request is granted before this returns; a grant the target refuses or
   * cannot confirm leaves a failed request (and a lease being cleaned up), and the error is thrown.
   */
  async requestAccess(caller: Caller, roleName: string, ask: AccessAsk): Promise<RequestResult> {
    const role = this.role(caller, roleName);
    const now = this.deps.clock.now();
    const decision = evaluateAsk(caller.principal, role, ask, { now, history: await this.usageOf(caller.principal.id, role, now) });
    this.checkGrantInput(role, ask);
    const opened = openRequest({
      requestId: RequestId(this.deps.newId('req')),
      leaseId: LeaseId(this.deps.newId('lease')),
      principal: caller.principal,
      role,
      ask,
      decision,
      now,
      claimMs: this.deps.settings.claimMs,
    });
    const notify = this.deps.notify;
    const outbox =
      opened.request.state === 'pending'
        ? ((await notify?.approvalRequested(opened.request, role, now)) ?? [])
        : opened.request.approval === 'break_glass'
          ? ((await notify?.breakGlassGranted(opened.request, role, now)) ?? [])
          : [];
    await record(this.deps, { insertRequests: [opened.request], insertLeases: opened.lease ? [opened.lease] : [], insertOutbox: outbox, events: opened.events });
    // Pending (waits for people) or scheduled (the scheduler grants it when its start comes).
    if (!opened.lease) return { request: opened.request };

    const outcome = await grantOrCleanUp(this.deps, opened.request, opened.lease);
    if (!outcome.ok) throw outcome.error;
    return { request: outcome.request, lease: outcome.lease };
  }

  /** The principal's recent leases of the role, as far back as its usage limits look (none without limits). */
  async usageOf(principal: PrincipalId, role: Role, now: Date): Promise<readonly Lease[]> {
    if (!role.limits) return [];
    const since = new Date(now.getTime() - longestWindowMs(role.limits));
    return this.deps.store.listLeases({ principal, role: role.name, requestedSince: since, limit: MAX_USAGE_HISTORY });
  }

  /** What the requester hands in must suit the role's connector (e.g. a usable SSH public key), before anything is recorded. */
  private checkGrantInput(role: Role, ask: AccessAsk): void {
    const connector = this.deps.connectors.get(role.connector);
    const input = ask.grantInput;
    const problems = connector?.validateGrantInput
      ? connector.validateGrantInput(role.target, input)
      : input && Object.keys(input).length > 0
        ? [`role ${role.name} takes no ${Object.keys(input).join(', ')}`]
        : [];
    if (problems.length > 0) {
      throw InvalidInputError.of(problems.map((message) => ({ path: Object.keys(input ?? {})[0] ?? 'grantInput', message })));
    }
  }

  /** Withdraws one's own pending or scheduled request (admins: anyone's). */
  async cancel(caller: Caller, requestId: string, note?: string): Promise<AccessRequest> {
    const request = await this.getRequest(caller, requestId);
    if (request.principal !== caller.principal.id && !caller.isAdmin) throw new ForbiddenError(`request ${requestId} belongs to ${request.principal}; only its requester or an admin can cancel it`);
    const t = cancelRequest(request, { actor: caller.principal.id, now: this.deps.clock.now(), ...(note ? { note } : {}) });
    await record(this.deps, { updateRequests: [t.request], events: t.events });
    return t.request;
  }

  /** Ends one's own lease early. */
  async release(caller: Caller, leaseId: string, note?: string): Promise<Lease> {
    const lease = await this.visibleLease(caller, leaseId);
    if (lease.principal !== caller.principal.id) throw new ForbiddenError(`lease ${leaseId} belongs to ${lease.principal}; only its holder can release it (admins: use revoke)`);
    return this.endLease(lease, { reason: 'released', actor: caller.principal.id, ...(note ? { note } : {}) });
  }

  /** An admin takes someone's access away. */
  async revoke(caller: Caller, leaseId: string, reason: string): Promise<Lease> {
    if (!caller.isAdmin) throw new ForbiddenError('only admins can revoke leases (holders can release their own)');
    if (!reason.trim()) throw new InvalidInputError('reason: revoking a lease requires a reason', [{ path: 'reason', message: 'revoking a lease requires a reason' }]);
    const lease = await this.visibleLease(caller, leaseId);
    return this.endLease(lease, { reason: 'revoked', actor: caller.principal.id, note: reason });
  }

  private async endLease(lease: Lease, how: { reason: 'released' | 'revoked'; actor: string; note?: string }): Promise<Lease> {
    if (lease.state !== 'active' && lease.state !== 'granting') {
      // Already ending or ended: say so rather than pretend, but it is not an error worth failing a script on.
      return lease;
    }
    const request = await this.deps.store.getRequest(lease.requestId);
    if (!request) throw new NotFoundError(`request ${lease.requestId} of lease ${lease.id} is missing`);
    const now = this.deps.clock.now();
    const t = beginRevocation(request, lease, { ...how, now, claimUntil: new Date(now.getTime() + this.deps.settings.claimMs) });
    await record(this.deps, { updateRequests: [t.request], updateLeases: [t.lease], events: t.events });
    return runRevocation(this.deps, t.lease);
  }

  async getLease(caller: Caller, id: string): Promise<Lease> {
    return this.visibleLease(caller, id);
  }

  async getRequest(caller: Caller, id: string): Promise<AccessRequest> {
    const request = await this.deps.store.getRequest(RequestId(id));
    if (!request || (!canSeeAll(caller) && request.principal !== caller.principal.id)) throw new NotFoundError(`no request ${id}`);
    return request;
  }

  async listLeases(caller: Caller, filter: LeaseFilter): Promise<readonly Lease[]> {
    return this.deps.store.listLeases(canSeeAll(caller) ? filter : { ...filter, principal: caller.principal.id });
  }

  async listRequests(caller: Caller, filter: RequestFilter): Promise<readonly AccessRequest[]> {
    return this.deps.store.listRequests(canSeeAll(caller) ? filter : { ...filter, principal: caller.principal.id });
  }

  /** Someone else's lease is "not found" to a caller who may not see it: ids are not confirmed to strangers. */
  private async visibleLease(caller: Caller, id: string): Promise<Lease> {
    const lease = await this.deps.store.getLease(LeaseId(id));
    if (!lease || (!canSeeAll(caller) && lease.principal !== caller.principal.id)) throw new NotFoundError(`no lease ${id}`);
    return lease;
  }
}
