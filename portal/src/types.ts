// The JSON the portal reads from jitd's API (src/api/views.ts on the server): the wire contract, written
// out here because the browser build must not pull in server code.

export interface Me {
  readonly principal: string;
  readonly displayName?: string;
  readonly groups: readonly string[];
  readonly admin: boolean;
  readonly auditor: boolean;
  readonly csrfToken?: string;
}

export interface RoleView {
  readonly name: string;
  readonly description?: string;
  readonly connector: string;
  readonly eligible: readonly string[];
  readonly youAreEligible: boolean;
  /** "auto", "break-glass" or e.g. "2 of group:security within 4h". */
  readonly approval: string;
  readonly breakGlass: boolean;
  readonly maxExtendedDuration: string;
  readonly limits?: { readonly maxActivations?: string; readonly maxTotalDuration?: string; readonly whenExceeded: string };
  readonly defaultDuration: string;
  readonly maxDuration: string;
  readonly requireReason: boolean;
  readonly ticketPattern?: string;
  readonly enforce: boolean;
  readonly accessMayOutliveLease: { readonly upTo: string; readonly why: string } | null;
}

export type LeaseState = 'granting' | 'active' | 'revoking' | 'revoke_failed' | 'revoked';

export interface LeaseView {
  readonly id: string;
  readonly state: LeaseState | string;
  readonly requestId: string;
  readonly principal: string;
  readonly role: string;
  readonly connector: string;
  readonly duration: string;
  readonly durationMs: number;
  readonly requestedAt?: string;
  readonly grantedAt?: string;
  readonly grantConfirmedAt?: string;
  readonly expiresAt?: string;
  readonly timeLeftMs: number;
  readonly timeLeft?: string;
  readonly revokeReason?: string;
  readonly revokeRequestedAt?: string;
  readonly revokedAt?: string;
  readonly revokeConfirmedAt?: string;
  readonly attempts: number;
  readonly lastError?: string;
  readonly nextAttemptAt?: string;
  readonly reviewRequired: boolean;
  readonly review?: { readonly by: string; readonly at: string; readonly verdict: 'accepted' | 'refused'; readonly comment?: string };
}

export interface RequestView {
  readonly id: string;
  readonly state: string;
  readonly principal: string;
  readonly role: string;
  readonly duration: string;
  readonly durationMs: number;
  readonly reason?: string;
  readonly ticket?: string;
  readonly approval: 'auto' | 'manual' | 'break_glass' | string;
  readonly createdAt?: string;
  readonly decidedAt?: string;
  readonly decidedBy?: readonly string[] | string;
  readonly leaseId?: string;
  readonly outcomeNote?: string;
  readonly approvalsRequired?: number;
  readonly approvalDeadline?: string;
  readonly startAt?: string;
  readonly extendsLease?: string;
  readonly limitExceeded?: string;
}

export interface ApprovalView {
  readonly approver: string;
  readonly decision: 'approve' | 'deny' | string;
  readonly comment?: string;
  readonly at: string;
}

export interface PendingApproval extends RequestView {
  readonly approvals: readonly ApprovalView[];
}

export interface StandingFinding {
  readonly role: string;
  readonly connector: string;
  readonly holder: string;
  readonly raw: string;
  readonly firstSeenAt: string;
  readonly removed: boolean;
}

export interface StatusView {
  readonly scope: 'own' | 'all';
  readonly at: string;
  readonly active: readonly LeaseView[];
  readonly revoking: readonly LeaseView[];
  readonly pending: readonly RequestView[];
  readonly scheduled: readonly RequestView[];
  readonly unreviewedBreakGlass: readonly LeaseView[];
  readonly counts?: Readonly<Record<string, number>>;
  readonly standingAccess?: {
    readonly checkedAt: string;
    readonly findings: readonly StandingFinding[];
    readonly errors: readonly { readonly role: string; readonly error: string }[];
  };
}

export interface AuditEventView {
  readonly seq: number;
  readonly type: string;
  readonly at: string;
  readonly actor: string;
  readonly requestId?: string;
  readonly leaseId?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface ApprovalStats {
  readonly count: number;
  readonly medianMs: number | null;
  readonly p90Ms: number | null;
}
type ApprovalTimeValue = { readonly auto: ApprovalStats; readonly manual: ApprovalStats; readonly break_glass: ApprovalStats };
interface UtilizationValue {
  readonly jitGrants: number;
  readonly standingHolders: number;
  readonly utilizationPercent: number | null;
}
interface RevocationValue {
  readonly total: number;
  readonly firstTry: number;
  readonly within1s: number;
  readonly within1m: number;
  readonly stillFailing: number;
  readonly firstTryPercent: number | null;
  readonly within1sPercent: number | null;
  readonly within1mPercent: number | null;
  readonly stillFailingPercent: number | null;
}

export interface KpiReport {
  readonly period: { readonly since: string; readonly until: string };
  readonly standingAccess: {
    readonly baseline: number;
    readonly current: number;
    readonly reductionPercent: number | null;
    readonly series: readonly { readonly day: string; readonly standing: number | null }[];
  };
  readonly utilization: UtilizationValue & { readonly series: readonly ({ readonly day: string } & UtilizationValue)[] };
  readonly approvalTime: ApprovalTimeValue & { readonly series: readonly ({ readonly day: string } & ApprovalTimeValue)[] };
  readonly revocation: RevocationValue & { readonly series: readonly ({ readonly day: string } & RevocationValue)[] };
  readonly topRoles: readonly { readonly role: string; readonly requests: number }[];
  readonly alwaysOnCandidates: number;
}

/** jitd's error body: `{ error: { kind, message, issues? } }`. */
export interface ApiErrorBody {
  readonly error: { readonly kind: string; readonly message: string; readonly issues?: readonly { readonly path: string; readonly message: string }[] };
}

/** GET /v1/audit: one page; `next` is the `beforeSeq` of the following page (order=desc), absent on the last. */
export interface AuditSearchResult {
  readonly events: readonly AuditEventView[];
  readonly next?: number;
}

/** GET /v1/audit/verify (docs/audit-events.md, "What audit verify detects"). */
export interface AuditVerifyResult {
  readonly ok: boolean;
  readonly count: number;
  readonly head?: { readonly seq: number; readonly hash: string };
  readonly problem?: { readonly seq: number; readonly id?: string; readonly kind: string; readonly message: string };
}
