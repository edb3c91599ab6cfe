// What one SQLite commit costs on this machine's disk, the way jitd's store commits (WAL, synchronous=FULL:
// one fsync of the WAL per commit, src/store/sqlite/open.ts). better-sqlite3 is synchronous, so inside jitd
// that fsync blocks the event loop: the ssh section compares its certificate rate with this floor to tell
// whether the store's writes, rather than CPU, bound issuance.
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { summarize, type Summary } from './stats.ts';

/** `commits` single-row autocommit inserts into a new database at `path` (in the same file system as jitd's). */
export function measureSqliteCommit(path: string, commits: number): Summary {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE memo (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
    const upsert = db.prepare('INSERT INTO memo (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v');
    const samples: number[] = [];
    for (let i = 0; i < commits; i++) {
      const t0 = performance.now();
      upsert.run('serial', String(i + 1));
      samples.push(performance.now() - t0);
    }
    return summarize(samples);
  } finally {
    db.close();
  }
}
