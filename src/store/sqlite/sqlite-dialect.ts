// Kysely's SqliteDialect, adjusted for a store that many processes may open (the server, `jitd` CLI
// commands): every transaction here writes, so it takes the write lock up front.
import type Database from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDatabase, type SqliteStatement } from 'kysely';

/** Prepared statements kept per SQL text; a commit of thousands of rows repeats the same few statements. */
const STATEMENT_CACHE_SIZE = 200;

/**
 * The database as Kysely's driver sees it, with a small LRU cache of prepared statements: Kysely's driver
 * prepares every query afresh, which costs more than running it for the short statements a commit repeats.
 * Sharing a statement is safe because Kysely runs one query at a time on the single connection.
 */
function withStatementCache(db: Database.Database): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached) {
        // Re-insert: Map keeps insertion order, so the first key is always the least recently used.
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = db.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      return statement;
    },
  };
}

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    super({ database: withStatementCache(db) });
    this.#db = db;
  }

  // A plain BEGIN takes a read lock and upgrades on the first write; if another process wrote in between,
  // the upgrade fails at once with SQLITE_BUSY (busy_timeout does not help). BEGIN IMMEDIATE waits instead.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  // After some errors (SQLITE_FULL, SQLITE_IOERR, …) SQLite has already rolled the transaction back; a
  // second ROLLBACK would fail and Kysely would throw that instead of the error that matters.
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.#db.inTransaction) await super.rollbackTransaction(connection);
  }
}

export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    super({ database: db });
    this.#db = db;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#db);
  }
}
