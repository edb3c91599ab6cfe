// The one place where an AccessRequest becomes a `requests` row and back.
import type { Selectable } from 'kysely';
import type { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../../core/ids.ts';
import type { AccessRequest, GrantData, RequestState } from '../../core/request.ts';
import { dateField, field, msOrNull, orNull } from './row-values.ts';
import type { RequestsTable } from './schema.ts';

export function requestToRow(request: AccessRequest): RequestsTable {
  return {
    id: request.id,
    version: request.version,
    state: request.state,
    principal: request.principal,
    role: request.role,
    connector: request.connector,
    duration_ms: request.durationMs,
    reason: request.reason,
    ticket: orNull(request.ticket),
    approval: request.approval,
    created_at: request.createdAt.getTime(),
    decided_at: msOrNull(request.decidedAt),
    decided_by: orNull(request.decidedBy),
    lease_id: orNull(request.leaseId),
    outcome_note: orNull(request.outcomeNote),
    grant_input: request.grantInput ? JSON.stringify(request.grantInput) : null,
    approvals_required: request.approvalsRequired ?? null,
    approval_deadline: msOrNull(request.approvalDeadline),
    start_at: msOrNull(request.startAt),
    extends_lease: orNull(request.extendsLease),
    limit_exceeded: orNull(request.limitExceeded),
  };
}

export function requestFromRow(row: Selectable<RequestsTable>): AccessRequest {
  return {
    id: row.id as RequestId,
    version: row.version,
    state: row.state as RequestState,
    principal: row.principal as PrincipalId,
    role: row.role as RoleName,
    connector: row.connector as ConnectorName,
    durationMs: row.duration_ms,
    reason: row.reason,
    ...field('ticket', row.ticket),
    approval: row.approval as AccessRequest['approval'],
    createdAt: new Date(row.created_at),
    ...dateField('decidedAt', row.decided_at),
    ...field('decidedBy', row.decided_by),
    ...field('leaseId', row.lease_id as LeaseId | null),
    ...field('outcomeNote', row.outcome_note),
    ...(row.grant_input === null ? {} : { grantInput: JSON.parse(row.grant_input) as GrantData }),
    ...field('approvalsRequired', row.approvals_required),
    ...dateField('approvalDeadline', row.approval_deadline),
    ...dateField('startAt', row.start_at),
    ...field('extendsLease', row.extends_lease as LeaseId | null),
    ...field('limitExceeded', row.limit_exceeded),
  };
}

/** Set once, when the request is created; indexed, so updates leave them alone (see versioned-update.ts). */
export const REQUEST_FIXED_COLUMNS = ['principal', 'role', 'connector', 'created_at'] as const;
export const REQUEST_MUTABLE_COLUMNS = ['version', 'state', 'duration_ms', 'reason', 'ticket', 'approval', 'decided_at', 'decided_by', 'lease_id', 'outcome_note', 'grant_input', 'approvals_required', 'approval_deadline', 'start_at', 'extends_lease', 'limit_exceeded'] as const;
// Fails to compile if a column is added to the table without saying whether updates may change it.
type UnclassifiedRequestColumn = Exclude<keyof RequestsTable, 'id' | (typeof REQUEST_FIXED_COLUMNS)[number] | (typeof REQUEST_MUTABLE_COLUMNS)[number]>;
export const requestColumnsClassified: [UnclassifiedRequestColumn] extends [never] ? true : never = true;
