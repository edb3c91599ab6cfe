// Policy evaluation: may this principal have this role, for this long, with this reason — and does it
// need a human to approve? Pure: everything it needs is passed in.
import { ConflictError, ForbiddenError, InvalidInputError, type Issue } from './errors.ts';
import { formatDuration } from './duration.ts';
import type { Lease } from './lease.ts';
import { matchesAny, type Principal } from './principal.ts';
import type { Role } from './role.ts';
import type { GrantData } from './request.ts';
import { usageLimitExceeded } from './usage-limits.ts';

export interface AccessAsk {
  readonly durationMs?: number;
  readonly reason?: string;
  readonly ticket?: string;
  /** Connector-specific input for the grant (e.g. an SSH public key); the connector validates it. */
  readonly grantInput?: GrantData;
  /** A scheduled start (e.g. tonight 22:00): the grant waits until then. Absent or past: now. */
  readonly startAt?: Date;
}

/** What the policy needs besides the ask: the time, and the principal's recent leases of the role (usage limits). */
export interface AskContext {
  readonly now: Date;
  readonly history: readonly Lease[];
}

export type PolicyDecision =
  | { readonly outcome: 'auto_approved'; readonly durationMs: number; readonly startAt?: Date }
  | { readonly outcome: 'break_glass'; readonly durationMs: number }
  | {
      readonly outcome: 'needs_approval';
      readonly durationMs: number;
      readonly approvalsRequired: number;
      readonly timeoutMs: number;
      readonly startAt?: Date;
      /** Set when the role is automatic but the request went past a usage limit: why it waits. */
      readonly limitExceeded?: string;
    };

export const MAX_REASON_LENGTH = 1_000;
export const MAX_TICKET_LENGTH = 200;
/** How far ahead a start can be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 86_400_000;

export function isEligible(principal: Principal, role: Role): boolean {
  return matchesAny(principal, role.eligible);
}

/**
 * Decides a request. Throws ForbiddenError when the principal is not eligible (checked first, so an
 * ineligible caller learns nothing about the role's limits), InvalidInputError listing every problem
 * with the ask, and ConflictError when a usage limit is reached and the role refuses past it.
 */
export function evaluateAsk(principal: Principal, role: Role, ask: AccessAsk, context: AskContext): PolicyDecision {
  if (!isEligible(principal, role)) {
    throw new ForbiddenError(`${principal.id} is not eligible for role ${role.name}`);
  }
  const issues: Issue[] = [];
  const durationMs = ask.durationMs ?? role.defaultDurationMs;
  if (!Number.isInteger(durationMs) || durationMs < 1_000) {
    issues.push({ path: 'duration', message: 'must be at least 1s' });
  } else if (durationMs > role.maxDurationMs) {
    issues.push({
      path: 'duration',
      message: `${formatDuration(durationMs)} exceeds the role's maximum of ${formatDuration(role.maxDurationMs)}`,
    });
  }
  const reason = ask.reason?.trim() ?? '';
  if (role.requireReason && reason === '') {
    issues.push({ path: 'reason', message: `role ${role.name} requires a reason` });
  }
  if (reason.length > MAX_REASON_LENGTH) {
    issues.push({ path: 'reason', message: `must be at most ${MAX_REASON_LENGTH} characters` });
  }
  const ticket = ask.ticket?.trim() ?? '';
  if (ticket.length > MAX_TICKET_LENGTH) {
    issues.push({ path: 'ticket', message: `must be at most ${MAX_TICKET_LENGTH} characters` });
  } else if (role.ticketPattern !== undefined) {
    if (ticket === '') {
      issues.push({ path: 'ticket', message: `role ${role.name} requires a ticket matching ${role.ticketPattern}` });
    } else if (!new RegExp(`^(?:${role.ticketPattern})$`).test(ticket)) {
      issues.push({ path: 'ticket', message: `"${ticket}" does not match ${role.ticketPattern}` });
    }
  }
  const startAt = scheduledStart(role, ask.startAt, context.now, issues);
  if (issues.length > 0) throw InvalidInputError.of(issues);
  const later = startAt === undefined ? {} : { startAt };

  const exceeded = usageLimitExceeded(role.limits, context.history, durationMs, context.now);
  if (exceeded !== undefined && role.limits !== undefined) {
    const instead = role.limits.whenExceeded;
    if (instead.mode === 'refuse') throw new ConflictError(`${exceeded}: role ${role.name} refuses requests past its limits`);
    return { outcome: 'needs_approval', durationMs, approvalsRequired: instead.required, timeoutMs: instead.timeoutMs, ...later, limitExceeded: exceeded };
  }
  if (role.breakGlass) return { outcome: 'break_glass', durationMs };
  return role.approval.mode === 'auto'
    ? { outcome: 'auto_approved', durationMs, ...later }
    : { outcome: 'needs_approval', durationMs, approvalsRequired: role.approval.required, timeoutMs: role.approval.timeoutMs, ...later };
}

/** A start in the future, within reach; a start already past means now. Break-glass access starts now. */
function scheduledStart(role: Role, startAt: Date | undefined, now: Date, issues: Issue[]): Date | undefined {
  if (startAt === undefined || Number.isNaN(startAt.getTime()) || startAt.getTime() <= now.getTime()) {
    if (startAt !== undefined && Number.isNaN(startAt.getTime())) issues.push({ path: 'startAt', message: 'is not a time' });
    return undefined;
  }
  if (role.breakGlass) {
    issues.push({ path: 'startAt', message: `role ${role.name} is break-glass: it is granted now or not at all` });
    return undefined;
  }
  if (startAt.getTime() - now.getTime() > MAX_SCHEDULE_AHEAD_MS) {
    issues.push({ path: 'startAt', message: `must be within ${formatDuration(MAX_SCHEDULE_AHEAD_MS)} from now` });
    return undefined;
  }
  return startAt;
}
