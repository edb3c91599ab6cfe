// The contract every target connector fulfils. Required: grant, revoke, holds, inspect — all idempotent
// ("already a member" on grant and "already gone" on revoke are successes). Optional behaviour is
// declared as data in `capabilities`, which the engine reads instead of probing for methods.
import { JitdError } from '../core/errors.ts';
import type { ConnectorName, LeaseId, PrincipalId } from '../core/ids.ts';
import type { GrantData } from '../core/request.ts';
import type { RoleTarget } from '../core/role.ts';

export interface ConnectorCapabilities {
  /** The target itself ends access at `expiresAt`, even if jitd is down. */
  readonly nativeExpiry: boolean;
}

/**
 * How long access can outlive the lease at worst once the target no longer lists the principal, and why
 * (e.g. Kerberos tickets that carry a group until they expire). `upToMs: null`: without bound (e.g. an
 * open SSH session, until it ends).
 */
export interface ResidualAccess {
  readonly upToMs: number | null;
  readonly why: string;
}

export interface GrantContext {
  readonly principal: PrincipalId;
  readonly target: RoleTarget;
  readonly leaseId: LeaseId;
  readonly expiresAt: Date;
  /** What the requester handed in (e.g. `{ publicKey }`), already accepted by `validateGrantInput`. */
  readonly input?: GrantData;
}

/** What a grant produced, when it produced something (e.g. a certificate). */
export interface GrantResult {
  /** Kept with the lease, given to revoke/holds of that lease, and shown to the lease's holder. */
  readonly record?: GrantData;
  /** Written into the `lease.granted` audit event (identifiers, never secrets). */
  readonly audit?: GrantData;
  /** The target ends access by itself at this time (e.g. a certificate's valid_before). */
  readonly endsAt?: Date;
}

export interface TargetRef {
  readonly principal: PrincipalId;
  readonly target: RoleTarget;
  /** The lease's grant record, for targets where a grant produced one (absent for standing holders). */
  readonly record?: GrantData;
}

/** Who holds a target right now, as the target itself says. */
export interface Holder {
  /** The principal id when the holder maps back to one; otherwise the target's own name for it (e.g. a DN). */
  readonly principal: string;
  /** The target's own identifier for the holder, e.g. the member DN. */
  readonly raw: string;
  /** `principal` is a principal id that grant/revoke/holds can act on (the raw name fit the connector's mapping). */
  readonly mapped: boolean;
}

/**
 * Facts a connector learnt about its target and must not forget across restarts (e.g. the GUID an AD group
 * was resolved to, so that renaming the group does not break roles or pending revocations).
 */
export interface ConnectorMemo {
  get(key: string): string | undefined;
  set(key: string, value: string): Promise<void>;
}

/** A memo kept in memory only (tests, benchmarks, one-shot tools). */
export function memoryMemo(): ConnectorMemo {
  const values = new Map<string, string>();
  return {
    get: (key) => values.get(key),
    set: async (key, value) => {
      values.set(key, value);
      await Promise.resolve();
    },
  };
}

export interface Connector {
  readonly name: ConnectorName;
  readonly kind: string;
  /** Read when needed: some capabilities are only known once the target has been asked (see `prepare`). */
  readonly capabilities: ConnectorCapabilities;
  /** Optional: asks the target what it supports, at start (failures are logged; it is asked again on first use). */
  prepare?(): Promise<void>;
  /** Optional: how access to `target` can outlive a lease (undefined: it ends with the target's change). */
  residualAccess?(target: RoleTarget): ResidualAccess | undefined;
  /** Problems with a role's target for this connector (empty when fine), checked at config load. */
  validateTarget(target: RoleTarget): readonly string[];
  /**
   * Optional: problems with what a requester hands in for a grant of `target` (empty when fine), checked
   * before anything is recorded. A connector without it takes no input, and any input is refused.
   */
  validateGrantInput?(target: RoleTarget, input: GrantData | undefined): readonly string[];
  grant(ctx: GrantContext): Promise<GrantResult | undefined>;
  /**
   * Optional: the principal the directory names as `principal`'s manager (e.g. LDAP `manager`), for roles whose
   * approvers include `manager`; undefined when there is none or it does not map to a principal.
   */
  managerOf?(principal: PrincipalId): Promise<PrincipalId | undefined>;
  /**
   * Optional: whether `token` is the session-upload token the grant behind `record` issued (targets that
   * send session transcripts back, e.g. the SSH session guard). Compared in constant time.
   */
  acceptsSessionUpload?(record: GrantData | undefined, token: string): boolean;
  revoke(ref: TargetRef): Promise<void>;
  /** Targeted read-back: does this principal hold this target now? Used to confirm grants and revocations. */
  holds(ref: TargetRef): Promise<boolean>;
  /** Everyone holding the target now (the reconciler compares this with active leases). */
  inspect(target: RoleTarget): Promise<readonly Holder[]>;
  close(): Promise<void>;
}

/**
 * A target operation failed. `retryable` says whether trying again later can help (server down, timeout,
 * busy) or not (no such group, insufficient access) — classified at the connector edge.
 */
export class ConnectorError extends JitdError {
  readonly retryable: boolean;
  readonly connector: string;
  constructor(connector: string, message: string, options: { retryable: boolean; cause?: unknown }) {
    super(options.retryable ? 'target_unavailable' : 'target_rejected', `${connector}: ${message}`, { cause: options.cause });
    this.retryable = options.retryable;
    this.connector = connector;
  }
}
