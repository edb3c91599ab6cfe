// The authenticated party behind an API call or CLI command, with what the config lets it do.
import type { AccessTokenKind, TokenScope } from '../core/access-token.ts';
import type { Principal } from '../core/principal.ts';

/** How the caller proved who it is: a token from jitd.yaml, a stored token as a bearer token, or the portal's session cookie. */
export type CallerVia = 'config-token' | 'bearer' | 'cookie';

export interface Caller {
  readonly principal: Principal;
  /** May see everything and revoke anyone's lease (an admin principal whose token has the `admin` scope). */
  readonly isAdmin: boolean;
  /** May see everything and read the audit trail (an auditor principal whose token has the `audit` scope). */
  readonly isAuditor: boolean;
  /**
   * What the caller's token may be used for (src/core/access-token.ts). Set by the API authenticator for every
   * HTTP caller; in-process callers (the engine's own tests, benchmarks) leave it out, and an absent set
   * counts as no scope wherever scopes are checked.
   */
  readonly scopes?: ReadonlySet<TokenScope>;
  /** The stored token behind the call (absent for config-file tokens). */
  readonly tokenId?: string;
  readonly tokenKind?: AccessTokenKind;
  readonly via?: CallerVia;
  /** For cookie callers only: the value state-changing requests must send in X-Jitd-CSRF. */
  readonly csrfToken?: string;
}

export function canSeeAll(caller: Caller): boolean {
  return caller.isAdmin || caller.isAuditor;
}

export function hasScope(caller: Caller, scope: TokenScope): boolean {
  return caller.scopes?.has(scope) === true;
}
