// jitd status / leases / requests / roles / whoami: what is going on, read from the API.
import type { Command } from 'commander';
import type { ApprovalView, LeaseView, RequestView } from '../../api/views.ts';
import { contextOf } from '../context.ts';
import { emit, leaseBlock, leaseRows, requestBlock, requestRows, table, targetText, when } from '../output.ts';

interface StatusBody {
  scope: 'own' | 'all';
  active: LeaseView[];
  revoking: LeaseView[];
  pending: RequestView[];
  scheduled: RequestView[];
  unreviewedBreakGlass: LeaseView[];
  counts?: Record<string, number>;
  standingAccess?: { checkedAt: string; findings: { role: string; holder: string; raw: string; firstSeenAt: string; removed: boolean }[]; errors: { role: string; error: string }[] };
}

interface RoleBody {
  name: string;
  description?: string;
  target: Record<string, string>;
  youAreEligible: boolean;
  approval: string;
  defaultDuration: string;
  maxDuration: string;
  requireReason: boolean;
  ticketPattern?: string;
  accessMayOutliveLease: { upTo: string; why: string } | null;
}

export function registerViewCommands(program: Command): void {
  program
    .command('status')
    .description('active access, revocations in trouble, pending requests (admins: everyone, plus standing access)')
    .action(async (_opts: unknown, command: Command) => {
      const { client, format } = contextOf(command);
      const status = await client.get<StatusBody>('/v1/status');
      emit(format, status, () => statusText(status));
    });

  program
    .command('leases')
    .description("list leases, newest first (your own; admins and auditors see everyone's)")
    .option('--state <states>', 'comma-separated: granting, active, revoking, revoke_failed, revoked')
    .option('--principal <id>', 'only this principal (admins, auditors)')
    .option('--role <name>', 'only this role')
    .option('--unreviewed', 'only break-glass leases nobody has reviewed yet')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .action(async (opts: { state?: string; principal?: string; role?: string; unreviewed?: boolean; limit: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<{ leases: LeaseView[] }>('/v1/leases', {
        state: opts.state,
        principal: opts.principal,
        role: opts.role,
        unreviewed: opts.unreviewed ? 'true' : undefined,
        limit: opts.limit,
      });
      emit(format, body, () => leaseRows(body.leases));
    });

  program
    .command('requests')
    .description("list requests, newest first (your own; admins and auditors see everyone's)")
    .option('--state <states>', 'comma-separated: pending, approved, active, expired, revoked, denied, cancelled, failed')
    .option('--principal <id>', 'only this principal (admins, auditors)')
    .option('--role <name>', 'only this role')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .action(async (opts: { state?: string; principal?: string; role?: string; limit: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<{ requests: RequestView[] }>('/v1/requests', { state: opts.state, principal: opts.principal, role: opts.role, limit: opts.limit });
      emit(format, body, () => requestRows(body.requests));
    });

  program
    .command('show')
    .description('one lease (lease-…) or request (req-…) in full')
    .argument('<id>', 'a lease or request id')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { client, format } = contextOf(command);
      if (id.startsWith('req-')) {
        const body = await client.get<{ request: RequestView; approvals: ApprovalView[] }>(`/v1/requests/${encodeURIComponent(id)}`);
        emit(format, body, () =>
          [
            requestBlock(body.request),
            ...body.approvals.map((a) => `  ${(a.decision === 'approve' ? 'approved' : 'denied').padEnd(10)} by ${a.approver} at ${when(a.at)}${a.comment ? `: ${a.comment}` : ''}`),
          ].join('\n'),
        );
      } else {
        const body = await client.get<{ lease: LeaseView }>(`/v1/leases/${encodeURIComponent(id)}`);
        emit(format, body, () => leaseBlock(body.lease));
      }
    });

  program
    .command('roles')
    .description('roles you may request, with their limits')
    .action(async (_opts: unknown, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<{ roles: RoleBody[] }>('/v1/roles');
      emit(format, body, () =>
        table(
          ['ROLE', 'ELIGIBLE', 'APPROVAL', 'DEFAULT', 'MAX', 'NEEDS', 'OUTLIVES LEASE', 'TARGET'],
          body.roles.map((r) => [
            r.name,
            r.youAreEligible ? 'yes' : 'no',
            r.approval,
            r.defaultDuration,
            r.maxDuration,
            [r.requireReason ? 'reason' : '', r.ticketPattern ? `ticket ${r.ticketPattern}` : ''].filter(Boolean).join(', ') || '-',
            // Worst case, e.g. Kerberos tickets issued during the lease (the reason is in -o json and the docs).
            r.accessMayOutliveLease ? `up to ${r.accessMayOutliveLease.upTo}` : 'no',
            targetText(r.target),
          ]),
        ) || 'no roles you may request',
      );
    });

  program
    .command('whoami')
    .description('who the token belongs to')
    .action(async (_opts: unknown, command: Command) => {
      const { client, format } = contextOf(command);
      const me = await client.get<{ principal: string; displayName?: string; groups: string[]; admin: boolean; auditor: boolean }>('/v1/me');
      const who = me.displayName && me.displayName !== me.principal ? `${me.displayName} (${me.principal})` : me.principal;
      emit(format, me, () => `${who}, groups: ${me.groups.join(', ') || 'none'}${me.admin ? ' [admin]' : ''}${me.auditor ? ' [auditor]' : ''}`);
    });
}

function statusText(s: StatusBody): string {
  const parts = [`Active access (${s.active.length}):`, leaseRows(s.active)];
  if (s.revoking.length) parts.push('', `Revocations in progress or failing (${s.revoking.length}):`, leaseRows(s.revoking));
  if (s.pending.length) parts.push('', `Pending requests (${s.pending.length}):`, requestRows(s.pending));
  if (s.scheduled.length) parts.push('', `Scheduled requests (${s.scheduled.length}):`, table(['REQUEST', 'WHO', 'ROLE', 'STARTS', 'FOR'], s.scheduled.map((r) => [r.id, r.principal, r.role, when(r.startAt), r.duration])));
  if (s.unreviewedBreakGlass.length) {
    parts.push('', `Break-glass leases waiting for review (${s.unreviewedBreakGlass.length}): review each with jitd review LEASE --accept|--refuse`, leaseRows(s.unreviewedBreakGlass));
  }
  if (s.counts) parts.push('', `Leases by state: ${Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (s.standingAccess) {
    const f = s.standingAccess.findings;
    parts.push('', `Standing access without a lease (checked ${when(s.standingAccess.checkedAt)}): ${f.length ? '' : 'none'}`);
    if (f.length) parts.push(table(['ROLE', 'HOLDER', 'SINCE', 'ACTION'], f.map((x) => [x.role, x.raw, when(x.firstSeenAt), x.removed ? 'removed' : 'reported'])));
    for (const e of s.standingAccess.errors) parts.push(`  problem with ${e.role}: ${e.error}`);
  }
  return parts.join('\n');
}
