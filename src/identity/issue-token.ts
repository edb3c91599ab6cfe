// Making the tokens jitd issues: a random secret shown once, and the AccessToken row that keeps only its
// SHA-256. Sessions start with `jitd_s_`, API tokens with `jitd_a_`, so a leaked one is easy to recognise
// (and to find with secret scanners).
import { createHash, randomBytes } from 'node:crypto';
import type { AccessToken } from '../core/access-token.ts';
import type { AuditEventDraft } from '../core/audit-event.ts';

export interface NewToken {
  /** The bearer secret: returned to its owner once, never stored or logged. */
  readonly secret: string;
  readonly token: AccessToken;
}

/** The token's facts as its issuer decides them; the secret, its hash and the times are made here. */
export type TokenRequest = Omit<AccessToken, 'tokenSha256' | 'createdAt' | 'expiresAt' | 'revokedAt' | 'lastUsedAt'> & {
  readonly now: Date;
  readonly lifetimeMs: number;
};

export function issueToken(request: TokenRequest): NewToken {
  const secret = `${request.kind === 'session' ? 'jitd_s_' : 'jitd_a_'}${randomBytes(32).toString('base64url')}`;
  const token: AccessToken = {
    id: request.id,
    kind: request.kind,
    tokenSha256: createHash('sha256').update(secret, 'utf8').digest('hex'),
    principal: request.principal,
    ...(request.displayName === undefined ? {} : { displayName: request.displayName }),
    ...(request.email === undefined ? {} : { email: request.email }),
    groups: [...request.groups],
    scopes: [...request.scopes],
    ...(request.description === undefined ? {} : { description: request.description }),
    createdAt: request.now,
    createdBy: request.createdBy,
    expiresAt: new Date(request.now.getTime() + request.lifetimeMs),
  };
  return { secret, token };
}

/** The audit data of a token: what it is and may do, never the secret or its hash. */
export function tokenAuditData(token: AccessToken): Record<string, unknown> {
  return {
    tokenId: token.id,
    kind: token.kind,
    principal: token.principal,
    scopes: [...token.scopes],
    expiresAt: token.expiresAt.toISOString(),
    ...(token.description === undefined ? {} : { description: token.description }),
  };
}

export function tokenEvent(type: AuditEventDraft['type'], actor: string, at: Date, token: AccessToken, extra: Record<string, unknown> = {}): AuditEventDraft {
  return { type, at, actor, data: { ...tokenAuditData(token), ...extra } };
}
