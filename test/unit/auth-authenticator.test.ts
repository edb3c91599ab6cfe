// The authenticator against a real SQLite store: config-file tokens, stored sessions and API tokens, the
// portal's session cookie with its CSRF header, and the messages a refused caller sees.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Authenticator, csrfTokenFor, describeScopes } from '../../src/api/auth.ts';
import { localReturnPath } from '../../src/api/browser-auth.ts';
import { JitdError } from '../../src/core/errors.ts';
import { PrincipalId } from '../../src/core/ids.ts';
import { issueToken } from '../../src/identity/issue-token.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { Store } from '../../src/store/store.ts';

const NOW = new Date(Date.UTC(2030, 0, 1, 8, 0, 0));
const HOUR = 3_600_000;

function refused(kind: JitdError['kind'], message: string): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof JitdError, `expected a JitdError, got ${String(err)}`);
    assert.equal(err.message, message);
    assert.equal(err.kind, kind);
    return true;
  };
}

describe('authenticator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitd-auth-'));
  let store: Store;
  let auth: Authenticator;
  const configToken = 'tok_config_bob';
  const mint = (id: string, kind: 'session' | 'api', overrides: { scopes?: ('read' | 'request' | 'approve' | 'admin' | 'audit')[]; lifetimeMs?: number; groups?: string[] } = {}) =>
    issueToken({
      id,
      kind,
      principal: PrincipalId('u-carol'),
      displayName: 'Carol Chen',
      groups: overrides.groups ?? ['db-leads', 'jitd-admins'],
      scopes: overrides.scopes ?? ['read', 'request', 'approve', 'admin', 'audit'],
      createdBy: 'u-carol',
      now: new Date(NOW.getTime() - HOUR),
      lifetimeMs: overrides.lifetimeMs ?? 2 * HOUR,
    });
  const session = mint('session-1', 'session');
  const readOnly = mint('token-read', 'api', { scopes: ['read'] });
  const expired = mint('token-expired', 'api', { lifetimeMs: HOUR / 2 });
  const revoked = mint('session-revoked', 'session');

  before(async () => {
    store = await openSqliteStore(join(dir, 'store.db'));
    await store.commit({ insertAccessTokens: [session.token, readOnly.token, expired.token, revoked.token], events: [] });
    await store.commit({ revokeAccessTokens: [{ id: 'session-revoked', revokedAt: NOW }], events: [] });
    auth = new Authenticator({
      tokens: [{ principal: 'bob', groups: ['jitd-admins'], tokenSha256: createHash('sha256').update(configToken).digest('hex') }],
      authorization: { admins: ['group:jitd-admins'], auditors: ['group:security'] },
      store,
      clock: { now: () => NOW },
    });
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (headers: Record<string, string>) => ({ method: 'GET', headers });
  const post = (headers: Record<string, string>) => ({ method: 'POST', headers });

  test('a config-file token has every scope, as before scopes existed', async () => {
    const caller = await auth.authenticate(get({ authorization: `Bearer ${configToken}` }));
    assert.equal(caller.principal.id, 'bob');
    assert.equal(describeScopes(caller.scopes), 'read, request, approve, admin, audit, host');
    assert.equal(caller.isAdmin, true);
    assert.equal(caller.via, 'config-token');
  });

  test('a stored session is its principal with the groups it was issued with, and admin when the principal is', async () => {
    const caller = await auth.authenticate(get({ authorization: `Bearer ${session.secret}` }));
    assert.deepEqual(caller.principal, { id: 'u-carol', groups: ['db-leads', 'jitd-admins'], displayName: 'Carol Chen' });
    assert.equal(caller.isAdmin, true);
    assert.equal(caller.tokenId, 'session-1');
    assert.equal(caller.tokenKind, 'session');
    assert.equal(caller.csrfToken, undefined, 'bearer callers need no CSRF value');
  });

  test('a token without the admin scope makes an admin principal no admin', async () => {
    const caller = await auth.authenticate(get({ authorization: `Bearer ${readOnly.secret}` }));
    assert.equal(caller.isAdmin, false);
    assert.equal(describeScopes(caller.scopes), 'read');
  });

  test('expired, revoked, unknown and malformed tokens are refused with what to do', async () => {
    await assert.rejects(auth.authenticate(get({ authorization: `Bearer ${expired.secret}` })), refused('unauthenticated', `this token expired at ${expired.token.expiresAt.toISOString()}; create a new one with jitd token create`));
    await assert.rejects(auth.authenticate(get({ authorization: `Bearer ${revoked.secret}` })), refused('unauthenticated', 'this token was revoked; sign in again with jitd login'));
    await assert.rejects(auth.authenticate(get({ authorization: 'Bearer jitd_a_nothing' })), refused('unauthenticated', 'invalid token'));
    await assert.rejects(auth.authenticate(get({ authorization: 'Basic abc' })), refused('unauthenticated', 'malformed Authorization header (expected "Bearer <token>")'));
    await assert.rejects(auth.authenticate(get({})), refused('unauthenticated', 'missing bearer token (send "Authorization: Bearer <token>")'));
  });

  test('a session cookie authenticates reads and tells the page its CSRF value', async () => {
    const caller = await auth.authenticate(get({ cookie: `other=1; jitd_session=${session.secret}` }));
    assert.equal(caller.principal.id, 'u-carol');
    assert.equal(caller.via, 'cookie');
    assert.equal(caller.csrfToken, csrfTokenFor(session.secret));
  });

  test('a state-changing request with the cookie needs the X-Jitd-CSRF header', async () => {
    const csrf = 'send the csrfToken from GET /v1/me';
    const message = `this request was sent with the jitd_session cookie but without a valid X-Jitd-CSRF header (${csrf})`;
    await assert.rejects(auth.authenticate(post({ cookie: `jitd_session=${session.secret}` })), refused('forbidden', message));
    await assert.rejects(auth.authenticate(post({ cookie: `jitd_session=${session.secret}`, 'x-jitd-csrf': csrfTokenFor(readOnly.secret) })), refused('forbidden', message));
    const caller = await auth.authenticate(post({ cookie: `jitd_session=${session.secret}`, 'x-jitd-csrf': csrfTokenFor(session.secret) }));
    assert.equal(caller.tokenId, 'session-1');
  });

  test('a bearer token wins over a cookie and needs no CSRF header', async () => {
    const caller = await auth.authenticate(post({ authorization: `Bearer ${readOnly.secret}`, cookie: `jitd_session=${session.secret}` }));
    assert.equal(caller.tokenId, 'token-read');
  });

  test('an API token in the session cookie is refused: the cookie is for sign-in sessions only', async () => {
    await assert.rejects(auth.authenticate(get({ cookie: `jitd_session=${readOnly.secret}` })), refused('unauthenticated', 'the jitd_session cookie must hold a sign-in session; sign in again'));
  });

  test('last use is recorded at most once a minute per token', async () => {
    const fresh = mint('token-touch', 'api');
    await store.commit({ insertAccessTokens: [fresh.token], events: [] });
    let now = NOW;
    const ticking = new Authenticator({ tokens: [], authorization: { admins: [], auditors: [] }, store, clock: { now: () => now } });
    await ticking.authenticate(get({ authorization: `Bearer ${fresh.secret}` }));
    now = new Date(NOW.getTime() + 30_000);
    await ticking.authenticate(get({ authorization: `Bearer ${fresh.secret}` }));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await store.getAccessToken('token-touch'))?.lastUsedAt, NOW);
    now = new Date(NOW.getTime() + 61_000);
    await ticking.authenticate(get({ authorization: `Bearer ${fresh.secret}` }));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual((await store.getAccessToken('token-touch'))?.lastUsedAt, now);
  });
});

describe('return path after a browser sign-in', () => {
  test('local paths are kept, with their query', () => {
    assert.equal(localReturnPath('/portal/requests?state=pending'), '/portal/requests?state=pending');
    assert.equal(localReturnPath('/'), '/');
  });

  test('anything that could leave this server becomes /', () => {
    for (const evil of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'evil.example', '/%0d%0aLocation:x'.replace('%0d%0a', '\r\n'), undefined, ['/a']]) {
      assert.equal(localReturnPath(evil), '/', `for ${JSON.stringify(evil)}`);
    }
  });
});
