// Tokens jitd issues itself: sessions from an OIDC sign-in (portal cookie, `jitd login`) and API tokens
// for automation (`jitd token create`). Only the SHA-256 of a token is kept. Config-file tokens
// (identities.tokens) are separate and never stored here.
import type { PrincipalId } from './ids.ts';

export const ACCESS_TOKEN_KINDS = ['session', 'api'] as const;
export type AccessTokenKind = (typeof ACCESS_TOKEN_KINDS)[number];

/**
 * What a token may be used for; a caller's rights are its principal's rights narrowed to these.
 * `read`: views of what the principal may see; `request`: ask for, release and extend access;
 * `approve`: approve, deny and review; `admin`: admin actions (only if the principal is an admin);
 * `audit`: the audit trail (only if the principal is an admin or auditor); `host`: what SSH hosts fetch
 * (the KRL and CA key). Sessions from a sign-in have every scope but `host`.
 */
export const TOKEN_SCOPES = ['read', 'request', 'approve', 'admin', 'audit', 'host'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface AccessToken {
  readonly id: string;
  readonly kind: AccessTokenKind;
  readonly tokenSha256: string;
  readonly principal: PrincipalId;
  readonly displayName?: string;
  readonly email?: string;
  /** The principal's groups when the token was issued (from the provider's groups claim for sessions). */
  readonly groups: readonly string[];
  readonly scopes: readonly TokenScope[];
  readonly description?: string;
  readonly createdAt: Date;
  /** Who created it: the principal itself for sessions and own tokens, else the admin. */
  readonly createdBy: string;
  readonly expiresAt: Date;
  readonly revokedAt?: Date;
  readonly lastUsedAt?: Date;
}

/** Someone jitd has seen sign in (or configured), kept so that approvers and requesters can be told things. */
export interface Person {
  readonly principal: PrincipalId;
  readonly displayName?: string;
  readonly email?: string;
  readonly groups: readonly string[];
  /** Where the facts came from: an OIDC sign-in or the config file's token identities. */
  readonly source: 'oidc' | 'config';
  readonly seenAt: Date;
}
