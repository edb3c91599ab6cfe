// The one place where a Lease becomes a `leases` row and back.
import type { Selectable } from 'kysely';
import type { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../../core/ids.ts';
import type { Lease, LeaseState, ReviewVerdict, RevokeReason } from '../../core/lease.ts';
import type { GrantData } from '../../core/request.ts';
import type { RoleTarget } from '../../core/role.ts';
import { dateField, field, msOrNull, orNull } from './row-values.ts';
import type { LeasesTable } from './schema.ts';

export function leaseToRow(lease: Lease): LeasesTable {
  return {
    id: lease.id,
    version: lease.version,
    state: lease.state,
    request_id: lease.requestId,
    principal: lease.principal,
    role: lease.role,
    connector: lease.connector,
    target: JSON.stringify(lease.target),
    duration_ms: lease.durationMs,
    requested_at: lease.requestedAt.getTime(),
    granted_at: msOrNull(lease.grantedAt),
    grant_confirmed_at: msOrNull(lease.grantConfirmedAt),
    expires_at: lease.expiresAt.getTime(),
    revoke_reason: orNull(lease.revokeReason),
    revoke_requested_at: msOrNull(lease.revokeRequestedAt),
    revoked_at: msOrNull(lease.revokedAt),
    revoke_confirmed_at: msOrNull(lease.revokeConfirmedAt),
    attempts: lease.attempts,
    last_error: orNull(lease.lastError),
    next_attempt_at: msOrNull(lease.nextAttemptAt),
    claimed_until: msOrNull(lease.claimedUntil),
    grant_record: lease.grantRecord ? JSON.stringify(lease.grantRecord) : null,
    review_required: lease.reviewRequired ? 1 : 0,
    reviewed_by: orNull(lease.review?.by),
    reviewed_at: msOrNull(lease.review?.at),
    review_verdict: orNull(lease.review?.verdict),
    review_comment: orNull(lease.review?.comment),
  };
}

export function leaseFromRow(row: Selectable<LeasesTable>): Lease {
  return {
    id: row.id as LeaseId,
    version: row.version,
    state: row.state as LeaseState,
    requestId: row.request_id as RequestId,
    principal: row.principal as PrincipalId,
    role: row.role as RoleName,
    connector: row.connector as ConnectorName,
    target: JSON.parse(row.target) as RoleTarget,
    durationMs: row.duration_ms,
    requestedAt: new Date(row.requested_at),
    ...dateField('grantedAt', row.granted_at),
    ...dateField('grantConfirmedAt', row.grant_confirmed_at),
    expiresAt: new Date(row.expires_at),
    ...field('revokeReason', row.revoke_reason as RevokeReason | null),
    ...dateField('revokeRequestedAt', row.revoke_requested_at),
    ...dateField('revokedAt', row.revoked_at),
    ...dateField('revokeConfirmedAt', row.revoke_confirmed_at),
    attempts: row.attempts,
    ...field('lastError', row.last_error),
    ...dateField('nextAttemptAt', row.next_attempt_at),
    ...dateField('claimedUntil', row.claimed_until),
    ...(row.grant_record === null ? {} : { grantRecord: JSON.parse(row.grant_record) as GrantData }),
    ...(row.review_required === 1 ? { reviewRequired: true } : {}),
    ...(row.reviewed_by === null || row.reviewed_at === null
      ? {}
      : {
          review: {
            by: row.reviewed_by as PrincipalId,
            at: new Date(row.reviewed_at),
            verdict: row.review_verdict as ReviewVerdict,
            ...field('comment', row.review_comment),
          },
        }),
  };
}

/** Set once, when the lease is created; indexed or a foreign key, so updates leave them alone (see versioned-update.ts). */
export const LEASE_FIXED_COLUMNS = ['request_id', 'principal', 'role', 'connector', 'requested_at'] as const;
export const LEASE_MUTABLE_COLUMNS = [
  'version',
  'state',
  'target',
  'duration_ms',
  'granted_at',
  'grant_confirmed_at',
  'expires_at',
  'revoke_reason',
  'revoke_requested_at',
  'revoked_at',
  'revoke_confirmed_at',
  'attempts',
  'last_error',
  'next_attempt_at',
  'claimed_until',
  'grant_record',
  'review_required',
  'reviewed_by',
  'reviewed_at',
  'review_verdict',
  'review_comment',
] as const;
// Fails to compile if a column is added to the table without saying whether updates may change it.
type UnclassifiedLeaseColumn = Exclude<keyof LeasesTable, 'id' | (typeof LEASE_FIXED_COLUMNS)[number] | (typeof LEASE_MUTABLE_COLUMNS)[number]>;
export const leaseColumnsClassified: [UnclassifiedLeaseColumn] extends [never] ? true : never = true;
