// The authenticated party behind an API call or CLI command, with what the config lets it do.
import type { Principal } from '../core/principal.ts';

export interface Caller {
  readonly principal: Principal;
  /** May see everything and revoke anyone's lease. */
  readonly isAdmin: boolean;
  /** May see everything and read the audit trail. */
  readonly isAuditor: boolean;
}

export function canSeeAll(caller: Caller): boolean {
  return caller.isAdmin || caller.isAuditor;
}
