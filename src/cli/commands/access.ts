// jitd request / release / revoke: asking for access and ending it.
import type { Command } from 'commander';
import type { LeaseView, RequestView } from '../../api/views.ts';
import { contextOf } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { emit, leaseBlock, targetText, when } from '../output.ts';

export function registerAccessCommands(program: Command): void {
  program
    .command('request')
    .description('ask for a role; an auto-approved request is granted before the command returns')
    .argument('<role>', 'the role to request (see `jitd roles`)')
    .option('--for <duration>', "how long, e.g. 30m, 1h, 1h30m (default: the role's default)")
    .option('--reason <text>', 'why you need it (required by most roles)')
    .option('--ticket <id>', 'change or incident ticket, when the role asks for one')
    .addHelpText('after', '\nExample:\n  jitd request domain-admins --for 1h --reason "INC-4711 restore replication"')
    .action(async (role: string, opts: { for?: string; reason?: string; ticket?: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const result = await client.post<{ request: RequestView; lease?: LeaseView }>('/v1/requests', {
        role,
        ...(opts.for ? { duration: opts.for } : {}),
        ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
        ...(opts.ticket !== undefined ? { ticket: opts.ticket } : {}),
      });
      emit(format, result, () => {
        if (!result.lease) {
          const r = result.request;
          return `Request ${r.id} for ${role} is ${r.state}: it needs ${r.approvalsRequired ?? 1} approval${r.approvalsRequired === 1 ? '' : 's'} before ${when(r.approvalDeadline)}.\nApprovers see it with: jitd pending; follow it with: jitd show ${r.id}`;
        }
        const l = result.lease;
        return `Granted ${l.role} to ${l.principal} (${targetText(l.target)}) for ${l.duration}.\n${leaseBlock(l)}\nEnd it early with: jitd release ${l.id}`;
      });
    });

  program
    .command('release')
    .description('end your own lease now (access is removed before the command returns)')
    .argument('<lease>', 'lease id')
    .option('--reason <text>', 'optional note for the audit trail')
    .action(async (lease: string, opts: { reason?: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const result = await client.post<{ lease: LeaseView }>(`/v1/leases/${encodeURIComponent(lease)}/release`, opts.reason ? { reason: opts.reason } : {});
      emit(format, result, () => endedText(result.lease, 'Released'));
      if (result.lease.state === 'revoke_failed') process.exitCode = EXIT.target;
    });

  program
    .command('revoke')
    .description("admin: end anyone's lease now, with a reason")
    .argument('<lease>', 'lease id')
    .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
    .action(async (lease: string, opts: { reason: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const result = await client.post<{ lease: LeaseView }>(`/v1/leases/${encodeURIComponent(lease)}/revoke`, { reason: opts.reason });
      emit(format, result, () => endedText(result.lease, 'Revoked'));
      if (result.lease.state === 'revoke_failed') process.exitCode = EXIT.target;
    });
}

function endedText(lease: LeaseView, verb: string): string {
  if (lease.state === 'revoked') return `${verb} ${lease.id}: ${lease.principal} no longer holds ${lease.role}.\n${leaseBlock(lease)}`;
  if (lease.state === 'revoke_failed') {
    return `${verb} ${lease.id}, but the target refused or was unreachable; jitd keeps retrying.\n${leaseBlock(lease)}`;
  }
  return `${lease.id} is ${lease.state}.\n${leaseBlock(lease)}`;
}
