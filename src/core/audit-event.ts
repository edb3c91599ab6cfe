// What the core says happened. The store appends each draft to the hash chain in the same transaction
// as the state change it describes. Names are `noun.verb` in the past tense (docs/audit-events.md).
import type { LeaseId, RequestId } from './ids.ts';

export const AUDIT_EVENT_TYPES = [
  'request.created',
  'approval.given',
  'request.approved',
  'request.denied',
  'request.cancelled',
  'request.failed',
  'request.expired',
  'lease.granting',
  'lease.granted',
  'lease.grant_failed',
  'lease.expired',
  'lease.released',
  'lease.revoke_requested',
  'lease.revoked',
  'lease.revoke_failed',
  'lease.retry_requested',
  'lease.extended',
  'lease.reviewed',
  'session.recorded',
  'auth.signed_in',
  'auth.token_created',
  'auth.token_revoked',
  'reconcile.standing_access_found',
  'reconcile.standing_access_removed',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** `system` for the scheduler and reconciler; otherwise the principal id that acted. */
export type Actor = string;

export interface AuditEventDraft {
  readonly type: AuditEventType;
  readonly at: Date;
  readonly actor: Actor;
  readonly requestId?: RequestId;
  readonly leaseId?: LeaseId;
  /** JSON-serialisable details: never secrets. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** An event as stored: chained to the one before it. */
export interface AuditEvent extends AuditEventDraft {
  readonly seq: number;
  readonly id: string;
  readonly prevHash: string;
  readonly hash: string;
}
