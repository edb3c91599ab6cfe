// Who is calling: one authenticator for the three ways in.
// (a) tokens from jitd.yaml (identities.tokens: SHA-256 → principal and groups; every scope, as before scopes existed),
// (b) tokens jitd issued and stored (sign-in sessions and API tokens), sent as "Authorization: Bearer",
// (c) the portal's `jitd_session` cookie, holding a stored session token. A cookie is sent by the browser on
//     its own, so a state-changing request that relies on it must also carry X-Jitd-CSRF, which only a page
//     that read GET /v1/me knows. Bearer tokens are never sent on their own and need no such header.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { TOKEN_SCOPES, type AccessToken, type TokenScope } from '../core/access-token.ts';
import { ForbiddenError, JitdError } from '../core/errors.ts';
import { PrincipalId } from '../core/ids.ts';
import { matchesAny, type Principal, type SubjectRef } from '../core/principal.ts';
import type { TokenIdentity } from '../config/types.ts';
import type { Caller } from '../engine/caller.ts';
import type { Clock } from '../engine/deps.ts';
import type { Store } from '../store/store.ts';

export const SESSION_COOKIE = 'jitd_session';
export const CSRF_HEADER = 'x-jitd-csrf';
/** A token's last use is written at most this often (it is a statistic, not worth a write per request). */
const TOUCH_INTERVAL_MS = 60_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The CSRF value of a session: an HMAC keyed by the session token itself. Only someone holding the token can
 * compute it, it needs no storage, and it stays the same across restarts and jitd instances. The stored
 * SHA-256 of the token does not reveal it.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('jitd csrf v1').digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The value of one cookie in a Cookie header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

/** What the authenticator reads of an HTTP request. */
export interface AuthRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AuthenticatorOptions {
  readonly tokens: readonly TokenIdentity[];
  readonly authorization: { readonly admins: readonly SubjectRef[]; readonly auditors: readonly SubjectRef[] };
  readonly store: Store;
  readonly clock: Clock;
  readonly log?: Logger;
}

function header(request: AuthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export class Authenticator {
  private readonly byHash: ReadonlyMap<string, TokenIdentity>;
  private readonly options: AuthenticatorOptions;
  /** Token id → when its last use was last written. */
  private readonly touched = new Map<string, number>();

  constructor(options: AuthenticatorOptions) {
    this.options = options;
    this.byHash = new Map(options.tokens.map((t) => [t.tokenSha256.toLowerCase(), t]));
  }

  /** Resolves a request to a caller, or throws `unauthenticated` (401) / `forbidden` (403, CSRF) saying what is wrong. */
  async authenticate(request: AuthRequest): Promise<Caller> {
    const authorization = header(request, 'authorization');
    if (authorization !== undefined && authorization !== '') {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!match) throw new JitdError('unauthenticated', 'malformed Authorization header (expected "Bearer <token>")');
      return this.bearer(match[1]!);
    }
    const cookie = cookieValue(header(request, 'cookie'), SESSION_COOKIE);
    if (cookie === undefined) throw new JitdError('unauthenticated', 'missing bearer token (send "Authorization: Bearer <token>")');
    const caller = await this.stored(cookie, 'cookie');
    if (caller.tokenKind !== 'session') throw new JitdError('unauthenticated', `the ${SESSION_COOKIE} cookie must hold a sign-in session; sign in again`);
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const sent = header(request, CSRF_HEADER);
      if (sent === undefined || !sameText(sent, caller.csrfToken ?? '')) {
        throw new ForbiddenError(`this request was sent with the ${SESSION_COOKIE} cookie but without a valid X-Jitd-CSRF header (send the csrfToken from GET /v1/me)`);
      }
    }
    return caller;
  }

  private bearer(token: string): Promise<Caller> | Caller {
    const identity = this.byHash.get(sha256Hex(token));
    if (identity) {
      const principal: Principal = {
        id: PrincipalId(identity.principal),
        groups: identity.groups,
        ...(identity.displayName ? { displayName: identity.displayName } : {}),
      };
      return this.caller(principal, new Set(TOKEN_SCOPES), { via: 'config-token' });
    }
    return this.stored(token, 'bearer');
  }

  private async stored(token: string, via: 'bearer' | 'cookie'): Promise<Caller> {
    const found = await this.options.store.findAccessToken(sha256Hex(token));
    if (!found) throw new JitdError('unauthenticated', via === 'cookie' ? 'your sign-in session is not known to jitd; sign in again' : 'invalid token');
    const now = this.options.clock.now();
    if (found.revokedAt !== undefined) throw new JitdError('unauthenticated', `this token was revoked${found.kind === 'session' ? '; sign in again with jitd login' : ''}`);
    if (found.expiresAt.getTime() <= now.getTime()) {
      const hint = found.kind === 'session' ? 'sign in again with jitd login' : 'create a new one with jitd token create';
      throw new JitdError('unauthenticated', `this token expired at ${found.expiresAt.toISOString()}; ${hint}`);
    }
    this.touch(found, now);
    const principal: Principal = { id: found.principal, groups: found.groups, ...(found.displayName === undefined ? {} : { displayName: found.displayName }) };
    return this.caller(principal, new Set(found.scopes), {
      via,
      tokenId: found.id,
      tokenKind: found.kind,
      ...(via === 'cookie' ? { csrfToken: csrfTokenFor(token) } : {}),
    });
  }

  private caller(principal: Principal, scopes: ReadonlySet<TokenScope>, extra: Omit<Caller, 'principal' | 'isAdmin' | 'isAuditor' | 'scopes'>): Caller {
    const { admins, auditors } = this.options.authorization;
    return {
      principal,
      isAdmin: scopes.has('admin') && matchesAny(principal, admins),
      isAuditor: scopes.has('audit') && matchesAny(principal, auditors),
      scopes,
      ...extra,
    };
  }

  private touch(token: AccessToken, now: Date): void {
    const last = this.touched.get(token.id);
    if (last !== undefined && now.getTime() - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(token.id, now.getTime());
    if (this.touched.size > 10_000) {
      // Forget the oldest entries; a forgotten token is merely touched again sooner.
      for (const id of [...this.touched.keys()].slice(0, 5_000)) this.touched.delete(id);
    }
    this.options.store.touchAccessToken(token.id, now).catch((err: unknown) => {
      this.options.log?.warn({ tokenId: token.id, err: (err as Error).message }, 'could not record a token\'s last use');
    });
  }
}

/** "read, request" (in TOKEN_SCOPES order), or "none". */
export function describeScopes(scopes: ReadonlySet<TokenScope> | undefined): string {
  const list = TOKEN_SCOPES.filter((s) => scopes?.has(s) === true);
  return list.length === 0 ? 'none' : list.join(', ');
}
