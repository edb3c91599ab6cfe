// What differs between SQL engines, as data. Query code in this folder is shared; it reads these flags
// instead of asking which engine it runs on.

export interface StoreCapabilities {
  /** Several jitd instances may share the store: due rows can be claimed with FOR UPDATE SKIP LOCKED. */
  readonly supportsSkipLocked: boolean;
}

export interface SqlDialectTraits {
  readonly name: 'sqlite' | 'postgres';
  readonly capabilities: StoreCapabilities;
  /** Column type of audit_events.seq: in SQLite `integer primary key` makes it the rowid itself. */
  readonly seqType: 'integer' | 'bigint';
  /** Column type of binary values (SQLite blob, PostgreSQL bytea). */
  readonly bytesType: 'blob' | 'bytea';
  /**
   * Lock the audit head row with SELECT … FOR UPDATE before appending. SQLite has no row locks and needs
   * none: its transactions start with BEGIN IMMEDIATE, so one writer at a time holds the whole database.
   */
  readonly lockHeadForUpdate: boolean;
}
