// The one place where an Approval becomes an `approvals` row and back.
import type { Selectable } from 'kysely';
import type { ApprovalDecision, Approval } from '../../core/approval.ts';
import type { PrincipalId, RequestId } from '../../core/ids.ts';
import { field } from './row-values.ts';
import type { ApprovalsTable } from './schema.ts';

export function approvalToRow(approval: Approval): ApprovalsTable {
  return {
    request_id: approval.requestId,
    approver: approval.approver,
    decision: approval.decision,
    comment: approval.comment ?? null,
    at: approval.at.getTime(),
  };
}

export function approvalFromRow(row: Selectable<ApprovalsTable>): Approval {
  return {
    requestId: row.request_id as RequestId,
    approver: row.approver as PrincipalId,
    decision: row.decision as ApprovalDecision,
    ...field('comment', row.comment),
    at: new Date(row.at),
  };
}
