// The identity part of the store contract: tokens jitd issues and the people it has seen. Every store engine
// runs these against a real database; `open` must return a new, empty store each time.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import type { AccessToken, Person } from '../../src/core/access-token.ts';
import { PrincipalId } from '../../src/core/ids.ts';
import type { Store } from '../../src/store/store.ts';
import { at, event } from './store.ts';

const HOUR = 3_600_000;

/** A token with no optional field set, unless `overrides` sets some. */
export function makeAccessToken(id: string, overrides: Partial<AccessToken> = {}): AccessToken {
  return {
    id,
    kind: 'api',
    tokenSha256: createHash('sha256').update(id).digest('hex'),
    principal: PrincipalId('u-alice'),
    groups: ['engineers'],
    scopes: ['read', 'request'],
    createdAt: at(0),
    createdBy: 'u-alice',
    expiresAt: at(HOUR),
    ...overrides,
  };
}

async function withStore(open: () => Promise<Store>, body: (store: Store) => Promise<void>): Promise<void> {
  const store = await open();
  try {
    await body(store);
  } finally {
    await store.close();
  }
}

export function runIdentityStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`${name} store: access tokens and people`, () => {
    test('a committed token reads back the same by hash and by id, with every optional field', async () => {
      await withStore(open, async (store) => {
        const full = makeAccessToken('t-full', {
          kind: 'session',
          tokenSha256: 'ab'.repeat(32),
          displayName: 'Alice Archer',
          email: 'alice@example.test',
          description: 'laptop',
          scopes: ['read', 'request', 'approve', 'admin', 'audit'],
          lastUsedAt: at(5),
        });
        const bare = makeAccessToken('t-bare', { tokenSha256: 'cd'.repeat(32), groups: [] });
        const events = await store.commit({ insertAccessTokens: [full, bare], events: [event('auth.token_created', {}, { tokenId: 't-full' })] });
        assert.equal(events.length, 1);
        assert.deepEqual(await store.findAccessToken('ab'.repeat(32)), full);
        assert.deepEqual(await store.findAccessToken('AB'.repeat(32)), full, 'hex case does not matter');
        assert.deepEqual(await store.getAccessToken('t-bare'), bare);
        assert.equal(await store.findAccessToken('ef'.repeat(32)), undefined);
        assert.equal(await store.getAccessToken('t-none'), undefined);
      });
    });

    test('a revoked token keeps its first revocation time and is still found by hash', async () => {
      await withStore(open, async (store) => {
        await store.commit({ insertAccessTokens: [makeAccessToken('t-1', { tokenSha256: '11'.repeat(32) })], events: [] });
        await store.commit({ revokeAccessTokens: [{ id: 't-1', revokedAt: at(10) }], events: [] });
        await store.commit({ revokeAccessTokens: [{ id: 't-1', revokedAt: at(20) }], events: [] });
        assert.deepEqual((await store.findAccessToken('11'.repeat(32)))?.revokedAt, at(10));
      });
    });

    test('a token with a hash already stored is refused and the commit leaves nothing behind', async () => {
      await withStore(open, async (store) => {
        await store.commit({ insertAccessTokens: [makeAccessToken('t-1', { tokenSha256: '22'.repeat(32) })], events: [] });
        await assert.rejects(store.commit({ insertAccessTokens: [makeAccessToken('t-2', { tokenSha256: '22'.repeat(32) })], events: [event('auth.token_created')] }));
        assert.equal(await store.getAccessToken('t-2'), undefined);
        assert.equal(await store.auditHead(), undefined);
      });
    });

    test('listing tokens: newest first, live ones by default, filtered by principal and kind', async () => {
      await withStore(open, async (store) => {
        const now = at(2 * HOUR);
        const tokens = [
          makeAccessToken('t-old', { tokenSha256: '01'.repeat(32), createdAt: at(0), expiresAt: at(3 * HOUR) }),
          makeAccessToken('t-session', { kind: 'session', tokenSha256: '02'.repeat(32), createdAt: at(1), expiresAt: at(3 * HOUR) }),
          makeAccessToken('t-expired', { tokenSha256: '03'.repeat(32), createdAt: at(2), expiresAt: at(HOUR) }),
          makeAccessToken('t-revoked', { tokenSha256: '04'.repeat(32), createdAt: at(3), expiresAt: at(3 * HOUR) }),
          makeAccessToken('t-bob', { tokenSha256: '05'.repeat(32), principal: PrincipalId('u-bob'), createdAt: at(4), expiresAt: at(3 * HOUR) }),
        ];
        await store.commit({ insertAccessTokens: tokens, events: [] });
        await store.commit({ revokeAccessTokens: [{ id: 't-revoked', revokedAt: at(HOUR) }], events: [] });
        const ids = (list: readonly AccessToken[]) => list.map((t) => t.id);
        assert.deepEqual(ids(await store.listAccessTokens({ now })), ['t-bob', 't-session', 't-old']);
        assert.deepEqual(ids(await store.listAccessTokens({ now, includeEnded: true })), ['t-bob', 't-revoked', 't-expired', 't-session', 't-old']);
        assert.deepEqual(ids(await store.listAccessTokens({ now, principal: PrincipalId('u-alice'), includeEnded: true })), ['t-revoked', 't-expired', 't-session', 't-old']);
        assert.deepEqual(ids(await store.listAccessTokens({ now, kind: 'session' })), ['t-session']);
        assert.deepEqual(ids(await store.listAccessTokens({ now, limit: 1 })), ['t-bob']);
      });
    });

    test('touching a token records its last use', async () => {
      await withStore(open, async (store) => {
        await store.commit({ insertAccessTokens: [makeAccessToken('t-1', { tokenSha256: '33'.repeat(32) })], events: [] });
        await store.touchAccessToken('t-1', at(42));
        assert.deepEqual((await store.getAccessToken('t-1'))?.lastUsedAt, at(42));
      });
    });

    test('a person is inserted, then replaced by a newer sign-in, and listed by principal', async () => {
      await withStore(open, async (store) => {
        const alice: Person = { principal: PrincipalId('u-alice'), displayName: 'Alice', email: 'alice@example.test', groups: ['engineers'], source: 'oidc', seenAt: at(0) };
        const bob: Person = { principal: PrincipalId('u-bob'), groups: [], source: 'config', seenAt: at(1) };
        await store.upsertPerson(alice);
        await store.upsertPerson(bob);
        assert.deepEqual(await store.getPerson(PrincipalId('u-alice')), alice);
        const renamed: Person = { principal: PrincipalId('u-alice'), displayName: 'Alice Archer', groups: ['engineers', 'db-leads'], source: 'oidc', seenAt: at(9) };
        await store.upsertPerson(renamed);
        assert.deepEqual(await store.getPerson(PrincipalId('u-alice')), renamed);
        assert.deepEqual(await store.listPeople(), [renamed, bob]);
        assert.equal(await store.getPerson(PrincipalId('u-nobody')), undefined);
      });
    });
  });
}
