// A role is what a person can ask for: a connector, the target inside it, and the policy around it.
import type { ConnectorName, RoleName } from './ids.ts';
import type { SubjectRef } from './principal.ts';

/** Who may approve: people and groups, or `manager`, the requester's manager as the role's directory says. */
export type ApproverRef = SubjectRef | 'manager';

/** How a request for the role is decided. */
export type ApprovalPolicy =
  | { readonly mode: 'auto' }
  | {
      readonly mode: 'manual';
      /** Distinct approvers needed; the requester never counts. */
      readonly required: number;
      readonly from: readonly ApproverRef[];
      /** A pending request expires this long after it was made. */
      readonly timeoutMs: number;
    };

/** Manual approval, as a role's `approval` or as what a usage limit tips a request into. */
export type ManualApproval = Extract<ApprovalPolicy, { readonly mode: 'manual' }>;

/**
 * Limits against "always on" use of a role, per principal over a sliding window. A request past one of
 * them needs `whenExceeded`'s approval, or is refused with the reason.
 */
export interface UsageLimits {
  readonly maxActivations?: { readonly count: number; readonly windowMs: number };
  readonly maxTotalDuration?: { readonly durationMs: number; readonly windowMs: number };
  readonly whenExceeded: { readonly mode: 'refuse' } | ManualApproval;
}

/**
 * Connector-specific description of what a lease grants, e.g. `{ group: "cn=Domain Admins,…" }` for LDAP.
 * Kept as plain JSON so it can be stored with the lease: a lease revokes exactly what it granted,
 * even if the role is later edited.
 */
export type RoleTarget = Readonly<Record<string, string>>;

export interface Role {
  readonly name: RoleName;
  readonly description?: string;
  readonly connector: ConnectorName;
  readonly target: RoleTarget;
  readonly eligible: readonly SubjectRef[];
  readonly approval: ApprovalPolicy;
  readonly defaultDurationMs: number;
  readonly maxDurationMs: number;
  readonly requireReason: boolean;
  /** When set, a ticket is required and must match this regular expression (anchored). */
  readonly ticketPattern?: string;
  /**
   * Break-glass: granted at once even when the role names approvers, but loudly (approvers and security
   * contacts are told) and the lease must be reviewed after the fact.
   */
  readonly breakGlass: boolean;
  readonly limits?: UsageLimits;
  /** A lease with its extensions never lasts longer than this (maxDurationMs unless the role allows more). */
  readonly maxExtendedDurationMs: number;
  /** Reconciler: remove members that hold the target without a lease (otherwise only report them). */
  readonly enforce: boolean;
}
