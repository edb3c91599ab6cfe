// The identity API: what `jitd login` needs to find the provider, the exchange of an ID token for a jitd
// session, and the tokens a person holds (list, create, revoke). Scopes per route: route-scopes.ts.
import { z } from 'zod';
import { TOKEN_SCOPES, type AccessToken, type TokenScope } from '../core/access-token.ts';
import { tryParseDuration } from '../core/duration.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../core/errors.ts';
import { PrincipalId } from '../core/ids.ts';
import { canSeeAll, type Caller } from '../engine/caller.ts';
import type { Clock } from '../engine/deps.ts';
import { issueToken, tokenEvent } from '../identity/issue-token.ts';
import type { OidcService } from '../identity/oidc-service.ts';
import { startSession } from '../identity/sign-in-session.ts';
import type { Store } from '../store/store.ts';
import { describeScopes } from './auth.ts';
import { route, type Route } from './route.ts';

const DAY_MS = 86_400_000;
export const DEFAULT_TOKEN_LIFETIME = '90d';
export const MAX_TOKEN_LIFETIME_MS = 365 * DAY_MS;

export interface IdentityDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly newId: (prefix: string) => string;
  /** Absent when identities.oidc is not configured. */
  readonly oidc?: OidcService;
}

const exchangeBody = z.strictObject({ idToken: z.string().min(1, { error: 'the ID token from the provider' }) });
const tokenListQuery = z.strictObject({
  principal: z.string().min(1).optional(),
  all: z.stringbool().optional(),
  includeEnded: z.stringbool().optional(),
});
const createTokenBody = z.strictObject({
  description: z.string().trim().min(1).max(200).optional(),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, { error: 'name at least one scope' }).optional(),
  expiresIn: z.string().optional(),
});

/** 1y is 365 days; anything else is a duration as everywhere in jitd (90d, 12h). */
function lifetimeMs(text: string): number {
  const years = /^(\d+)y$/.exec(text.trim());
  const ms = years ? Number(years[1]) * 365 * DAY_MS : tryParseDuration(text);
  if (ms === undefined || ms <= 0) throw InvalidInputError.of([{ path: 'expiresIn', message: `"${text}" is not a duration (e.g. 30d, 90d, 1y)` }]);
  if (ms > MAX_TOKEN_LIFETIME_MS) throw InvalidInputError.of([{ path: 'expiresIn', message: `at most 1y (365d), got ${text}` }]);
  return ms;
}

/** A token as its owner and admins see it: never the secret, never its hash. */
export function tokenView(token: AccessToken, caller?: Caller) {
  return {
    id: token.id,
    kind: token.kind,
    principal: token.principal,
    displayName: token.displayName,
    scopes: token.scopes,
    description: token.description,
    createdAt: token.createdAt.toISOString(),
    createdBy: token.createdBy,
    expiresAt: token.expiresAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString(),
    current: caller?.tokenId === token.id ? true : undefined,
  };
}
export type TokenView = ReturnType<typeof tokenView>;

function oidcOf(deps: IdentityDeps): OidcService {
  if (deps.oidc === undefined) throw new NotFoundError('this jitd has no OIDC sign-in configured (identities.oidc)');
  return deps.oidc;
}

async function revoke(deps: IdentityDeps, caller: Caller, id: string): Promise<AccessToken> {
  const token = await deps.store.getAccessToken(id);
  if (!token || (token.principal !== caller.principal.id && !caller.isAdmin)) throw new NotFoundError(`no token ${id}`);
  if (token.revokedAt !== undefined) return token;
  const now = deps.clock.now();
  await deps.store.commit({
    revokeAccessTokens: [{ id: token.id, revokedAt: now }],
    events: [tokenEvent('auth.token_revoked', caller.principal.id, now, token)],
  });
  return { ...token, revokedAt: now };
}

/** Ends the caller's own sign-in session (jitd logout, the portal's sign-out). */
export async function revokeOwnSession(deps: IdentityDeps, caller: Caller): Promise<AccessToken> {
  if (caller.tokenKind !== 'session' || caller.tokenId === undefined) throw InvalidInputError.of([{ path: 'token', message: 'only a sign-in session can sign out; revoke API tokens with jitd token revoke' }]);
  return revoke(deps, caller, caller.tokenId);
}

export function identityRoutes(deps: IdentityDeps): readonly Route[] {
  const { store, clock } = deps;
  return [
    route({
      method: 'GET',
      url: '/v1/auth/oidc',
      tag: 'identity',
      summary: 'The OIDC provider and public client `jitd login` signs in with (404 when sign-in is not configured)',
      auth: 'handler',
      handler: async () => {
        const oidc = oidcOf(deps);
        return { body: { issuer: oidc.settings.issuer, cliClientId: oidc.cliClientId, scopes: oidc.settings.scopes, allowInsecureHttp: oidc.settings.allowInsecureHttp || undefined } };
      },
    }),
    route<z.output<typeof exchangeBody>>({
      method: 'POST',
      url: '/v1/auth/oidc/exchange',
      tag: 'identity',
      summary: 'Exchange a fresh ID token from the provider for a jitd session token (shown once)',
      auth: 'handler',
      body: exchangeBody,
      okStatus: 201,
      handler: async ({ body }) => {
        const session = await startSession({ oidc: oidcOf(deps), store, clock, newId: deps.newId }, body.idToken);
        return {
          status: 201,
          body: {
            token: session.secret,
            tokenId: session.token.id,
            expiresAt: session.token.expiresAt.toISOString(),
            principal: session.principal.id,
            displayName: session.principal.displayName,
            email: session.principal.email,
            groups: session.principal.groups,
          },
        };
      },
    }),
    route({
      method: 'POST',
      url: '/v1/auth/logout',
      tag: 'identity',
      summary: "End the caller's own sign-in session",
      handler: async ({ caller }) => ({ body: { token: tokenView(await revokeOwnSession(deps, caller)) } }),
    }),
    route<undefined, z.output<typeof tokenListQuery>>({
      method: 'GET',
      url: '/v1/tokens',
      tag: 'identity',
      summary: "The caller's sessions and API tokens, newest first (admins: ?principal= or ?all=true)",
      query: tokenListQuery,
      handler: async ({ caller, query }) => {
        if ((query.principal !== undefined && query.principal !== caller.principal.id) || query.all === true) {
          if (!caller.isAdmin) throw new ForbiddenError("only admins can list other people's tokens");
        }
        const principal = query.all === true ? undefined : PrincipalId(query.principal ?? caller.principal.id);
        const tokens = await store.listAccessTokens({
          now: clock.now(),
          ...(principal === undefined ? {} : { principal }),
          ...(query.includeEnded === true ? { includeEnded: true } : {}),
          limit: 1000,
        });
        return { body: { tokens: tokens.map((t) => tokenView(t, caller)) } };
      },
    }),
    route<z.output<typeof createTokenBody>>({
      method: 'POST',
      url: '/v1/tokens',
      tag: 'identity',
      summary: 'Create an API token for the caller (default scopes read, request; default lifetime 90d, at most 1y); the token is shown once',
      body: createTokenBody,
      okStatus: 201,
      handler: async ({ caller, body }) => {
        // An API token making tokens could outlive its own expiry forever; people make them from a session.
        if (caller.tokenKind === 'api') throw new ForbiddenError('API tokens cannot create tokens; sign in (jitd login) and create it from your session');
        const scopes: readonly TokenScope[] = body.scopes ?? ['read', 'request'];
        // `host` only reads the SSH CA key and KRL, which any host may know: anyone may hand it out.
        const beyond = scopes.filter((s) => s !== 'host' && caller.scopes?.has(s) !== true);
        if (beyond.length > 0) {
          throw new ForbiddenError(`a token cannot have scopes its creator lacks: ${beyond.map((s) => `\`${s}\``).join(', ')} (yours: ${describeScopes(caller.scopes)})`);
        }
        // A session has every scope, but `admin` and `audit` mean something only for admins and auditors.
        if (scopes.includes('admin') && !caller.isAdmin) throw new ForbiddenError('only admins can create tokens with the `admin` scope');
        if (scopes.includes('audit') && !canSeeAll(caller)) throw new ForbiddenError('only admins and auditors can create tokens with the `audit` scope');
        const now = clock.now();
        const issued = issueToken({
          id: deps.newId('token'),
          kind: 'api',
          principal: caller.principal.id,
          ...(caller.principal.displayName === undefined ? {} : { displayName: caller.principal.displayName }),
          groups: caller.principal.groups,
          scopes: TOKEN_SCOPES.filter((s) => scopes.includes(s)),
          ...(body.description === undefined ? {} : { description: body.description }),
          createdBy: caller.principal.id,
          now,
          lifetimeMs: lifetimeMs(body.expiresIn ?? DEFAULT_TOKEN_LIFETIME),
        });
        await store.commit({ insertAccessTokens: [issued.token], events: [tokenEvent('auth.token_created', caller.principal.id, now, issued.token)] });
        return { status: 201, body: { token: issued.secret, info: tokenView(issued.token) } };
      },
    }),
    route({
      method: 'POST',
      url: '/v1/tokens/:id/revoke',
      tag: 'identity',
      summary: "Revoke one of the caller's tokens or sessions now (admins: anyone's)",
      handler: async ({ caller, params }) => ({ body: { token: tokenView(await revoke(deps, caller, params.id!), caller) } }),
    }),
  ];
}
