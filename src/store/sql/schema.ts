// The tables as Kysely sees them, shared by every SQL engine. Times are integer milliseconds since the
// epoch (SQLite INTEGER, PostgreSQL bigint: a PostgreSQL driver must be told to parse int8 as a number).
// Optional domain fields are NULL columns; JSON values are text.

export interface RequestsTable {
  id: string;
  version: number;
  state: string;
  principal: string;
  role: string;
  connector: string;
  duration_ms: number;
  reason: string;
  ticket: string | null;
  approval: string;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
  lease_id: string | null;
  outcome_note: string | null;
  /** GrantData as JSON text. */
  grant_input: string | null;
  approvals_required: number | null;
  approval_deadline: number | null;
  start_at: number | null;
  extends_lease: string | null;
  limit_exceeded: string | null;
}

export interface LeasesTable {
  id: string;
  version: number;
  state: string;
  request_id: string;
  principal: string;
  role: string;
  connector: string;
  /** RoleTarget as JSON text. */
  target: string;
  duration_ms: number;
  requested_at: number;
  granted_at: number | null;
  grant_confirmed_at: number | null;
  expires_at: number;
  revoke_reason: string | null;
  revoke_requested_at: number | null;
  revoked_at: number | null;
  revoke_confirmed_at: number | null;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  claimed_until: number | null;
  /** GrantData as JSON text. */
  grant_record: string | null;
  /** 1 for a break-glass lease that must be reviewed. */
  review_required: number;
  reviewed_by: string | null;
  reviewed_at: number | null;
  review_verdict: string | null;
  review_comment: string | null;
}

export interface StandingAccessTable {
  role: string;
  at: number;
  standing: number;
  leased: number;
}

/**
 * Every column except seq, prev_hash, hash and the search keys is part of the hashed body (src/audit/chain.ts).
 * The search keys (principal, role) are derived when the event is appended (audit-subject.ts), for searching
 * only: readers never see them, so everything an event shows stays covered by the hash.
 */
export interface AuditEventsTable {
  seq: number;
  id: string;
  at: number;
  type: string;
  actor: string;
  request_id: string | null;
  lease_id: string | null;
  /** Canonical JSON text of the event's data. */
  data: string;
  prev_hash: string;
  hash: string;
  /** The principal the event is about (search key, not hashed). */
  principal: string | null;
  /** The role the event is about (search key, not hashed). */
  role: string | null;
}

/** One row (id = 1): the newest event's seq and hash, updated with every append. seq 0 = empty chain. */
export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** What a connector learnt about its target and must keep across restarts (e.g. an AD group's GUID). */
export interface ConnectorMemoTable {
  connector: string;
  key: string;
  value: string;
  updated_at: number;
}

/** An SSH session a host reported for a lease; `content` is the transcript's bytes. */
export interface SessionRecordingsTable {
  id: string;
  lease_id: string;
  received_at: number;
  started_at: number;
  ended_at: number;
  ended_by: string;
  host: string;
  login: string;
  command: string | null;
  terminal: number;
  uploaded_from: string;
  bytes: number;
  sha256: string;
  truncated: number;
  content: Uint8Array;
}

/** AccessToken rows (src/core/access-token.ts); groups and scopes are JSON arrays as text. */
export interface AccessTokensTable {
  id: string;
  kind: string;
  token_sha256: string;
  principal: string;
  display_name: string | null;
  email: string | null;
  groups: string;
  scopes: string;
  description: string | null;
  created_at: number;
  created_by: string;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

/** Person rows; groups is a JSON array as text. */
export interface PeopleTable {
  principal: string;
  display_name: string | null;
  email: string | null;
  groups: string;
  source: string;
  seen_at: number;
}

/** One person's decision on one request (src/core/approval.ts). */
export interface ApprovalsTable {
  request_id: string;
  approver: string;
  decision: string;
  comment: string | null;
  at: number;
}

/** OutboxMessage rows (src/core/outbox.ts); recipients and notification are JSON text. */
export interface OutboxTable {
  id: string;
  created_at: number;
  channel: string;
  recipients: string;
  notification: string;
  state: string;
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  sent_at: number | null;
  detail: string | null;
}

export interface JitdDatabase {
  outbox: OutboxTable;
  approvals: ApprovalsTable;
  access_tokens: AccessTokensTable;
  people: PeopleTable;
  session_recordings: SessionRecordingsTable;
  connector_memo: ConnectorMemoTable;
  requests: RequestsTable;
  standing_access: StandingAccessTable;
  leases: LeasesTable;
  audit_events: AuditEventsTable;
  audit_head: AuditHeadTable;
}
