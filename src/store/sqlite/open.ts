// The embedded default store: one SQLite file, opened with the pragmas jitd relies on, migrated on open.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { SqlDialectTraits } from '../sql/dialect-traits.ts';
import { migrationProvider } from '../sql/migrations.ts';
import type { JitdDatabase } from '../sql/schema.ts';
import { createSqlStore, type SqlStore } from '../sql/sql-store.ts';
import { ImmediateSqliteDialect } from './sqlite-dialect.ts';

export const SQLITE_TRAITS: SqlDialectTraits = {
  name: 'sqlite',
  capabilities: { supportsSkipLocked: false },
  seqType: 'integer',
  bytesType: 'blob',
  lockHeadForUpdate: false,
};

/** How long a writer waits for another process's transaction before giving up with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

function applyPragmas(db: Database.Database): void {
  // WAL: readers (the portal, `jitd audit verify`) never block the writer, and the writer never blocks them.
  db.pragma('journal_mode = WAL');
  // FULL, not NORMAL. In WAL mode NORMAL skips the fsync at each commit, so a power cut or OS crash can undo
  // the last commits. jitd commits the lease row *before* it touches the target; losing that commit after
  // the grant happened would leave access that no lease will ever revoke (only the reconciler would find it),
  // and would drop audit events. FULL costs one WAL fsync per commit, and commits are not the bottleneck:
  // a burst of expiries is committed as one transaction.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

/**
 * Opens (creating and migrating when needed) the store at `path`. With `readonly`, the file must exist and is
 * neither migrated nor written: for checking a backup copy (`jitd audit verify --db`).
 */
export async function openSqliteStore(path: string, options: { readonly?: boolean } = {}): Promise<SqlStore> {
  if (options.readonly) return openReadonly(path);
  let sqlite: Database.Database;
  try {
    // A configured path such as `data/jitd.sqlite` should just work on first start. Owner-only: the
    // directory holds the audit trail and SQLite's WAL and shared-memory files next to the database.
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    sqlite = new Database(path);
    applyPragmas(sqlite);
  } catch (error) {
    throw new Error(`cannot open the SQLite store at ${path}: ${(error as Error).message}`, { cause: error });
  }
  const db = new Kysely<JitdDatabase>({ dialect: new ImmediateSqliteDialect(sqlite) });
  const { error, results } = await new Migrator({ db, provider: migrationProvider(SQLITE_TRAITS) }).migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot migrate the SQLite store at ${path}${failed ? ` (migration ${failed})` : ''}: ${message}`, { cause: error });
  }
  return createSqlStore(db, SQLITE_TRAITS);
}

async function openReadonly(path: string): Promise<SqlStore> {
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, { readonly: true, fileMustExist: true });
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const migrated = sqlite.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'").get() as { n: number };
    if (migrated.n === 0) throw new Error('it is not a jitd store (no audit_events table)');
  } catch (error) {
    throw new Error(`cannot open the SQLite store at ${path} read-only: ${(error as Error).message}`, { cause: error });
  }
  return createSqlStore(new Kysely<JitdDatabase>({ dialect: new ImmediateSqliteDialect(sqlite) }), SQLITE_TRAITS);
}
