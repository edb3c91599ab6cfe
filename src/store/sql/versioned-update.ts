// Optimistic-concurrency updates, compiled once per commit and run once per row.
//
// Why compile once: building and compiling a Kysely query costs tens of microseconds, more than SQLite
// takes to run the UPDATE itself, and a burst of expiries commits thousands of identical updates. We build
// the query once with marker values, learn from the compiled parameters which column each placeholder
// binds (so we never guess Kysely's parameter order), then bind every row's values into that same SQL.
//
// Why some columns are "fixed": they never change after creation and are indexed (or a foreign key);
// leaving them out of SET spares rewriting those index entries on every update. They are checked in
// the WHERE clause instead, so a caller that does change one is told, not silently ignored.
import { CompiledQuery, type Transaction } from 'kysely';
import { ConflictError, InvariantError } from '../../core/errors.ts';
import type { JitdDatabase } from './schema.ts';

type VersionedTable = 'requests' | 'leases';
type Row<T extends VersionedTable> = JitdDatabase[T];

const MARK = '\u0000jitd-param:';
const EXPECTED_VERSION = '(expected version)';

export interface VersionedUpdateSpec<T extends VersionedTable> {
  readonly table: T;
  readonly entity: 'request' | 'lease';
  /** Columns set from the new value (never `id`). */
  readonly mutable: readonly (keyof Row<T> & string)[];
  /** Columns that must equal the stored ones: they are fixed once the row exists. */
  readonly fixed: readonly (keyof Row<T> & string)[];
}

/** Returns a function that writes one row whose stored version must be `row.version - 1`. */
export function prepareVersionedUpdate<T extends VersionedTable>(trx: Transaction<JitdDatabase>, spec: VersionedUpdateSpec<T>): (row: Row<T>) => Promise<void> {
  // The generic table type is beyond Kysely's inference; the spec's column lists are typed against it.
  const db = trx as unknown as Transaction<Record<string, Record<string, unknown>>>;
  let query = db
    .updateTable(spec.table as string)
    .set(Object.fromEntries(spec.mutable.map((c) => [c, MARK + c])))
    .where('id', '=', MARK + 'id')
    .where('version', '=', MARK + EXPECTED_VERSION);
  for (const column of spec.fixed) query = query.where(column as string, '=', MARK + column);
  const compiled = query.compile();
  const binds = compiled.parameters.map((p) => {
    if (typeof p !== 'string' || !p.startsWith(MARK)) throw new InvariantError(`unexpected parameter ${String(p)} in the compiled update of ${spec.table}`);
    return p.slice(MARK.length);
  });

  return async (row) => {
    const values = row as unknown as Record<string, unknown>;
    const expected = (row.version as number) - 1;
    const parameters = binds.map((column) => (column === EXPECTED_VERSION ? expected : values[column]));
    const result = await trx.executeQuery(CompiledQuery.raw(compiled.sql, parameters));
    if (result.numAffectedRows !== 0n) return;
    throw await explainMiss(trx, spec, values, expected);
  };
}

/** Only on the failure path: read the row to say why nothing was updated. */
async function explainMiss<T extends VersionedTable>(trx: Transaction<JitdDatabase>, spec: VersionedUpdateSpec<T>, values: Record<string, unknown>, expected: number): Promise<Error> {
  const id = String(values.id);
  const stored = (await trx
    .selectFrom(spec.table as VersionedTable)
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()) as Record<string, unknown> | undefined;
  if (stored === undefined) return new ConflictError(`${spec.entity} ${id} does not exist (expected version ${expected})`);
  if (stored.version !== expected) return new ConflictError(`${spec.entity} ${id} was changed by someone else (expected version ${expected})`);
  const changed = spec.fixed.filter((c) => stored[c] !== values[c]);
  return new InvariantError(`${spec.entity} ${id}: ${changed.join(', ')} cannot change once the ${spec.entity} exists`);
}
