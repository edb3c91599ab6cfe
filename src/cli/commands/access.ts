// jitd request / cancel / extend / release / revoke / review / retry: asking for access, changing it and ending it.
import type { Command } from 'commander';
import type { LeaseView, RequestView } from '../../api/views.ts';
import { contextOf } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { emit, leaseBlock, targetText, when } from '../output.ts';
import { parseStartTime } from '../start-time.ts';

export function registerAccessCommands(program: Command): void {
  program
    .command('request')
    .description('ask for a role; an auto-approved request is granted before the command returns')
    .argument('<role>', 'the role to request (see `jitd roles`)')
    .option('--for <duration>', "how long, e.g. 30m, 1h, 1h30m (default: the role's default)")
    .option('--reason <text>', 'why you need it (required by most roles)')
    .option('--ticket <id>', 'change or incident ticket, when the role asks for one')
    .option('--start <time>', 'start later: 22:00 (next occurrence, local time), +2h, "in 30m", "2026-11-24 22:00" or ISO 8601; the window starts at the grant')
    .addHelpText('after', '\nExamples:\n  jitd request domain-admins --for 1h --reason "INC-4711 restore replication"\n  jitd request db-owner --start 22:00 --for 4h --reason "CHG-88 maintenance window"')
    .action(async (role: string, opts: { for?: string; reason?: string; ticket?: string; start?: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const startAt = opts.start === undefined ? undefined : parseStartTime(opts.start, new Date());
      const result = await client.post<{ request: RequestView; lease?: LeaseView }>('/v1/requests', {
        role,
        ...(opts.for ? { duration: opts.for } : {}),
        ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
        ...(opts.ticket !== undefined ? { ticket: opts.ticket } : {}),
        ...(startAt ? { startAt: startAt.toISOString() } : {}),
      });
      emit(format, result, () => requestOutcomeText(role, result));
    });

  program
    .command('cancel')
    .description('withdraw your pending or scheduled request (admins: anyone\'s)')
    .argument('<request>', 'request id (req-…)')
    .option('--reason <text>', 'optional note for the audit trail')
    .action(async (requestId: string, opts: { reason?: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const result = await client.post<{ request: RequestView }>(`/v1/requests/${encodeURIComponent(requestId)}/cancel`, opts.reason ? { reason: opts.reason } : {});
      emit(format, result, () => `Cancelled ${requestId} (${result.request.role} for ${result.request.principal}).`);
    });

  program
    .command('extend')
    .description('ask for more time on your active lease; the role\'s policy decides (at once, or approvers)')
    .argument('<lease>', 'lease id')
    .requiredOption('--by <duration>', 'how much longer, e.g. 30m, 1h')
    .option('--reason <text>', 'why (required by most roles)')
    .addHelpText('after', '\nA lease with its extensions never lasts longer than the role\'s maxExtendedDuration. SSH certificates\ncarry their end and cannot be extended: request the role again.\n\nExample:\n  jitd extend lease-… --by 30m --reason "restore still running"')
    .action(async (lease: string, opts: { by: string; reason?: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const result = await client.post<{ lease: LeaseView; request?: RequestView }>(`/v1/leases/${encodeURIComponent(lease)}/extend`, {
        by: opts.by,
        ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
      });
      emit(format, result, () => {
        const r = result.request;
        if (r) {
          return `Extension ${r.id} of ${lease} by ${r.duration} waits for ${r.approvalsRequired ?? 1} approval${r.approvalsRequired === 1 ? '' : 's'} before ${when(r.approvalDeadline)}${r.limitExceeded ? ` (${r.limitExceeded})` : ''}.\nThe lease still ends ${when(result.lease.expiresAt)} unless it is approved; follow it with: jitd show ${r.id}`;
        }
        return `Extended ${lease} by ${opts.by}: it now ends ${when(result.lease.expiresAt)}.\n${leaseBlock(result.lease)}`;
      });
    });

  program
    .command('review')
    .description('review a break-glass lease after the fact: accept its use, or refuse it (which ends access that still holds)')
    .argument('<lease>', 'lease id (see jitd status, or jitd leases --unreviewed)')
    .option('--accept', 'the use was justified')
    .option('--refuse', 'the use was not justified: access that still holds is revoked now')
    .option('--comment <text>', 'what you found (required to refuse)')
    .action(async (lease: string, opts: { accept?: boolean; refuse?: boolean; comment?: string }, command: Command) => {
      const { client, format } = contextOf(command);
      if (opts.accept === opts.refuse) throw new InvalidInputError('say --accept or --refuse (one of them)', [{ path: 'verdict', message: 'say --accept or --refuse' }]);
      const result = await client.post<{ lease: LeaseView }>(`/v1/leases/${encodeURIComponent(lease)}/review`, {
        verdict: opts.accept ? 'accepted' : 'refused',
        ...(opts.comment !== undefined ? { comment: opts.comment } : {}),
      });
      emit(format, result, () => {
        const l = result.lease;
        if (opts.accept) return `Reviewed ${lease}: accepted ${l.principal}'s break-glass use of ${l.role}.`;
        return `Reviewed ${lease}: refused. ${l.state === 'revoked' ? `${l.principal} no longer holds ${l.role}.` : l.state === 'revoke_failed' ? 'Revoking it failed; jitd keeps retrying.' : `The lease is ${l.state}.`}`;
      });
      if (result.lease.state === 'revoke_failed') process.exitCode = EXIT.target;
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

  program
    .command('retry')
    .description('admin: attempt a failing revocation now instead of waiting for the next scheduled retry')
    .argument('<lease>', 'lease id of a lease in revoke_failed or revoking (see jitd status)')
    .addHelpText(
      'after',
      '\nThe attempt is the one the scheduler makes, with the same audit events. When it fails again the lease shows the\nnew error and attempt count, the command exits 7, and the scheduler keeps retrying as before.\n\nExample:\n  jitd retry lease-…',
    )
    .action(async (lease: string, _opts: unknown, command: Command) => {
      const { client, format } = contextOf(command);
      const result = await client.post<{ lease: LeaseView }>(`/v1/leases/${encodeURIComponent(lease)}/retry`, {});
      emit(format, result, () => retriedText(result.lease));
      if (result.lease.state !== 'revoked') process.exitCode = EXIT.target;
    });
}

function retriedText(lease: LeaseView): string {
  if (lease.state === 'revoked') return `Retried ${lease.id}: revoked; ${lease.principal} no longer holds ${lease.role}.\n${leaseBlock(lease)}`;
  return `Retried ${lease.id}: the revocation failed again (attempt ${lease.attempts}): ${lease.lastError ?? 'unknown error'}\njitd keeps retrying; next attempt ${when(lease.nextAttemptAt)}.\n${leaseBlock(lease)}`;
}

function requestOutcomeText(role: string, result: { request: RequestView; lease?: LeaseView }): string {
  const r = result.request;
  const l = result.lease;
  if (l) {
    const loud = r.approval === 'break_glass' ? `BREAK-GLASS: granted without approval. Approvers and the security contacts have been told; someone will review this use.\n` : '';
    return `${loud}Granted ${l.role} to ${l.principal} (${targetText(l.target)}) for ${l.duration}.\n${leaseBlock(l)}\nEnd it early with: jitd release ${l.id}`;
  }
  if (r.state === 'approved' && r.startAt) {
    return `Request ${r.id} for ${role} is approved and scheduled: it is granted at ${when(r.startAt)} for ${r.duration}.\nCancel it before then with: jitd cancel ${r.id}`;
  }
  const why = r.limitExceeded ? ` The role is automatic, but ${r.limitExceeded}.` : '';
  return `Request ${r.id} for ${role} is ${r.state}: it needs ${r.approvalsRequired ?? 1} approval${r.approvalsRequired === 1 ? '' : 's'} before ${when(r.approvalDeadline)}.${why}\nApprovers see it with: jitd pending; follow it with: jitd show ${r.id}`;
}

function endedText(lease: LeaseView, verb: string): string {
  if (lease.state === 'revoked') return `${verb} ${lease.id}: ${lease.principal} no longer holds ${lease.role}.\n${leaseBlock(lease)}`;
  if (lease.state === 'revoke_failed') {
    return `${verb} ${lease.id}, but the target refused or was unreachable; jitd keeps retrying.\n${leaseBlock(lease)}`;
  }
  return `${lease.id} is ${lease.state}.\n${leaseBlock(lease)}`;
}
