// From a verified ID token to a jitd session: the person is remembered, a session token is issued with
// every scope but `host`, and `auth.signed_in` is written in the same commit as the token. Shared by
// `POST /v1/auth/oidc/exchange` (jitd login) and the browser's /auth/callback.
import { decodeJwt } from 'jose';
import { TOKEN_SCOPES, type TokenScope } from '../core/access-token.ts';
import { JitdError } from '../core/errors.ts';
import type { Clock } from '../engine/deps.ts';
import type { Store } from '../store/store.ts';
import type { OidcPrincipal } from './id-token-verifier.ts';
import { issueToken, tokenEvent, type NewToken } from './issue-token.ts';
import type { OidcService } from './oidc-service.ts';

/** An ID token issued longer ago than this cannot start a session: a leaked old one is worth nothing. */
export const ID_TOKEN_MAX_AGE_MS = 5 * 60_000;
export const SESSION_SCOPES: readonly TokenScope[] = TOKEN_SCOPES.filter((s) => s !== 'host');

export interface SessionDeps {
  readonly oidc: OidcService;
  readonly store: Store;
  readonly clock: Clock;
  readonly newId: (prefix: string) => string;
}

export interface StartedSession extends NewToken {
  readonly principal: OidcPrincipal;
}

export async function startSession(deps: SessionDeps, idToken: string): Promise<StartedSession> {
  const { verifier } = await deps.oidc.ready();
  const now = deps.clock.now();
  const principal = await verifier.verify(idToken, now);
  const claims = decodeJwt(idToken);
  const issuedAt = (claims.iat ?? 0) * 1000;
  if (now.getTime() - issuedAt > ID_TOKEN_MAX_AGE_MS) {
    throw new JitdError('unauthenticated', `the ID token was issued at ${new Date(issuedAt).toISOString()}, more than ${ID_TOKEN_MAX_AGE_MS / 60_000} minutes ago; sign in again`);
  }
  const clientId = typeof claims.azp === 'string' ? claims.azp : Array.isArray(claims.aud) ? (claims.aud[0] ?? '') : (claims.aud ?? '');
  await deps.store.upsertPerson({
    principal: principal.id,
    displayName: principal.displayName,
    ...(principal.email === undefined ? {} : { email: principal.email }),
    groups: principal.groups,
    source: 'oidc',
    seenAt: now,
  });
  const issued = issueToken({
    id: deps.newId('session'),
    kind: 'session',
    principal: principal.id,
    displayName: principal.displayName,
    ...(principal.email === undefined ? {} : { email: principal.email }),
    groups: principal.groups,
    scopes: SESSION_SCOPES,
    createdBy: principal.id,
    now,
    lifetimeMs: deps.oidc.sessionDurationMs,
  });
  await deps.store.commit({
    insertAccessTokens: [issued.token],
    events: [tokenEvent('auth.signed_in', principal.id, now, issued.token, { issuer: deps.oidc.settings.issuer, clientId })],
  });
  return { ...issued, principal };
}
