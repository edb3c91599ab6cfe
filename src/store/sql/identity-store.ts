// Access tokens and people in SQL: the rows, the queries, and the part of a commit that writes them.
// Groups and scopes are JSON arrays as text; times are integer milliseconds (schema.ts).
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AccessToken, AccessTokenKind, Person, TokenScope } from '../../core/access-token.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { PrincipalId } from '../../core/ids.ts';
import type { ChangeSet, Store } from '../store.ts';
import { dateField, field, msOrNull, orNull } from './row-values.ts';
import type { AccessTokensTable, JitdDatabase, PeopleTable } from './schema.ts';

export type IdentityQueries = Pick<Store, 'findAccessToken' | 'getAccessToken' | 'listAccessTokens' | 'touchAccessToken' | 'upsertPerson' | 'getPerson' | 'listPeople'>;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

function stringArray(text: string): string[] {
  return JSON.parse(text) as string[];
}

export function accessTokenToRow(token: AccessToken): AccessTokensTable {
  return {
    id: token.id,
    kind: token.kind,
    token_sha256: token.tokenSha256.toLowerCase(),
    principal: token.principal,
    display_name: orNull(token.displayName),
    email: orNull(token.email),
    groups: JSON.stringify(token.groups),
    scopes: JSON.stringify(token.scopes),
    description: orNull(token.description),
    created_at: token.createdAt.getTime(),
    created_by: token.createdBy,
    expires_at: token.expiresAt.getTime(),
    revoked_at: msOrNull(token.revokedAt),
    last_used_at: msOrNull(token.lastUsedAt),
  };
}

export function accessTokenFromRow(row: Selectable<AccessTokensTable>): AccessToken {
  return {
    id: row.id,
    kind: row.kind as AccessTokenKind,
    tokenSha256: row.token_sha256,
    principal: PrincipalId(row.principal),
    ...field('displayName', row.display_name),
    ...field('email', row.email),
    groups: stringArray(row.groups),
    scopes: stringArray(row.scopes) as TokenScope[],
    ...field('description', row.description),
    createdAt: new Date(Number(row.created_at)),
    createdBy: row.created_by,
    expiresAt: new Date(Number(row.expires_at)),
    ...dateField('revokedAt', row.revoked_at === null ? null : Number(row.revoked_at)),
    ...dateField('lastUsedAt', row.last_used_at === null ? null : Number(row.last_used_at)),
  };
}

export function personToRow(person: Person): PeopleTable {
  return {
    principal: person.principal,
    display_name: orNull(person.displayName),
    email: orNull(person.email),
    groups: JSON.stringify(person.groups),
    source: person.source,
    seen_at: person.seenAt.getTime(),
  };
}

export function personFromRow(row: Selectable<PeopleTable>): Person {
  return {
    principal: PrincipalId(row.principal),
    ...field('displayName', row.display_name),
    ...field('email', row.email),
    groups: stringArray(row.groups),
    source: row.source as Person['source'],
    seenAt: new Date(Number(row.seen_at)),
  };
}

/** Runs inside commit's transaction: inserts issued tokens and marks revoked ones (a second revocation keeps the first time). */
export async function writeIdentityChanges(trx: Transaction<JitdDatabase>, change: ChangeSet): Promise<void> {
  for (const token of change.insertAccessTokens ?? []) {
    await trx.insertInto('access_tokens').values(accessTokenToRow(token)).execute();
  }
  for (const { id, revokedAt } of change.revokeAccessTokens ?? []) {
    await trx.updateTable('access_tokens').set({ revoked_at: revokedAt.getTime() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }
}

function listLimit(limit: number | undefined): number {
  const value = limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(value) || value < 1) throw new InvalidInputError(`limit must be a whole number of at least 1, got ${value}`);
  return Math.min(value, MAX_LIMIT);
}

export function identityQueries(db: Kysely<JitdDatabase>): IdentityQueries {
  const tokens = () => db.selectFrom('access_tokens').selectAll();
  return {
    async findAccessToken(tokenSha256) {
      const row = await tokens().where('token_sha256', '=', tokenSha256.toLowerCase()).executeTakeFirst();
      return row === undefined ? undefined : accessTokenFromRow(row);
    },

    async getAccessToken(id) {
      const row = await tokens().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : accessTokenFromRow(row);
    },

    async listAccessTokens(filter) {
      const now = filter.now.getTime();
      const rows = await tokens()
        .$if(filter.principal !== undefined, (q) => q.where('principal', '=', filter.principal!))
        .$if(filter.kind !== undefined, (q) => q.where('kind', '=', filter.kind!))
        .$if(filter.includeEnded !== true, (q) => q.where('expires_at', '>', now).where('revoked_at', 'is', null))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(listLimit(filter.limit))
        .execute();
      return rows.map(accessTokenFromRow);
    },

    async touchAccessToken(id, at) {
      await db.updateTable('access_tokens').set({ last_used_at: at.getTime() }).where('id', '=', id).execute();
    },

    async upsertPerson(person) {
      const row = personToRow(person);
      const { principal: _key, ...rest } = row;
      void _key;
      await db
        .insertInto('people')
        .values(row)
        .onConflict((oc) => oc.column('principal').doUpdateSet(rest))
        .execute();
    },

    async getPerson(principal) {
      const row = await db.selectFrom('people').selectAll().where('principal', '=', principal).executeTakeFirst();
      return row === undefined ? undefined : personFromRow(row);
    },

    async listPeople() {
      const rows = await db.selectFrom('people').selectAll().orderBy('principal').execute();
      return rows.map(personFromRow);
    },
  };
}
