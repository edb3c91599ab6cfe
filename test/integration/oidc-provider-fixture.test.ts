// The OIDC provider fixture itself, driven with openid-client and jose directly (not jitd's wrapper): real
// discovery, real sign-in pages, real signed ID tokens, the real device flow and refresh.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { startOidcProvider } from '../fixtures/oidc-provider.ts';
import type { OidcProviderFixture } from '../fixtures/oidc-provider.ts';

const REDIRECT_URI = 'http://127.0.0.1:8999/oidc/callback';
const SCOPE = 'openid profile email groups offline_access';

describe('OIDC provider fixture', () => {
  let idp: OidcProviderFixture;
  let web: client.Configuration;
  let cli: client.Configuration;

  /**
   * A code-flow authorization URL for jitd-web with PKCE, and what to check on the way back. It asks for
   * prompt=consent by default, as OIDC Core §11 wants with offline_access.
   */
  async function authorization(extra: Record<string, string> = { prompt: 'consent' }): Promise<{ url: URL; verifier: string; state: string; nonce: string }> {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(web, {
      redirect_uri: REDIRECT_URI,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...extra,
    });
    return { url, verifier, state, nonce };
  }

  async function signIn(username: string): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
    const { url, verifier, state, nonce } = await authorization();
    const back = await idp.signInWithCode(url, username);
    return client.authorizationCodeGrant(web, new URL(back), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  }

  before(async () => {
    const started = performance.now();
    idp = await startOidcProvider({ redirectUris: [REDIRECT_URI] });
    const ms = performance.now() - started;
    assert.ok(ms < 1000, `the provider took ${ms.toFixed(0)} ms to start`);
    web = await client.discovery(new URL(idp.issuer), idp.clients.web.id, undefined, client.ClientSecretBasic(idp.clients.web.secret), { execute: [client.allowInsecureRequests] });
    cli = await client.discovery(new URL(idp.issuer), idp.clients.cli.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
  });

  after(async () => {
    await idp?.stop();
  });

  test('publishes a discovery document for its loopback issuer with the device flow, PKCE S256 and the groups scope', async () => {
    const response = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    assert.equal(response.status, 200);
    const metadata = (await response.json()) as Record<string, unknown>;
    assert.equal(idp.issuer, `http://127.0.0.1:${idp.port}`);
    assert.equal(metadata.issuer, idp.issuer);
    assert.equal(metadata.device_authorization_endpoint, `${idp.issuer}/device/auth`);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.ok((metadata.scopes_supported as string[]).includes('groups'));
    assert.ok((metadata.claims_supported as string[]).includes('groups'));
    const jwks = (await (await fetch(String(metadata.jwks_uri))).json()) as { keys: { kty: string; alg: string; d?: string }[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]!.alg, 'RS256');
    assert.equal(jwks.keys[0]!.d, undefined, 'the JWKS must hold public keys only');
  });

  test('has the four default users, each with an opaque sub that is not the username', () => {
    assert.deepEqual(
      idp.users.map((u) => [u.username, u.sub, u.email, u.groups]),
      [
        ['alice', 'u-alice', 'alice@example.test', ['engineers']],
        ['bob', 'u-bob', 'bob@example.test', ['engineers', 'db-leads']],
        ['carol', 'u-carol', 'carol@example.test', ['db-leads', 'security']],
        ['dave', 'u-dave', 'dave@example.test', ['auditors']],
      ],
    );
    assert.equal(idp.user('alice').password, 'alice-password');
  });

  test('serves a sign-in page that is a plain form with labelled username and password fields and a submit button', async () => {
    const { url } = await authorization();
    const login = await idp.loginPage(url);
    assert.equal(login.status, 200);
    assert.match(login.url, new RegExp(`^${idp.issuer}/interaction/[^/]+$`));
    assert.match(login.html, /<form method="post" action="\/interaction\/[^/"]+\/login">/);
    assert.match(login.html, /<label for="username">Username<\/label> <input id="username" name="username" type="text"/);
    assert.match(login.html, /<label for="password">Password<\/label> <input id="password" name="password" type="password"/);
    assert.match(login.html, /<button type="submit">Sign in<\/button>/);
    assert.doesNotMatch(login.html, /<script/);
  });

  test('signs bob in through the code flow with PKCE and issues an ID token signed by its published key, with sub, name, email and groups', async () => {
    const tokens = await signIn('bob');
    assert.equal(typeof tokens.refresh_token, 'string', 'offline_access must give a refresh token');
    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), { issuer: idp.issuer, audience: 'jitd-web' });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.sub, 'u-bob');
    assert.equal(payload.name, 'Bob Baker');
    assert.equal(payload.email, 'bob@example.test');
    assert.deepEqual(payload.groups, ['engineers', 'db-leads']);
  });

  test('gives jitd-web a refresh token without prompt=consent too, with no consent page in between', async () => {
    const { url, verifier, state, nonce } = await authorization({});
    assert.equal(url.searchParams.get('prompt'), null);
    const back = await idp.signInWithCode(url, 'carol');
    const tokens = await client.authorizationCodeGrant(web, new URL(back), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    assert.equal(tokens.claims()!.sub, 'u-carol');
    assert.equal(typeof tokens.refresh_token, 'string');
  });

  test('sends the browser back with error=invalid_request when a code-flow request has no PKCE challenge', async () => {
    const url = client.buildAuthorizationUrl(web, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 'st' });
    const response = await fetch(url, { redirect: 'manual' });
    const location = new URL(response.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, REDIRECT_URI);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.equal(location.searchParams.get('error_description'), 'Authorization Server policy requires PKCE to be used for this request');
  });

  test('refuses a wrong password and shows the sign-in form again with a message', async () => {
    const { url } = await authorization();
    await assert.rejects(idp.signInWithCode(url, 'alice', { password: 'not-her-password' }), {
      message: 'the test provider refused the sign-in as alice: Invalid username or password.',
    });
  });

  test('sends the browser back with error=access_denied when the person presses Cancel', async () => {
    const { url, state } = await authorization();
    const back = new URL(await idp.cancelSignIn(url));
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('state'), state);
  });

  test('completes the device flow for a public client while it polls, with a refresh token', async () => {
    const device = await client.initiateDeviceAuthorization(cli, { scope: SCOPE });
    assert.equal(device.interval, 1);
    const polling = client.pollDeviceAuthorizationGrant(cli, device);
    await idp.approveDevice(device.verification_uri_complete!, 'carol');
    const tokens = await polling;
    const claims = tokens.claims()!;
    assert.equal(claims.sub, 'u-carol');
    assert.equal(claims.aud, 'jitd-cli');
    assert.deepEqual(claims.groups, ['db-leads', 'security']);
    assert.equal(typeof tokens.refresh_token, 'string');
  });

  test('answers a polling device client with access_denied when the person presses Deny', async () => {
    const device = await client.initiateDeviceAuthorization(cli, { scope: SCOPE });
    const polling = client.pollDeviceAuthorizationGrant(cli, device);
    await idp.denyDevice(device.verification_uri_complete!);
    await assert.rejects(polling, (err: unknown) => err instanceof client.ResponseBodyError && err.error === 'access_denied');
  });

  test('refreshes tokens into a new ID token that carries the user\'s current groups', async () => {
    const tokens = await signIn('alice');
    idp.setUserGroups('alice', ['engineers', 'on-call']);
    try {
      const refreshed = await client.refreshTokenGrant(web, tokens.refresh_token!);
      assert.equal(refreshed.claims()!.sub, 'u-alice');
      assert.deepEqual(refreshed.claims()!.groups, ['engineers', 'on-call']);
    } finally {
      idp.setUserGroups('alice', ['engineers']);
    }
  });

  test('refuses to refresh the tokens of a revoked user with invalid_grant, and refuses her sign-in', async () => {
    const own = await startOidcProvider({ redirectUris: [REDIRECT_URI] });
    try {
      const config = await client.discovery(new URL(own.issuer), own.clients.cli.id, undefined, client.None(), { execute: [client.allowInsecureRequests] });
      const device = await client.initiateDeviceAuthorization(config, { scope: SCOPE });
      const polling = client.pollDeviceAuthorizationGrant(config, device);
      await own.approveDevice(device.verification_uri_complete!, 'dave');
      const tokens = await polling;
      own.revokeUser('dave');
      await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (err: unknown) => err instanceof client.ResponseBodyError && err.error === 'invalid_grant');
      const ownWeb = await client.discovery(new URL(own.issuer), own.clients.web.id, undefined, client.ClientSecretBasic(own.clients.web.secret), { execute: [client.allowInsecureRequests] });
      const url = client.buildAuthorizationUrl(ownWeb, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
      await assert.rejects(own.signInWithCode(url, 'dave', { password: 'dave-password' }), { message: 'the test provider refused the sign-in as dave: Invalid username or password.' });
      assert.throws(() => own.user('dave'), { message: 'the test provider has no user "dave" (it has alice, bob, carol)' });
    } finally {
      await own.stop();
    }
  });

  test('accepts a redirect URI set after start', async () => {
    const later = 'http://127.0.0.1:8998/late/callback';
    idp.setRedirectUris([REDIRECT_URI, later]);
    const { url } = await authorization({ prompt: 'consent', redirect_uri: later });
    const back = new URL(await idp.signInWithCode(url, 'dave'));
    assert.equal(`${back.origin}${back.pathname}`, later);
    assert.ok(back.searchParams.get('code'));
  });
});
