// People signing in through a real OpenID Connect provider (the loopback fixture) to the real `jitd serve`:
// `jitd login` with the device flow, silent renewal, logout, the browser's code flow with its cookie and
// CSRF header, API tokens with scopes, and the audit events, with policy looking at `sub` and the groups claim.
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startJitdProcess, type CliResult, type JitdProcess } from '../fixtures/jitd-process.ts';
import { startOidcProvider, type OidcProviderFixture } from '../fixtures/oidc-provider.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';
import { freePort } from '../fixtures/slapd.ts';

interface Me {
  principal: string;
  displayName?: string;
  groups: string[];
  admin: boolean;
  csrfToken?: string;
}

interface SavedLogin {
  server: string;
  token: string;
  tokenId: string;
  expiresAt: string;
  refreshToken?: string;
  issuer: string;
  clientId: string;
}

interface AuditJson {
  type: string;
  actor: string;
  data: Record<string, unknown>;
}

function homeOf(jitd: JitdProcess, username: string): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: join(jitd.dir, `home-${username}`) };
}

function loginFile(jitd: JitdProcess, username: string): string {
  return join(jitd.dir, `home-${username}`, 'jitd', 'login.json');
}

/** `jitd login` as `username`: the test plays the person approving the code in a browser while the CLI polls. */
async function cliLogin(jitd: JitdProcess, idp: OidcProviderFixture, username: string): Promise<CliResult> {
  const run = jitd.cliProcess(undefined, ['login'], homeOf(jitd, username));
  const stderr = await run.waitForStderr((s) => /\(or open (\S+)\)/.test(s));
  assert.match(stderr, /^Open http:\/\/127\.0\.0\.1:\d+\/device and enter the code [A-Z]{4}-[A-Z]{4}\n/);
  await idp.approveDevice(/\(or open (\S+)\)/.exec(stderr)![1]!, username);
  const result = await run.done;
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/** The value part of a Set-Cookie line, ready for a Cookie header. */
function cookiePair(setCookie: string | undefined): string {
  assert.ok(setCookie, 'expected a Set-Cookie header');
  return setCookie.split(';')[0]!;
}

/** A browser sign-in as `username`: /auth/login → the provider's form → /auth/callback. Returns the callback's response. */
async function browserSignIn(jitd: JitdProcess, idp: OidcProviderFixture, username: string, returnTo: string): Promise<Response> {
  const start = await fetch(`${jitd.url}/auth/login?return=${encodeURIComponent(returnTo)}`, { redirect: 'manual' });
  assert.equal(start.status, 303, await start.text());
  const signIn = start.headers.getSetCookie().find((c) => c.startsWith('jitd_signin='));
  assert.match(signIn ?? '', /^jitd_signin=[\w-]+; Path=\/auth; Max-Age=600; HttpOnly; SameSite=Lax$/);
  const callback = await idp.signInWithCode(start.headers.get('location')!, username);
  assert.ok(callback.startsWith(`${jitd.url}/auth/callback?`), callback);
  return fetch(callback, { redirect: 'manual', headers: { cookie: cookiePair(signIn) } });
}

describe('signing in to jitd through an OpenID Connect provider', () => {
  let slapd: Slapd;
  let idp: OidcProviderFixture;
  let jitd: JitdProcess;
  let shortJitd: JitdProcess;

  before(async () => {
    slapd = await startSlapd({ users: ['u-alice', 'u-bob', 'u-carol', 'u-dave'] });
    idp = await startOidcProvider({ devicePollIntervalSeconds: 0.2 });
    const dbAdmins = await slapd.addGroup('db-admins', [slapd.placeholderDn]);
    const aliceOnly = await slapd.addGroup('alice-only', [slapd.placeholderDn]);
    const role = (group: string, eligible: string[]) => ({ description: 'test', connector: 'test-ldap', group, maxDuration: '4h', defaultDuration: '1h', eligible, approval: 'auto', requireReason: false });
    const oidc = { issuer: idp.issuer, clientId: idp.clients.web.id, clientSecret: idp.clients.web.secret, cliClientId: idp.clients.cli.id };
    const roles = {
      'db-admins': role(dbAdmins, ['group:db-leads']),
      'for-u-alice': role(aliceOnly, ['user:u-alice']),
      'for-username-alice': role(aliceOnly, ['user:alice']),
    };
    [jitd, shortJitd] = await Promise.all([
      startJitdProcess({ slapd, oidc, roles }),
      startJitdProcess({ slapd, groupCn: 'short-admins', oidc: { ...oidc, sessionDuration: '3s' } }),
    ]);
    idp.setRedirectUris([`${jitd.url}/auth/callback`]);
  });
  after(async () => {
    await Promise.all([jitd?.stop(), shortJitd?.stop()]);
    await idp?.stop();
    await slapd?.destroy();
  });

  test('jitd login signs in with the device flow, keeps the session 0600, and whoami shows the sub, name and groups', async () => {
    const result = await cliLogin(jitd, idp, 'bob');
    assert.match(result.stdout, /^Signed in to http:\/\/127\.0\.0\.1:\d+ as Bob Baker \(u-bob; groups: engineers, db-leads\) until \S+, renewed automatically\n$/);
    const path = loginFile(jitd, 'bob');
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(jitd.dir, 'home-bob', 'jitd'))).mode & 0o777, 0o700);
    const saved = JSON.parse(await readFile(path, 'utf8')) as SavedLogin;
    assert.equal(saved.server, jitd.url);
    assert.match(saved.token, /^jitd_s_/);
    assert.equal(saved.issuer, idp.issuer);
    assert.equal(saved.clientId, 'jitd-cli');
    assert.ok(saved.refreshToken);

    const whoami = await jitd.cli(undefined, ['whoami', '-o', 'json'], homeOf(jitd, 'bob'));
    assert.equal(whoami.code, 0, whoami.stderr);
    const me = JSON.parse(whoami.stdout) as Me;
    assert.deepEqual([me.principal, me.displayName, me.groups, me.admin, me.csrfToken], ['u-bob', 'Bob Baker', ['engineers', 'db-leads'], false, undefined]);
  });

  test('the groups claim decides eligibility: a db-lead gets db-admins in LDAP, an engineer does not', async () => {
    const bob = await jitd.cli(undefined, ['request', 'db-admins', '--for', '1h', '-o', 'json'], homeOf(jitd, 'bob'));
    assert.equal(bob.code, 0, bob.stderr);
    assert.ok((await slapd.members(slapd.groupDn('db-admins'))).includes(slapd.userDn('u-bob')));
    await cliLogin(jitd, idp, 'alice');
    const alice = await jitd.cli(undefined, ['request', 'db-admins', '--for', '1h'], homeOf(jitd, 'alice'));
    assert.equal(alice.code, 4);
    assert.equal(alice.stderr, 'jitd: u-alice is not eligible for role db-admins\n');
  });

  test('policy sees the provider\'s sub, not the username: user:u-alice is eligible, user:alice is not', async () => {
    const bySub = await jitd.cli(undefined, ['request', 'for-u-alice', '--for', '1h', '-o', 'json'], homeOf(jitd, 'alice'));
    assert.equal(bySub.code, 0, bySub.stderr);
    assert.ok((await slapd.members(slapd.groupDn('alice-only'))).includes(slapd.userDn('u-alice')));
    const byUsername = await jitd.cli(undefined, ['request', 'for-username-alice', '--for', '1h'], homeOf(jitd, 'alice'));
    assert.equal(byUsername.stderr, 'jitd: u-alice is not eligible for role for-username-alice\n');
  });

  test('an expired session is renewed with the refresh token without asking, and saved', async () => {
    await cliLogin(shortJitd, idp, 'carol');
    const before = JSON.parse(await readFile(loginFile(shortJitd, 'carol'), 'utf8')) as SavedLogin;
    await new Promise((r) => setTimeout(r, 3_500));
    const old = await fetch(`${shortJitd.url}/v1/me`, { headers: { authorization: `Bearer ${before.token}` } });
    assert.equal(old.status, 401);
    assert.equal(((await old.json()) as { error: { message: string } }).error.message, `this token expired at ${before.expiresAt}; sign in again with jitd login`);

    const whoami = await shortJitd.cli(undefined, ['whoami', '-o', 'json'], homeOf(shortJitd, 'carol'));
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.equal((JSON.parse(whoami.stdout) as Me).principal, 'u-carol');
    const renewed = JSON.parse(await readFile(loginFile(shortJitd, 'carol'), 'utf8')) as SavedLogin;
    assert.notEqual(renewed.token, before.token);
    assert.ok(Date.parse(renewed.expiresAt) > Date.parse(before.expiresAt));
    assert.equal((await stat(loginFile(shortJitd, 'carol'))).mode & 0o777, 0o600);
  });

  test('jitd logout revokes the session and forgets it', async () => {
    await cliLogin(jitd, idp, 'dave');
    const saved = JSON.parse(await readFile(loginFile(jitd, 'dave'), 'utf8')) as SavedLogin;
    const out = await jitd.cli(undefined, ['logout'], homeOf(jitd, 'dave'));
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, `Signed out of ${jitd.url}\n`);
    await assert.rejects(stat(loginFile(jitd, 'dave')), { code: 'ENOENT' });
    const after = await fetch(`${jitd.url}/v1/me`, { headers: { authorization: `Bearer ${saved.token}` } });
    assert.equal(after.status, 401);
    assert.equal(((await after.json()) as { error: { message: string } }).error.message, 'this token was revoked; sign in again with jitd login');
    const whoami = await jitd.cli(undefined, ['whoami'], homeOf(jitd, 'dave'));
    assert.equal(whoami.code, 4);
    assert.equal(whoami.stderr, 'jitd: missing bearer token (send "Authorization: Bearer <token>") (no token: run jitd login, or set --token or JITD_TOKEN)\n');
  });

  test('the browser signs in with the code flow: an HttpOnly cookie, the CSRF value from /v1/me, and POSTs refused without it', async () => {
    const callback = await browserSignIn(jitd, idp, 'carol', '/v1/me?x=1');
    assert.equal(callback.status, 303, await callback.text());
    assert.equal(callback.headers.get('location'), '/v1/me?x=1');
    const session = callback.headers.getSetCookie().find((c) => c.startsWith('jitd_session='));
    assert.match(session ?? '', /^jitd_session=jitd_s_[\w-]+; Path=\/; Max-Age=43[12]\d\d; HttpOnly; SameSite=Lax$/);
    const cookie = cookiePair(session);

    const me = (await (await fetch(`${jitd.url}/v1/me`, { headers: { cookie } })).json()) as Me;
    assert.deepEqual([me.principal, me.displayName, me.groups], ['u-carol', 'Carol Chen', ['db-leads', 'security']]);
    assert.match(me.csrfToken ?? '', /^[\w-]{43}$/);

    const body = JSON.stringify({ description: 'from the portal', scopes: ['read'] });
    const withoutCsrf = await fetch(`${jitd.url}/v1/tokens`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
    assert.equal(withoutCsrf.status, 403);
    assert.equal(((await withoutCsrf.json()) as { error: { message: string } }).error.message, 'this request was sent with the jitd_session cookie but without a valid X-Jitd-CSRF header (send the csrfToken from GET /v1/me)');
    const withCsrf = await fetch(`${jitd.url}/v1/tokens`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-jitd-csrf': me.csrfToken! }, body });
    assert.equal(withCsrf.status, 201, await withCsrf.clone().text());

    const logoutWithout = await fetch(`${jitd.url}/auth/logout`, { method: 'POST', headers: { cookie } });
    assert.equal(logoutWithout.status, 403);
    const logout = await fetch(`${jitd.url}/auth/logout`, { method: 'POST', headers: { cookie, 'x-jitd-csrf': me.csrfToken! } });
    assert.equal(logout.status, 200);
    assert.match(logout.headers.getSetCookie()[0] ?? '', /^jitd_session=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/);
    assert.equal((await fetch(`${jitd.url}/v1/me`, { headers: { cookie } })).status, 401);
  });

  test('after sign-in the browser goes only to a path on jitd, never to another site', async () => {
    for (const evil of ['https://evil.example/phish', '//evil.example/phish', '/\\evil.example']) {
      const callback = await browserSignIn(jitd, idp, 'alice', evil);
      assert.equal(callback.status, 303);
      assert.equal(callback.headers.get('location'), '/', `return=${evil}`);
    }
  });

  test('a sign-in cancelled at the provider shows a page saying so, with a link to try again', async () => {
    const start = await fetch(`${jitd.url}/auth/login?return=/portal`, { redirect: 'manual' });
    const signIn = cookiePair(start.headers.getSetCookie().find((c) => c.startsWith('jitd_signin=')));
    const callback = await idp.cancelSignIn(start.headers.get('location')!);
    const page = await fetch(callback, { redirect: 'manual', headers: { cookie: signIn } });
    assert.equal(page.status, 401);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    assert.match(html, new RegExp(`<p role="alert">sign-in was denied at ${idp.issuer.replace(/\./g, '\\.')}: End-User aborted interaction</p>`));
    assert.match(html, /<a href="\/auth\/login\?return=%2Fportal">Try signing in again<\/a>/);
  });

  test('a callback opened in another browser (without the sign-in cookie) is refused', async () => {
    const start = await fetch(`${jitd.url}/auth/login`, { redirect: 'manual' });
    const callback = await idp.signInWithCode(start.headers.get('location')!, 'alice');
    const page = await fetch(callback, { redirect: 'manual' });
    assert.equal(page.status, 400);
    assert.match(await page.text(), /This sign-in was started in another browser; please start again here\./);
  });

  test('API tokens: created with scopes, shown once, refused beyond their scopes, listed, revoked', async () => {
    const env = homeOf(jitd, 'bob');
    const created = await jitd.cli(undefined, ['token', 'create', '--description', 'ci read-only', '--scope', 'read', '--expires-in', '30d', '-o', 'json'], env);
    assert.equal(created.code, 0, created.stderr);
    const { token, info } = JSON.parse(created.stdout) as { token: string; info: { id: string; scopes: string[]; expiresAt: string } };
    assert.match(token, /^jitd_a_[\w-]{43}$/);
    assert.deepEqual(info.scopes, ['read']);
    assert.ok(Math.abs(Date.parse(info.expiresAt) - Date.now() - 30 * 86_400_000) < 60_000);

    const asToken = { JITD_TOKEN: token };
    const whoami = await jitd.cli(undefined, ['whoami', '-o', 'json'], asToken);
    assert.equal((JSON.parse(whoami.stdout) as Me).principal, 'u-bob');
    const request = await jitd.cli(undefined, ['request', 'db-admins'], asToken);
    assert.equal(request.code, 4);
    assert.equal(request.stderr, 'jitd: this token lacks the `request` scope (it has: read)\n');
    const tooMuch = await jitd.cli(undefined, ['token', 'create', '--scope', 'read,admin'], homeOf(jitd, 'alice'));
    assert.equal(tooMuch.stderr, 'jitd: only admins can create tokens with the `admin` scope\n');
    const readRequest = await jitd.json<{ token: string }>('bob', ['token', 'create', '--scope', 'read,request', '--description', 'made by a config token']);
    const tokenMakingToken = await jitd.cli(undefined, ['token', 'create'], { JITD_TOKEN: readRequest.token });
    assert.equal(tokenMakingToken.stderr, 'jitd: API tokens cannot create tokens; sign in (jitd login) and create it from your session\n');

    const list = await jitd.cli(undefined, ['token', 'list', '-o', 'json'], env);
    const { tokens } = JSON.parse(list.stdout) as { tokens: { id: string; kind: string; current?: boolean; description?: string }[] };
    assert.deepEqual(tokens.map((t) => [t.kind, t.description, t.current === true]), [
      ['api', 'ci read-only', false],
      ['session', undefined, true],
    ]);
    const revoked = await jitd.cli(undefined, ['token', 'revoke', info.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    const after = await jitd.cli(undefined, ['whoami'], asToken);
    assert.equal(after.stderr, 'jitd: this token was revoked\n');
    const othersToken = await jitd.cli(undefined, ['token', 'revoke', tokens[1]!.id], homeOf(jitd, 'alice'));
    assert.equal(othersToken.stderr, `jitd: no token ${tokens[1]!.id}\n`);
  });

  test('sign-ins and token changes are in the audit trail, with who and what, never the token', async () => {
    const response = await fetch(`${jitd.url}/v1/audit?limit=1000`, { headers: { authorization: `Bearer ${jitd.tokens.dave}` } });
    assert.equal(response.status, 200);
    const { events } = (await response.json()) as { events: AuditJson[] };
    const auth = events.filter((e) => e.type.startsWith('auth.'));
    const signedIn = auth.find((e) => e.type === 'auth.signed_in' && e.actor === 'u-bob');
    assert.ok(signedIn, JSON.stringify(auth));
    assert.deepEqual(Object.keys(signedIn.data).sort(), ['clientId', 'expiresAt', 'issuer', 'kind', 'principal', 'scopes', 'tokenId']);
    assert.deepEqual([signedIn.data.kind, signedIn.data.issuer, signedIn.data.clientId, signedIn.data.scopes], ['session', idp.issuer, 'jitd-cli', ['read', 'request', 'approve', 'admin', 'audit']]);
    assert.ok(auth.some((e) => e.type === 'auth.signed_in' && e.actor === 'u-carol' && e.data.clientId === 'jitd-web'), 'the browser sign-in names the web client');
    const created = auth.find((e) => e.type === 'auth.token_created' && e.data.description === 'ci read-only');
    assert.deepEqual(created && [created.actor, created.data.kind, created.data.scopes], ['u-bob', 'api', ['read']]);
    const revoked = auth.find((e) => e.type === 'auth.token_revoked' && e.data.tokenId === created?.data.tokenId);
    assert.equal(revoked?.actor, 'u-bob');
    assert.ok(auth.some((e) => e.type === 'auth.token_revoked' && e.actor === 'u-dave'), 'logout is audited');
    assert.doesNotMatch(JSON.stringify(events), /jitd_[sa]_/);
  });
});

describe('jitd with an OIDC provider that cannot be reached', () => {
  let slapd: Slapd;
  let jitd: JitdProcess;
  let issuer: string;

  before(async () => {
    slapd = await startSlapd();
    issuer = `http://127.0.0.1:${await freePort()}`;
    jitd = await startJitdProcess({ slapd, oidc: { issuer, clientId: 'jitd-web', clientSecret: 'unused', cliClientId: 'jitd-cli' } });
  });
  after(async () => {
    await jitd?.stop();
    await slapd?.destroy();
  });

  test('jitd still starts and config-file tokens work', async () => {
    const whoami = await jitd.cli('bob', ['whoami']);
    assert.equal(whoami.code, 0, whoami.stderr);
  });

  test('browser sign-in and the ID token exchange answer 503 naming the issuer', async () => {
    const page = await fetch(`${jitd.url}/auth/login`, { redirect: 'manual' });
    assert.equal(page.status, 503);
    assert.match(await page.text(), new RegExp(`sign-in is unavailable: the OIDC provider ${issuer.replace(/\./g, '\\.')} cannot be used yet \\(cannot reach the OIDC provider ${issuer.replace(/\./g, '\\.')}: connect ECONNREFUSED`));
    const exchange = await fetch(`${jitd.url}/v1/auth/oidc/exchange`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ idToken: 'x.y.z' }) });
    assert.equal(exchange.status, 503);
  });
});
