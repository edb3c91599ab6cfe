// Policy evaluation: may this principal have this role, for this long, with this reason — and does it
// need a human to approve? Pure: everything it needs is passed in.
import { ForbiddenError, InvalidInputError, type Issue } from './errors.ts';
import { formatDuration } from './duration.ts';
import { matchesAny, type Principal } from './principal.ts';
import type { Role } from './role.ts';
import type { GrantData } from './request.ts';

export interface AccessAsk {
  readonly durationMs?: number;
  readonly reason?: string;
  readonly ticket?: string;
  /** Connector-specific input for the grant (e.g. an SSH public key); the connector validates it. */
  readonly grantInput?: GrantData;
}

export type PolicyDecision =
  | { readonly outcome: 'auto_approved'; readonly durationMs: number }
  | { readonly outcome: 'needs_approval'; readonly durationMs: number; readonly approvalsRequired: number; readonly timeoutMs: number };

export const MAX_REASON_LENGTH = 1_000;
export const MAX_TICKET_LENGTH = 200;

export function isEligible(principal: Principal, role: Role): boolean {
  return matchesAny(principal, role.eligible);
}

/**
 * Decides a request. Throws ForbiddenError when the principal is not eligible (checked first, so an
 * ineligible caller learns nothing about the role's limits) and InvalidInputError listing every problem
 * with the ask otherwise.
 */
export function evaluateAsk(principal: Principal, role: Role, ask: AccessAsk): PolicyDecision {
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
  if (issues.length > 0) throw InvalidInputError.of(issues);
  return role.approval.mode === 'auto'
    ? { outcome: 'auto_approved', durationMs }
    : { outcome: 'needs_approval', durationMs, approvalsRequired: role.approval.required, timeoutMs: role.approval.timeoutMs };
}
