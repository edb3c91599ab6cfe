// The store interface. Engines (SQLite now, PostgreSQL later) implement it; nothing above the store knows
// which one it talks to. The one way to change state is `commit`: the records and the audit events that
// describe the change are written in one transaction, with optimistic version checks.
import type { AccessToken, Person } from '../core/access-token.ts';
import type { Approval } from '../core/approval.ts';
import type { DeliveryState, OutboxMessage } from '../core/outbox.ts';
import type { AuditEvent, AuditEventDraft, AuditEventType } from '../core/audit-event.ts';
import type { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../core/ids.ts';
import type { Lease, LeaseState } from '../core/lease.ts';
import type { AccessRequest, RequestState } from '../core/request.ts';
import type { SessionRecording } from '../core/session-recording.ts';

export interface ChangeSet {
  readonly insertRequests?: readonly AccessRequest[];
  readonly insertLeases?: readonly Lease[];
  /** Each value carries its new version; the row is updated only if its stored version is `version - 1`. */
  readonly updateRequests?: readonly AccessRequest[];
  readonly updateLeases?: readonly Lease[];
  /** SSH session transcripts, each with its bytes. */
  /** Notifications to deliver once this commit holds (the notifier sends them). */
  readonly insertOutbox?: readonly OutboxMessage[];
  /** Decisions of approvers; the primary key (request, approver) refuses a second one by the same person. */
  readonly insertApprovals?: readonly Approval[];
  /** Tokens jitd issued (their creation is audited by the events of the same commit). */
  readonly insertAccessTokens?: readonly AccessToken[];
  /** Tokens ended early: sets revokedAt on each id (no-op for one already revoked). */
  readonly revokeAccessTokens?: readonly { readonly id: string; readonly revokedAt: Date }[];
  readonly insertSessionRecordings?: readonly { readonly recording: SessionRecording; readonly content: Uint8Array }[];
  readonly events: readonly AuditEventDraft[];
}

export interface LeaseFilter {
  readonly states?: readonly LeaseState[];
  readonly principal?: PrincipalId;
  readonly role?: RoleName;
  /** Only leases requested at or after this time. */
  readonly requestedSince?: Date;
  /** Only leases requested before this time (to page back: pass the oldest `requestedAt` of the last page). */
  readonly requestedBefore?: Date;
  /** Only break-glass leases nobody has reviewed yet. */
  readonly unreviewed?: boolean;
  readonly limit?: number;
}

export interface RequestFilter {
  readonly states?: readonly RequestState[];
  readonly principal?: PrincipalId;
  readonly role?: RoleName;
  /** Only requests created at or after this time. */
  readonly createdSince?: Date;
  /** Only requests created before this time (to page back: pass the oldest `createdAt` of the last page). */
  readonly createdBefore?: Date;
  readonly limit?: number;
}

/** Leases with work due at `now`, for the scheduler. Each list is ordered oldest-due first. */
export interface DueWork {
  /** `active` leases whose expiresAt ≤ now. */
  readonly expired: readonly Lease[];
  /** `revoking` leases, and `revoke_failed` ones whose nextAttemptAt ≤ now, not claimed by someone else. */
  readonly revocations: readonly Lease[];
  /** `granting` leases whose claim ran out: their worker died mid-grant. */
  readonly abandonedGrants: readonly Lease[];
}

export interface LeaseCounts {
  readonly byState: Readonly<Record<LeaseState, number>>;
  /**
   * Leases whose access should have ended more than `overdueAfterMs` ago: `revoking`/`revoke_failed` ones by
   * their revoke request (or expiry), and `active` ones by their expiry (the scheduler is not keeping up).
   */
  readonly overdueRevocations: number;
  /** Break-glass leases (in any state) that nobody has reviewed yet. */
  readonly unreviewedBreakGlass: number;
}

/** Which audit events: every filter given must match. Shared by listing and export. */
export interface AuditFilter {
  readonly requestId?: RequestId;
  readonly leaseId?: LeaseId;
  /**
   * Events this principal did (the actor) or that are about them: the principal of the event's lease or
   * request, or for events without one, the `principal` (auth.*) or `holder` (reconcile.*) in its data.
   */
  readonly principal?: PrincipalId;
  /** Events about this role: its lease's or request's role, or the `role` in its data (reconcile.*). */
  readonly role?: RoleName;
  /** Only events of these types; an empty list matches none. */
  readonly types?: readonly AuditEventType[];
  /** Only events at or after this time (the event's `at`). */
  readonly since?: Date;
  /** Only events before this time: with `since`, the half-open window [since, until). */
  readonly until?: Date;
}

export interface AuditQuery extends AuditFilter {
  /** Only events after this sequence number (exclusive); 0 for the beginning. */
  readonly afterSeq?: number;
  /** Only events before this sequence number (exclusive): to page back newest-first, the last page's smallest seq. */
  readonly beforeSeq?: number;
  /** `asc` (default): chain order, oldest first; `desc`: newest first. */
  readonly order?: 'asc' | 'desc';
  readonly limit?: number;
}

/** The raw stored row of an audit event, as verification needs it. */
export interface StoredAuditRow {
  readonly seq: number;
  readonly id: string;
  readonly prevHash: string;
  readonly hash: string;
  /** The canonical JSON that was hashed, exactly as stored. */
  readonly body: string;
}

/** One reconciler count for one role: the standing-access KPI's history (docs/kpis.md). */
export interface StandingAccessCount {
  readonly role: RoleName;
  readonly at: Date;
  /** Holders of the role's target with no live lease (after any removal by an enforced role). */
  readonly standing: number;
  /** Holders explained by a live lease. */
  readonly leased: number;
}

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export interface Store {
  /** Applies every change and appends every event in one transaction; throws ConflictError on a version mismatch. */
  commit(change: ChangeSet): Promise<readonly AuditEvent[]>;
  getRequest(id: RequestId): Promise<AccessRequest | undefined>;
  getLease(id: LeaseId): Promise<Lease | undefined>;
  listRequests(filter?: RequestFilter): Promise<readonly AccessRequest[]>;
  listLeases(filter?: LeaseFilter): Promise<readonly Lease[]>;
  findDueWork(now: Date, limit: number): Promise<DueWork>;
  /** Leases whose access may still be in the target (`granting`, `active`, `revoking`, `revoke_failed`): the reconciler's expected holders. */
  listLiveLeases(): Promise<readonly Lease[]>;
  countLeases(now: Date, overdueAfterMs: number): Promise<LeaseCounts>;
  listAuditEvents(query?: AuditQuery): Promise<readonly AuditEvent[]>;
  /** Stored audit rows in sequence order: every one for `audit verify`, or those matching `filter` (an export of a search). */
  readAuditRows(filter?: AuditFilter): AsyncIterable<StoredAuditRow>;
  auditHead(): Promise<AuditHead | undefined>;
  /** The decisions on a request, oldest first. */
  listApprovals(requestId: RequestId): Promise<readonly Approval[]>;
  /** Pending requests whose approval deadline is at or before `now`, oldest deadline first. */
  findExpiredPendingRequests(now: Date, limit: number): Promise<readonly AccessRequest[]>;
  /** Approved requests with a scheduled start at or before `now` and no lease yet, earliest start first. */
  findDueScheduledRequests(now: Date, limit: number): Promise<readonly AccessRequest[]>;
  /** Pending messages due at `now` (never tried, or their retry time has come), oldest first. */
  findDueOutbox(now: Date, limit: number): Promise<readonly OutboxMessage[]>;
  /** Records a delivery attempt's result (not audited: delivery state, shown by GET /v1/notifications). */
  saveOutboxMessage(message: OutboxMessage): Promise<void>;
  /** Messages newest first, optionally in some states. */
  listOutbox(filter: { readonly states?: readonly DeliveryState[]; readonly limit?: number }): Promise<readonly OutboxMessage[]>;
  /** Messages by state (for metrics and status). */
  countOutbox(): Promise<Readonly<Record<DeliveryState, number>>>;
  /** A lease's recorded sessions, oldest first, without their transcripts. */
  listSessionRecordings(leaseId: LeaseId): Promise<readonly SessionRecording[]>;
  /** One recorded session and its transcript. */
  readSessionRecording(id: string): Promise<{ readonly recording: SessionRecording; readonly content: Uint8Array } | undefined>;
  /** The stored token with this SHA-256 (expired and revoked ones too: the caller decides). */
  findAccessToken(tokenSha256: string): Promise<AccessToken | undefined>;
  getAccessToken(id: string): Promise<AccessToken | undefined>;
  /** Tokens newest first; by default only those neither expired nor revoked at `now`. */
  listAccessTokens(filter: { readonly principal?: PrincipalId; readonly kind?: AccessToken['kind']; readonly includeEnded?: boolean; readonly now: Date; readonly limit?: number }): Promise<readonly AccessToken[]>;
  /** Records a token's last use (not audited: a statistic, written at most about once a minute per token). */
  touchAccessToken(id: string, at: Date): Promise<void>;
  /** Inserts or replaces what jitd knows of a person (not audited: a cache of the provider's facts). */
  upsertPerson(person: Person): Promise<void>;
  getPerson(principal: PrincipalId): Promise<Person | undefined>;
  listPeople(): Promise<readonly Person[]>;
  /** Keeps reconciler counts (not audited: statistics; the findings themselves are audit events). */
  recordStandingAccess(rows: readonly StandingAccessCount[]): Promise<void>;
  /** Reconciler counts, oldest first, optionally within [since, before). */
  listStandingAccess(filter: { readonly since?: Date; readonly before?: Date; readonly limit?: number }): Promise<readonly StandingAccessCount[]>;
  /** Each role's first count: the first inventory. */
  firstStandingAccess(): Promise<readonly StandingAccessCount[]>;
  /** What a connector wrote with `writeConnectorMemo`, by key (empty for a connector that never wrote). */
  readConnectorMemo(connector: ConnectorName): Promise<ReadonlyMap<string, string>>;
  /** Keeps one fact a connector learnt (inserted or replaced); not audited: it is a cache, never a decision. */
  writeConnectorMemo(connector: ConnectorName, key: string, value: string, at: Date): Promise<void>;
  close(): Promise<void>;
}
