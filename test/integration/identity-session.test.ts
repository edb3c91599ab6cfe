// Turning an ID token from the real provider fixture into a jitd session, against a real SQLite store: the
// session row, the person, the audit event, and the ID tokens that must not start a session.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { JitdError } from '../../src/core/errors.ts';
import { PrincipalId } from '../../src/core/ids.ts';
import { newId } from '../../src/engine/ids.ts';
import { discoverOidc, startDeviceLogin, type OidcTokens } from '../../src/identity/oidc-client.ts';
import { createOidcService, type OidcService } from '../../src/identity/oidc-service.ts';
import { startSession } from '../../src/identity/sign-in-session.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { Store } from '../../src/store/store.ts';
import { startOidcProvider, type OidcProviderFixture } from '../fixtures/oidc-provider.ts';

const SETTINGS = { groupsClaim: 'groups', displayNameClaim: 'name', emailClaim: 'email', scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'], allowInsecureHttp: true };

describe('starting a jitd session from an ID token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitd-identity-session-'));
  let idp: OidcProviderFixture;
  let store: Store;
  let service: OidcService;
  let bob: OidcTokens;

  const deviceLogin = async (clientId: string, username: string): Promise<OidcTokens> => {
    const oidc = await discoverOidc({ issuer: idp.issuer, clientId, ...SETTINGS });
    const login = await startDeviceLogin(oidc);
    const polling = login.poll();
    await idp.approveDevice(login.verificationUriComplete!, username);
    return polling;
  };

  before(async () => {
    idp = await startOidcProvider({ devicePollIntervalSeconds: 0.2 });
    store = await openSqliteStore(join(dir, 'store.db'));
    service = createOidcService({
      settings: { issuer: idp.issuer, clientId: idp.clients.web.id, clientSecret: idp.clients.web.secret, ...SETTINGS },
      cliClientId: idp.clients.cli.id,
      sessionDurationMs: 3_600_000,
      log: pino({ level: 'silent' }),
    });
    bob = await deviceLogin(idp.clients.cli.id, 'bob');
  });
  after(async () => {
    await store.close();
    await idp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a fresh ID token from the CLI client starts a session: token row, person and auth.signed_in in one go', async () => {
    const now = new Date();
    const session = await startSession({ oidc: service, store, clock: { now: () => now }, newId }, bob.idToken);
    assert.match(session.secret, /^jitd_s_[\w-]{43}$/);
    const stored = await store.findAccessToken(createHash('sha256').update(session.secret).digest('hex'));
    assert.deepEqual(stored && [stored.principal, stored.kind, stored.scopes, stored.groups, stored.expiresAt.getTime() - now.getTime()], ['u-bob', 'session', ['read', 'request', 'approve', 'admin', 'audit'], ['engineers', 'db-leads'], 3_600_000]);
    const person = await store.getPerson(PrincipalId('u-bob'));
    assert.deepEqual(person, { principal: 'u-bob', displayName: 'Bob Baker', email: 'bob@example.test', groups: ['engineers', 'db-leads'], source: 'oidc', seenAt: now });
    const [event] = (await store.listAuditEvents()).filter((e) => e.data.tokenId === session.token.id);
    assert.deepEqual(event && [event.type, event.actor, event.data.issuer, event.data.clientId], ['auth.signed_in', 'u-bob', idp.issuer, 'jitd-cli']);
  });

  test('an ID token issued more than five minutes ago starts no session, even while it is still valid', async () => {
    const later = new Date(Date.now() + 6 * 60_000);
    const issuedAt = new Date(JSON.parse(Buffer.from(bob.idToken.split('.')[1]!, 'base64url').toString('utf8')).iat * 1000).toISOString();
    await assert.rejects(startSession({ oidc: service, store, clock: { now: () => later }, newId }, bob.idToken), (err: unknown) => {
      assert.ok(err instanceof JitdError);
      assert.equal(err.kind, 'unauthenticated');
      assert.equal(err.message, `the ID token was issued at ${issuedAt}, more than 5 minutes ago; sign in again`);
      return true;
    });
  });

  test('a tampered ID token is refused by the verifier before anything is written', async () => {
    const [header, payload, signature] = bob.idToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims.groups = ['jitd-admins'];
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    const before = (await store.listAuditEvents()).length;
    await assert.rejects(startSession({ oidc: service, store, clock: { now: () => new Date() }, newId }, forged), { message: 'the ID token signature is invalid' });
    assert.equal((await store.listAuditEvents()).length, before);
  });
});
