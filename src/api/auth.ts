// Bearer-token authentication for this first version: tokens are configured as SHA-256 hashes mapped to a
// principal and its groups. OIDC will produce the same Caller shape.
import { createHash } from 'node:crypto';
import { JitdError } from '../core/errors.ts';
import { PrincipalId } from '../core/ids.ts';
import { matchesAny, type SubjectRef } from '../core/principal.ts';
import type { TokenIdentity } from '../config/types.ts';
import type { Caller } from '../engine/caller.ts';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export class TokenAuthenticator {
  private readonly byHash: ReadonlyMap<string, TokenIdentity>;
  private readonly admins: readonly SubjectRef[];
  private readonly auditors: readonly SubjectRef[];

  constructor(tokens: readonly TokenIdentity[], authorization: { admins: readonly SubjectRef[]; auditors: readonly SubjectRef[] }) {
    this.byHash = new Map(tokens.map((t) => [t.tokenSha256.toLowerCase(), t]));
    this.admins = authorization.admins;
    this.auditors = authorization.auditors;
  }

  /** Resolves an `Authorization` header to a caller, or throws `unauthenticated` with what is wrong. */
  authenticate(header: string | undefined): Caller {
    if (!header) throw new JitdError('unauthenticated', 'missing bearer token (send "Authorization: Bearer <token>")');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new JitdError('unauthenticated', 'malformed Authorization header (expected "Bearer <token>")');
    const identity = this.byHash.get(sha256Hex(match[1]!));
    if (!identity) throw new JitdError('unauthenticated', 'invalid token');
    const principal = {
      id: PrincipalId(identity.principal),
      groups: identity.groups,
      ...(identity.displayName ? { displayName: identity.displayName } : {}),
    };
    return { principal, isAdmin: matchesAny(principal, this.admins), isAuditor: matchesAny(principal, this.auditors) };
  }
}
