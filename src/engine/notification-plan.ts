// Who is told what, as outbox messages written in the same commit as the change they report: approvers
// when a request waits for them, the requester when it is approved, denied or expired, and every webhook
// that takes the event. Addresses come from the people jitd knows (OIDC sign-ins, config identities).
import type { NotificationsConfig, TokenIdentity } from '../config/types.ts';
import { approvalPolicyOf, type Approval } from '../core/approval.ts';
import type { Lease } from '../core/lease.ts';
import type { PrincipalId } from '../core/ids.ts';
import type { OutboxMessage } from '../core/outbox.ts';
import { matchesSubject } from '../core/principal.ts';
import type { AccessRequest } from '../core/request.ts';
import type { ApproverRef, Role } from '../core/role.ts';
import type { Notification, NotificationEvent } from '../notify/notification.ts';
import type { EngineDeps } from './deps.ts';

interface Contact {
  readonly principal: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly groups: readonly string[];
}

export interface NotificationPlan {
  /** Approvers of a request that now waits for them (the requester excluded). */
  approvalRequested(request: AccessRequest, role: Role, now: Date): Promise<readonly OutboxMessage[]>;
  /** Approvers of the role and the security contacts: someone took a break-glass role. */
  breakGlassGranted(request: AccessRequest, role: Role, now: Date): Promise<readonly OutboxMessage[]>;
  /** The security contacts: a lease's access could not be taken away and jitd keeps retrying. */
  revocationFailing(lease: Lease, now: Date): Promise<readonly OutboxMessage[]>;
  /** The requester, about their request's outcome. */
  toRequester(event: Extract<NotificationEvent, 'request.approved' | 'request.denied' | 'request.expired'>, request: AccessRequest, approvals: readonly Approval[], now: Date): Promise<readonly OutboxMessage[]>;
}

export function notificationPlan(
  deps: Pick<EngineDeps, 'store' | 'connectors' | 'newId'>,
  options: { readonly config: NotificationsConfig; readonly publicUrl: string; readonly identities: readonly TokenIdentity[] },
): NotificationPlan {
  const { config, publicUrl } = options;

  /** Everyone jitd can reach: signed-in people (fresher) over config identities. */
  const contacts = async (): Promise<Map<string, Contact>> => {
    const all = new Map<string, Contact>();
    for (const t of options.identities) all.set(t.principal, { principal: t.principal, ...(t.displayName ? { displayName: t.displayName } : {}), ...(t.email ? { email: t.email } : {}), groups: t.groups });
    for (const p of await deps.store.listPeople()) {
      const configured = all.get(p.principal);
      all.set(p.principal, {
        principal: p.principal,
        ...(p.displayName ?? configured?.displayName ? { displayName: p.displayName ?? configured?.displayName } : {}),
        ...(p.email ?? configured?.email ? { email: p.email ?? configured?.email } : {}),
        groups: p.groups,
      });
    }
    return all;
  };

  const requestPart = async (request: AccessRequest, approvals: readonly Approval[], people: Map<string, Contact>) => {
    const denial = approvals.find((a) => a.decision === 'deny');
    const name = people.get(request.principal)?.displayName;
    return {
      id: request.id,
      principal: request.principal,
      ...(name ? { principalName: name } : {}),
      role: request.role,
      reason: request.reason,
      ...(request.ticket ? { ticket: request.ticket } : {}),
      durationMs: request.durationMs,
      approvalsRequired: request.approvalsRequired ?? 0,
      approvals: approvals.filter((a) => a.decision === 'approve').map((a) => ({ by: a.approver, at: a.at.toISOString(), ...(a.comment ? { comment: a.comment } : {}) })),
      ...(denial ? { denial: { by: denial.approver, at: denial.at.toISOString(), comment: denial.comment ?? '' } } : {}),
    };
  };

  /** One e-mail to `to` (when e-mail is configured and anyone has an address) and one message per webhook that takes the event. */
  const messages = (make: (id: string) => Notification, event: NotificationEvent, to: readonly string[], now: Date): OutboxMessage[] => {
    const out: OutboxMessage[] = [];
    const base = { createdAt: now, state: 'pending' as const, attempts: 0 };
    if (config.email && to.length > 0) {
      const id = deps.newId('ntf');
      out.push({ ...base, id, channel: 'email', recipients: [...new Set(to)].sort(), notification: make(id) });
    }
    for (const hook of config.webhooks) {
      if (hook.events && !hook.events.includes(event)) continue;
      const id = deps.newId('ntf');
      out.push({ ...base, id, channel: `webhook:${hook.name}`, recipients: [], notification: make(id) });
    }
    return out;
  };

  const requestLink = (id: string) => `${publicUrl}/requests/${encodeURIComponent(id)}`;
  const leaseLink = (id: string) => `${publicUrl}/leases/${encodeURIComponent(id)}`;

  /** The e-mail addresses of the people `refs` names for this request (the requester excluded). */
  const approverEmails = async (refs: readonly ApproverRef[], request: AccessRequest, role: Role, people: Map<string, Contact>): Promise<string[]> => {
    let manager: PrincipalId | undefined;
    if (refs.includes('manager')) manager = await deps.connectors.get(role.connector)?.managerOf?.(request.principal).catch(() => undefined);
    const approvers = [...people.values()].filter(
      (p) => p.principal !== request.principal && refs.some((ref) => (ref === 'manager' ? p.principal === manager : matchesSubject({ id: p.principal as PrincipalId, groups: p.groups }, ref))),
    );
    return approvers.flatMap((p) => (p.email ? [p.email] : []));
  };

  return {
    async approvalRequested(request, role, now) {
      const policy = approvalPolicyOf(role, request);
      if (policy.mode !== 'manual') return [];
      const people = await contacts();
      const to = await approverEmails(policy.from, request, role, people);
      const part = await requestPart(request, [], people);
      const link = requestLink(request.id);
      return messages(
        (id) => ({ id, event: 'approval.requested', occurredAt: now.toISOString(), request: part, links: { view: link, approve: `${link}?decide=approve`, deny: `${link}?decide=deny` } }),
        'approval.requested',
        to,
        now,
      );
    },

    async breakGlassGranted(request, role, now) {
      const people = await contacts();
      const approvers = role.approval.mode === 'manual' ? await approverEmails(role.approval.from, request, role, people) : [];
      const part = await requestPart(request, [], people);
      const leaseId = request.leaseId ?? '';
      const lease = { id: leaseId, principal: request.principal, role: request.role, expiresAt: new Date(now.getTime() + request.durationMs).toISOString() };
      return messages(
        (id) => ({ id, event: 'breakglass.granted', occurredAt: now.toISOString(), request: part, lease, links: { view: leaseLink(leaseId) } }),
        'breakglass.granted',
        [...approvers, ...config.securityContacts],
        now,
      );
    },

    async revocationFailing(lease, now) {
      const part = { id: lease.id, principal: lease.principal, role: lease.role, expiresAt: lease.expiresAt.toISOString(), ...(lease.lastError ? { lastError: lease.lastError } : {}) };
      return Promise.resolve(
        messages((id) => ({ id, event: 'revocation.failing', occurredAt: now.toISOString(), lease: part, links: { view: leaseLink(lease.id) } }), 'revocation.failing', config.securityContacts, now),
      );
    },

    async toRequester(event, request, approvals, now) {
      const people = await contacts();
      const email = people.get(request.principal)?.email;
      const part = await requestPart(request, approvals, people);
      return messages((id) => ({ id, event, occurredAt: now.toISOString(), request: part, links: { view: requestLink(request.id) } }), event, email ? [email] : [], now);
    },
  };
}
