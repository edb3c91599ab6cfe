// Browser sign-in (authorization-code flow with PKCE) for the portal: /auth/login sends the browser to the
// provider, /auth/callback turns the provider's answer into a `jitd_session` cookie, POST /auth/logout ends
// it. The state, nonce and PKCE verifier of a sign-in in progress stay in this process's memory, keyed by
// state, and the browser holds the state in a short-lived `jitd_signin` cookie: a callback URL opened in
// another browser (login CSRF) finds no matching cookie and is refused.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { JitdError } from '../core/errors.ts';
import { buildSignInUrl, finishSignIn, type SignInChecks } from '../identity/oidc-client.ts';
import { startSession } from '../identity/sign-in-session.ts';
import { cookieValue, SESSION_COOKIE, type Authenticator } from './auth.ts';
import { toErrorResponse } from './http-errors.ts';
import { revokeOwnSession, type IdentityDeps } from './identity-routes.ts';

const SIGN_IN_COOKIE = 'jitd_signin';
const SIGN_IN_TTL_MS = 10 * 60_000;
/** Sign-ins in progress kept at most; the oldest are dropped first (each is a browser that went away). */
const MAX_PENDING = 10_000;

export interface BrowserAuthOptions extends IdentityDeps {
  readonly authenticator: Authenticator;
  readonly publicUrl: string;
  /** Adds `Secure` to cookies: jitd is served over TLS (itself or behind a TLS proxy, per publicUrl). */
  readonly secureCookies: boolean;
  readonly log: Logger;
}

interface PendingSignIn {
  readonly checks: SignInChecks;
  readonly returnTo: string;
  readonly expiresAt: number;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} - jitd</title></head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

/**
 * Where to send the browser after signing in: only a path on this server. `//evil.example`, `/\evil.example`,
 * absolute URLs and anything with control characters become `/` (no open redirect).
 */
export function localReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value) || value.length > 2000) return '/';
  const parsed = new URL(value, 'http://jitd.invalid');
  return parsed.origin === 'http://jitd.invalid' ? `${parsed.pathname}${parsed.search}${parsed.hash}` : '/';
}

function cookie(name: string, value: string, options: { path: string; maxAgeSeconds: number; secure: boolean }): string {
  return `${name}=${value}; Path=${options.path}; Max-Age=${options.maxAgeSeconds}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}

function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(page(title, body));
}

export function registerBrowserAuth(app: FastifyInstance, options: BrowserAuthOptions): void {
  const pending = new Map<string, PendingSignIn>();
  const redirectUri = `${options.publicUrl}/auth/callback`;
  const secure = options.secureCookies;

  const tryAgain = (returnTo: string) => `<p><a href="/auth/login?return=${encodeURIComponent(returnTo)}">Try signing in again</a></p>`;

  const prune = (now: number): void => {
    for (const [state, entry] of pending) if (entry.expiresAt <= now) pending.delete(state);
    while (pending.size >= MAX_PENDING) {
      const oldest = pending.keys().next().value;
      if (oldest === undefined) break;
      pending.delete(oldest);
    }
  };

  const failure = (reply: FastifyReply, error: unknown, returnTo: string): FastifyReply => {
    const response = toErrorResponse(error);
    if (!response.exposed) options.log.error({ err: error }, 'browser sign-in failed');
    return sendPage(reply, response.status, 'Sign-in failed', `<p role="alert">${escapeHtml(response.body.error.message)}</p>\n${tryAgain(returnTo)}`);
  };

  app.get('/auth/login', async (request: FastifyRequest<{ Querystring: { return?: string } }>, reply) => {
    const returnTo = localReturnPath(request.query.return);
    try {
      if (options.oidc === undefined) throw new JitdError('not_found', 'this jitd has no OIDC sign-in configured (identities.oidc)');
      const { oidc } = await options.oidc.ready();
      const signIn = await buildSignInUrl(oidc, redirectUri);
      const now = options.clock.now().getTime();
      prune(now);
      pending.set(signIn.checks.state, { checks: signIn.checks, returnTo, expiresAt: now + SIGN_IN_TTL_MS });
      return reply
        .header('set-cookie', cookie(SIGN_IN_COOKIE, signIn.checks.state, { path: '/auth', maxAgeSeconds: SIGN_IN_TTL_MS / 1000, secure }))
        .header('cache-control', 'no-store')
        .redirect(signIn.url.href, 303);
    } catch (error) {
      return failure(reply, error, returnTo);
    }
  });

  app.get('/auth/callback', async (request: FastifyRequest<{ Querystring: Record<string, string | undefined> }>, reply) => {
    const state = request.query.state;
    const entry = state === undefined ? undefined : pending.get(state);
    const returnTo = entry?.returnTo ?? '/';
    const clearSignIn = cookie(SIGN_IN_COOKIE, '', { path: '/auth', maxAgeSeconds: 0, secure });
    if (entry === undefined || state === undefined || entry.expiresAt <= options.clock.now().getTime()) {
      if (state !== undefined) pending.delete(state);
      return sendPage(reply.header('set-cookie', clearSignIn), 400, 'Sign-in expired', `<p role="alert">This sign-in has expired or was already used; please start again.</p>\n${tryAgain(returnTo)}`);
    }
    // Used once, whatever happens next.
    pending.delete(state);
    if (cookieValue(request.headers.cookie, SIGN_IN_COOKIE) !== state) {
      return sendPage(reply.header('set-cookie', clearSignIn), 400, 'Sign-in refused', `<p role="alert">This sign-in was started in another browser; please start again here.</p>\n${tryAgain(returnTo)}`);
    }
    void reply.header('set-cookie', clearSignIn);
    try {
      if (options.oidc === undefined) throw new JitdError('not_found', 'this jitd has no OIDC sign-in configured (identities.oidc)');
      const { oidc } = await options.oidc.ready();
      const tokens = await finishSignIn(oidc, request.url, entry.checks);
      const session = await startSession({ oidc: options.oidc, store: options.store, clock: options.clock, newId: options.newId }, tokens.idToken);
      const maxAge = Math.max(0, Math.floor((session.token.expiresAt.getTime() - options.clock.now().getTime()) / 1000));
      return reply
        .header('set-cookie', [clearSignIn, cookie(SESSION_COOKIE, session.secret, { path: '/', maxAgeSeconds: maxAge, secure })])
        .header('cache-control', 'no-store')
        .redirect(returnTo, 303);
    } catch (error) {
      return failure(reply, error, returnTo);
    }
  });

  app.post('/auth/logout', async (request, reply) => {
    // The same checks as every API call: a valid session cookie and, for this POST, the CSRF header.
    const caller = await options.authenticator.authenticate(request);
    await revokeOwnSession(options, caller);
    return reply.header('set-cookie', cookie(SESSION_COOKIE, '', { path: '/', maxAgeSeconds: 0, secure })).send({ signedOut: true });
  });
}
