// jitd approve / deny / pending: deciding requests that wait for people (docs/approvals.md).
import type { Command } from 'commander';
import type { ApprovalView, LeaseView, RequestView } from '../../api/views.ts';
import { contextOf } from '../context.ts';
import { emit, leaseBlock, table, when } from '../output.ts';

type PendingView = RequestView & { approvals: ApprovalView[] };

export function registerApprovalCommands(program: Command): void {
  program
    .command('approve')
    .description('approve a pending request; the approval that completes it grants the access before the command returns')
    .argument('<request>', 'request id (req-…; see jitd pending)')
    .option('--comment <text>', 'optional note for the requester and the audit trail')
    .action(async (requestId: string, opts: { comment?: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const result = await client.post<{ request: RequestView; lease?: LeaseView }>(
        `/v1/requests/${encodeURIComponent(requestId)}/approve`,
        opts.comment === undefined ? {} : { comment: opts.comment },
      );
      emit(format, result, () => {
        if (result.lease) return `Approved ${requestId}: that was the last approval needed, so it is granted.\n${leaseBlock(result.lease)}`;
        return `Approved ${requestId}. It still waits for more approvals (${result.request.approvalsRequired ?? '?'} needed in all, before ${when(result.request.approvalDeadline)}).`;
      });
    });

  program
    .command('deny')
    .description('deny a pending request, saying why; the first denial ends it')
    .argument('<request>', 'request id (req-…; see jitd pending)')
    .requiredOption('--comment <text>', 'why (shown to the requester and kept in the audit trail)')
    .action(async (requestId: string, opts: { comment: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const result = await client.post<{ request: RequestView }>(`/v1/requests/${encodeURIComponent(requestId)}/deny`, { comment: opts.comment });
      emit(format, result, () => `Denied ${requestId} (${result.request.role} for ${result.request.principal}).`);
    });

  program
    .command('pending')
    .description('requests waiting for your decision, oldest first')
    .action(async (_opts: unknown, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<{ requests: PendingView[] }>('/v1/approvals/pending');
      emit(format, body, () =>
        body.requests.length === 0
          ? 'Nothing waits for your decision.'
          : table(
              ['REQUEST', 'WHO', 'ROLE', 'FOR', 'APPROVALS', 'DEADLINE', 'REASON'],
              body.requests.map((r) => [
                r.id,
                r.principal,
                r.role,
                r.duration,
                `${r.approvals.filter((a) => a.decision === 'approve').length}/${r.approvalsRequired ?? '?'}${r.approvals.length ? ` (${r.approvals.map((a) => a.approver).join(', ')})` : ''}`,
                when(r.approvalDeadline),
                r.reason || '-',
              ]),
            ),
      );
    });
}
