// jitd's OIDC client wrapper and ID token verifier against the real provider fixture: device login, browser
// sign-in, refresh, and every way a token or a provider can be wrong, with the messages people will see.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { ResponseBodyError } from 'openid-client';
import { JitdError } from '../../src/core/errors.ts';
import { createIdTokenVerifier, principalFromClaims } from '../../src/identity/id-token-verifier.ts';
import type { IdTokenVerifier } from '../../src/identity/id-token-verifier.ts';
import { buildSignInUrl, discoverOidc, finishSignIn, refreshTokens, startDeviceLogin } from '../../src/identity/oidc-client.ts';
import type { DiscoveredOidc, OidcTokens } from '../../src/identity/oidc-client.ts';
import type { OidcSettings } from '../../src/identity/oidc-settings.ts';
import { freePort } from '../fixtures/slapd.ts';
import { startOidcProvider } from '../fixtures/oidc-provider.ts';
import type { OidcProviderFixture, OidcProviderOptions } from '../fixtures/oidc-provider.ts';

const REDIRECT_URI = 'http://127.0.0.1:8997/oidc/callback';

/** A provider whose device flow asks for polling every 0.2 s, so that the many device logins here are quick. */
function startIdp(options: OidcProviderOptions = {}): Promise<OidcProviderFixture> {
  return startOidcProvider({ devicePollIntervalSeconds: 0.2, ...options });
}

function settingsFor(idp: OidcProviderFixture, client: 'web' | 'cli', overrides: Partial<OidcSettings> = {}): OidcSettings {
  return {
    issuer: idp.issuer,
    clientId: idp.clients[client].id,
    ...(client === 'web' ? { clientSecret: idp.clients.web.secret } : {}),
    groupsClaim: 'groups',
    displayNameClaim: 'name',
    emailClaim: 'email',
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    allowInsecureHttp: true,
    ...overrides,
  };
}

/** Checks a JitdError's kind and exact message (one of `messages` when the cause depends on timing). */
function jitdError(kind: JitdError['kind'], ...messages: [string, ...string[]]): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof JitdError, `expected a JitdError, got ${String(err)}`);
    if (messages.length === 1) assert.equal(err.message, messages[0]);
    else assert.ok(messages.includes(err.message), `unexpected message: ${err.message}`);
    assert.equal(err.kind, kind);
    return true;
  };
}

/**
 * What a client that talked to a server a moment ago sees once it has stopped: a refused connection, or, when
 * its kept-alive socket had not yet noticed the close, "other side closed".
 */
function goneAway(prefix: string, port: number): [string, string] {
  return [`${prefix}: connect ECONNREFUSED 127.0.0.1:${port}`, `${prefix}: other side closed`];
}

async function deviceLogin(idp: OidcProviderFixture, oidc: DiscoveredOidc, username: string): Promise<OidcTokens> {
  const login = await startDeviceLogin(oidc);
  const polling = login.poll();
  await idp.approveDevice(login.verificationUriComplete!, username);
  return polling;
}

/** The same token with its payload changed and the original signature kept. */
function tamper(idToken: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
  change(claims);
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

describe('OIDC client and ID token verifier against a real provider', () => {
  let idp: OidcProviderFixture;
  let cli: DiscoveredOidc;
  let web: DiscoveredOidc;
  let verifier: IdTokenVerifier;
  let carol: OidcTokens;

  before(async () => {
    idp = await startIdp({ redirectUris: [REDIRECT_URI] });
    cli = await discoverOidc(settingsFor(idp, 'cli'));
    web = await discoverOidc(settingsFor(idp, 'web'));
    verifier = createIdTokenVerifier(web, { audiences: [idp.clients.web.id, idp.clients.cli.id] });
    carol = await deviceLogin(idp, cli, 'carol');
  });

  after(async () => {
    await idp?.stop();
  });

  describe('jitd login (device flow)', () => {
    test('shows a user code and verification URIs, then returns refreshable tokens once the person approves', async () => {
      const login = await startDeviceLogin(cli);
      assert.match(login.userCode, /^[A-Z]{4}-[A-Z]{4}$/);
      assert.equal(login.verificationUri, `${idp.issuer}/device`);
      assert.equal(login.verificationUriComplete, `${idp.issuer}/device?user_code=${login.userCode}`);
      assert.equal(login.expiresIn, 600);
      const polling = login.poll();
      await idp.approveDevice(login.verificationUriComplete!, 'bob');
      const tokens = await polling;
      assert.equal(typeof tokens.refreshToken, 'string');
      assert.equal(tokens.claims.sub, 'u-bob');
      assert.equal(tokens.expiresAt.getTime(), tokens.claims.exp * 1000);
      assert.equal(decodeJwt(tokens.idToken).sub, 'u-bob');
    });

    test('maps the device-flow ID token to the principal: sub as id, name, e-mail and groups', async () => {
      assert.deepEqual(await verifier.verify(carol.idToken), { id: 'u-carol', displayName: 'Carol Chen', email: 'carol@example.test', groups: ['db-leads', 'security'] });
    });

    test('reports a denied device sign-in', async () => {
      const login = await startDeviceLogin(cli);
      const polling = login.poll();
      await idp.denyDevice(login.verificationUriComplete!);
      await assert.rejects(polling, jitdError('unauthenticated', `sign-in was denied at ${idp.issuer}: End-User aborted interaction`));
    });

    test('reports a device code that expired before anyone approved it', async () => {
      const short = await startIdp({ ttl: { deviceCode: 2 } });
      try {
        const login = await startDeviceLogin(await discoverOidc(settingsFor(short, 'cli')));
        assert.equal(login.expiresIn, 2);
        const polled = login.poll();
        await assert.rejects(polled, jitdError('unauthenticated', 'the sign-in code expired before it was approved; run jitd login again'));
        // The provider said so (expired_token), not jitd's own deadline.
        await assert.rejects(polled, (err: Error) => err.cause instanceof ResponseBodyError && err.cause.error === 'expired_token');
      } finally {
        await short.stop();
      }
    });

    test('stops polling with the abort reason when the caller gives up', async () => {
      const login = await startDeviceLogin(cli);
      const controller = new AbortController();
      const polling = login.poll(controller.signal);
      controller.abort(new Error('interrupted by the user'));
      await assert.rejects(polling, { message: 'interrupted by the user' });
    });
  });

  describe('browser sign-in (code flow with PKCE)', () => {
    test('builds an authorization URL with an S256 PKCE challenge, state and nonce, and no prompt', async () => {
      const { url, checks } = await buildSignInUrl(web, REDIRECT_URI);
      assert.equal(`${url.origin}${url.pathname}`, `${idp.issuer}/auth`);
      assert.equal(url.searchParams.get('client_id'), 'jitd-web');
      assert.equal(url.searchParams.get('response_type'), 'code');
      assert.equal(url.searchParams.get('redirect_uri'), REDIRECT_URI);
      assert.equal(url.searchParams.get('scope'), 'openid profile email groups offline_access');
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(url.searchParams.get('state'), checks.state);
      assert.equal(url.searchParams.get('nonce'), checks.nonce);
      assert.equal(url.searchParams.get('prompt'), null);
      assert.notEqual(url.searchParams.get('code_challenge'), checks.codeVerifier);
    });

    test('signs bob in and verifies his ID token to a principal', async () => {
      const { url, checks } = await buildSignInUrl(web, REDIRECT_URI);
      const back = await idp.signInWithCode(url, 'bob');
      const tokens = await finishSignIn(web, back, checks);
      assert.equal(typeof tokens.refreshToken, 'string');
      assert.deepEqual(await verifier.verify(tokens.idToken), { id: 'u-bob', displayName: 'Bob Baker', email: 'bob@example.test', groups: ['engineers', 'db-leads'] });
    });

    test('refuses a callback that belongs to another sign-in attempt', async () => {
      const first = await buildSignInUrl(web, REDIRECT_URI);
      const second = await buildSignInUrl(web, REDIRECT_URI);
      const back = await idp.signInWithCode(first.url, 'alice');
      await assert.rejects(finishSignIn(web, back, second.checks), jitdError('unauthenticated', 'the sign-in response does not belong to this sign-in attempt (state mismatch); start the sign-in again'));
    });

    test('reports a sign-in cancelled at the provider', async () => {
      const { url, checks } = await buildSignInUrl(web, REDIRECT_URI);
      const back = await idp.cancelSignIn(url);
      await assert.rejects(finishSignIn(web, back, checks), jitdError('unauthenticated', `sign-in was denied at ${idp.issuer}: End-User aborted interaction`));
    });

    test('refuses to redeem the same code twice', async () => {
      const { url, checks } = await buildSignInUrl(web, REDIRECT_URI);
      const back = await idp.signInWithCode(url, 'alice');
      await finishSignIn(web, back, checks);
      await assert.rejects(finishSignIn(web, back, checks), jitdError('unauthenticated', `${idp.issuer} refused the sign-in: invalid_grant (grant request is invalid); sign in again`));
    });
  });

  describe('refresh', () => {
    test('gives a new ID token with the current groups and a rotated refresh token', async () => {
      const tokens = await deviceLogin(idp, cli, 'alice');
      idp.setUserGroups('alice', ['engineers', 'on-call']);
      try {
        const refreshed = await refreshTokens(cli, tokens.refreshToken!);
        assert.notEqual(refreshed.refreshToken, tokens.refreshToken);
        assert.notEqual(refreshed.idToken, tokens.idToken);
        assert.deepEqual((await verifier.verify(refreshed.idToken)).groups, ['engineers', 'on-call']);
      } finally {
        idp.setUserGroups('alice', ['engineers']);
      }
    });

    test('tells a revoked user to sign in again', async () => {
      const own = await startIdp();
      try {
        const oidc = await discoverOidc(settingsFor(own, 'cli'));
        const tokens = await deviceLogin(own, oidc, 'dave');
        own.revokeUser('dave');
        await assert.rejects(refreshTokens(oidc, tokens.refreshToken!), jitdError('unauthenticated', `the OIDC session at ${own.issuer} has expired or was revoked; sign in again with jitd login`));
      } finally {
        await own.stop();
      }
    });

    test('reports a provider that went away after discovery as unreachable', async () => {
      const own = await startIdp();
      const oidc = await discoverOidc(settingsFor(own, 'cli'));
      const tokens = await deviceLogin(own, oidc, 'alice');
      await own.stop();
      await assert.rejects(refreshTokens(oidc, tokens.refreshToken!), jitdError('target_unavailable', ...goneAway(`cannot reach the OIDC provider ${own.issuer}`, own.port)));
    });
  });

  describe('discovery', () => {
    test('reports an issuer nobody listens on, naming the issuer and the cause', async () => {
      const port = await freePort();
      const issuer = `http://127.0.0.1:${port}`;
      await assert.rejects(discoverOidc({ ...settingsFor(idp, 'cli'), issuer }), jitdError('target_unavailable', `cannot reach the OIDC provider ${issuer}: connect ECONNREFUSED 127.0.0.1:${port}`));
    });

    test('reports an issuer that does not answer in time', async () => {
      const silent = createServer(() => {
        // Never answers.
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const issuer = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      try {
        await assert.rejects(discoverOidc({ ...settingsFor(idp, 'cli'), issuer }, { timeoutSeconds: 0.3 }), jitdError('target_unavailable', `cannot reach the OIDC provider ${issuer}: no answer in time`));
      } finally {
        silent.closeAllConnections();
        silent.close();
      }
    });

    test('reports a URL that is not an OpenID Connect issuer', async () => {
      const issuer = `${idp.issuer}/not-an-issuer`;
      await assert.rejects(discoverOidc({ ...settingsFor(idp, 'cli'), issuer }), jitdError('target_unavailable', `OIDC discovery at ${issuer} failed: unexpected HTTP response status code (is this the issuer URL of an OpenID Connect provider?)`));
    });

    test('refuses a plain-http issuer unless allowInsecureHttp is set', async () => {
      await assert.rejects(discoverOidc(settingsFor(idp, 'cli', { allowInsecureHttp: false })), jitdError('invalid_input', `the OIDC issuer ${idp.issuer} uses plain http; jitd allows that only with allowInsecureHttp (loopback tests and demos)`));
    });
  });

  describe('ID token verification', () => {
    test('refuses a token issued for another client', async () => {
      const webOnly = createIdTokenVerifier(web, { audiences: ['jitd-web'] });
      await assert.rejects(webOnly.verify(carol.idToken), jitdError('unauthenticated', 'the ID token was issued for "jitd-cli", not for this jitd (accepted: "jitd-web")'));
    });

    test('refuses an expired token, allowing 30 seconds of clock difference', async () => {
      const exp = carol.claims.exp;
      assert.equal((await verifier.verify(carol.idToken, new Date((exp + 25) * 1000))).id, 'u-carol');
      await assert.rejects(verifier.verify(carol.idToken, new Date((exp + 31) * 1000)), jitdError('unauthenticated', `the ID token expired at ${new Date(exp * 1000).toISOString()}; sign in again`));
    });

    test('refuses a token that expired for real after a short ID token lifetime', async () => {
      const short = await startIdp({ ttl: { idToken: 1 } });
      try {
        const oidc = await discoverOidc(settingsFor(short, 'cli'));
        const tokens = await deviceLogin(short, oidc, 'alice');
        const strict = createIdTokenVerifier(oidc, { audiences: ['jitd-cli'], clockToleranceSeconds: 0 });
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, tokens.expiresAt.getTime() - Date.now()) + 1100));
        await assert.rejects(strict.verify(tokens.idToken), jitdError('unauthenticated', `the ID token expired at ${tokens.expiresAt.toISOString()}; sign in again`));
      } finally {
        await short.stop();
      }
    });

    test('refuses a token signed by another key under the provider\'s key id', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT(decodeJwt(carol.idToken)).setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(carol.idToken).kid! }).sign(privateKey);
      await assert.rejects(verifier.verify(forged), jitdError('unauthenticated', 'the ID token signature is invalid'));
    });

    test('refuses a token signed by a key the provider does not publish', async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT(decodeJwt(carol.idToken)).setProtectedHeader({ alg: 'RS256', kid: 'someone-else' }).sign(privateKey);
      await assert.rejects(verifier.verify(forged), jitdError('unauthenticated', `the ID token is signed with a key that ${idp.issuer} does not publish`));
    });

    test('refuses a token from another provider', async () => {
      const other = await startIdp();
      try {
        const tokens = await deviceLogin(other, await discoverOidc(settingsFor(other, 'cli')), 'carol');
        await assert.rejects(verifier.verify(tokens.idToken), jitdError('unauthenticated', `the ID token is signed with a key that ${idp.issuer} does not publish`));
      } finally {
        await other.stop();
      }
    });

    test('refuses a token whose payload was changed after signing', async () => {
      const promoted = tamper(carol.idToken, (claims) => {
        claims.groups = ['db-leads', 'security', 'domain-admins'];
      });
      await assert.rejects(verifier.verify(promoted), jitdError('unauthenticated', 'the ID token signature is invalid'));
    });

    test('refuses an unsigned token (alg none)', async () => {
      const unsigned = new UnsecuredJWT(decodeJwt(carol.idToken)).encode();
      await assert.rejects(verifier.verify(unsigned), jitdError('unauthenticated', 'the ID token is signed with algorithm "none", which jitd does not accept (accepted: RS256)'));
    });

    test('refuses something that is not a JWT', async () => {
      await assert.rejects(verifier.verify('not-a-token'), jitdError('unauthenticated', 'the ID token is malformed: Invalid Compact JWS'));
    });

    test('reports signing keys that cannot be fetched as the provider being unavailable', async () => {
      const own = await startIdp();
      const oidc = await discoverOidc(settingsFor(own, 'cli'));
      const tokens = await deviceLogin(own, oidc, 'bob');
      await own.stop();
      const late = createIdTokenVerifier(oidc, { audiences: ['jitd-cli'] });
      await assert.rejects(late.verify(tokens.idToken), jitdError('target_unavailable', ...goneAway(`cannot fetch the signing keys of ${own.issuer} from ${own.issuer}/jwks`, own.port)));
    });

    test('reads groups from a configured claim name', async () => {
      const custom = await startIdp({ groupsClaim: 'roles' });
      try {
        const oidc = await discoverOidc(settingsFor(custom, 'cli', { groupsClaim: 'roles' }));
        const tokens = await deviceLogin(custom, oidc, 'bob');
        assert.equal(tokens.claims.groups, undefined);
        assert.deepEqual(tokens.claims.roles, ['engineers', 'db-leads']);
        const principal = await createIdTokenVerifier(oidc, { audiences: ['jitd-cli'] }).verify(tokens.idToken);
        assert.deepEqual(principal.groups, ['engineers', 'db-leads']);
        const unconfigured = await discoverOidc(settingsFor(custom, 'cli'));
        assert.deepEqual((await createIdTokenVerifier(unconfigured, { audiences: ['jitd-cli'] }).verify(tokens.idToken)).groups, []);
      } finally {
        await custom.stop();
      }
    });
  });

  describe('mapping claims to a principal', () => {
    const mapping = { groupsClaim: 'groups', displayNameClaim: 'name', emailClaim: 'email' };

    test('falls back from the name to the e-mail, then to sub, for the display name', () => {
      assert.deepEqual(principalFromClaims({ sub: 'u-1', name: 'Ann', email: 'ann@example.test' }, mapping), { id: 'u-1', displayName: 'Ann', email: 'ann@example.test', groups: [] });
      assert.deepEqual(principalFromClaims({ sub: 'u-1', name: ' ', email: 'ann@example.test' }, mapping), { id: 'u-1', displayName: 'ann@example.test', email: 'ann@example.test', groups: [] });
      assert.deepEqual(principalFromClaims({ sub: 'u-1' }, mapping), { id: 'u-1', displayName: 'u-1', groups: [] });
    });

    test('reads a single string as one group and a missing claim as no groups', () => {
      assert.deepEqual(principalFromClaims({ sub: 'u-1', groups: 'ops' }, mapping).groups, ['ops']);
      assert.deepEqual(principalFromClaims({ sub: 'u-1', groups: null }, mapping).groups, []);
    });

    test('refuses group entries that are not strings, naming the entry', () => {
      assert.throws(() => principalFromClaims({ sub: 'u-1', groups: ['ops', 7] }, mapping), jitdError('unauthenticated', 'the ID token claim "groups" must hold strings only; entry 2 is a number'));
      assert.throws(() => principalFromClaims({ sub: 'u-1', groups: { ops: true } }, mapping), jitdError('unauthenticated', 'the ID token claim "groups" must be a string or an array of strings, not an object'));
    });
  });
});
