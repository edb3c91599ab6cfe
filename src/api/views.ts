// JSON shapes of domain values in the API (dates as ISO strings, durations also in words).
import { formatDuration } from '../core/duration.ts';
import type { Lease } from '../core/lease.ts';
import type { Approval } from '../core/approval.ts';
import type { OutboxMessage } from '../core/outbox.ts';
import type { AccessRequest } from '../core/request.ts';
import type { SessionRecording } from '../core/session-recording.ts';
import type { VisibleRole } from '../engine/broker.ts';

const iso = (date: Date | undefined) => date?.toISOString();

export function leaseView(lease: Lease, now: Date) {
  const live = lease.state === 'active' || lease.state === 'granting';
  const leftMs = Math.max(0, lease.expiresAt.getTime() - now.getTime());
  return {
    id: lease.id,
    state: lease.state,
    requestId: lease.requestId,
    principal: lease.principal,
    role: lease.role,
    connector: lease.connector,
    target: lease.target,
    duration: formatDuration(lease.durationMs),
    durationMs: lease.durationMs,
    requestedAt: iso(lease.requestedAt),
    grantedAt: iso(lease.grantedAt),
    grantConfirmedAt: iso(lease.grantConfirmedAt),
    expiresAt: iso(lease.expiresAt),
    timeLeftMs: live ? leftMs : 0,
    timeLeft: live ? formatDuration(leftMs) : undefined,
    revokeReason: lease.revokeReason,
    revokeRequestedAt: iso(lease.revokeRequestedAt),
    revokedAt: iso(lease.revokedAt),
    revokeConfirmedAt: iso(lease.revokeConfirmedAt),
    attempts: lease.attempts,
    lastError: lease.lastError,
    nextAttemptAt: iso(lease.nextAttemptAt),
    /** What the grant produced for the holder, e.g. `{ certificate, serial, keyId }` for SSH. */
    grant: lease.grantRecord,
    /** Break-glass: the use must be reviewed after the fact; `review` is absent until someone has. */
    reviewRequired: lease.reviewRequired === true,
    review: lease.review ? { by: lease.review.by, at: lease.review.at.toISOString(), verdict: lease.review.verdict, comment: lease.review.comment } : undefined,
  };
}
export type LeaseView = ReturnType<typeof leaseView>;

export function requestView(request: AccessRequest) {
  return {
    id: request.id,
    state: request.state,
    principal: request.principal,
    role: request.role,
    duration: formatDuration(request.durationMs),
    durationMs: request.durationMs,
    reason: request.reason,
    ticket: request.ticket,
    approval: request.approval,
    createdAt: iso(request.createdAt),
    decidedAt: iso(request.decidedAt),
    decidedBy: request.decidedBy,
    leaseId: request.leaseId,
    outcomeNote: request.outcomeNote,
    approvalsRequired: request.approvalsRequired,
    approvalDeadline: iso(request.approvalDeadline),
    /** Scheduled: not granted before this time. */
    startAt: iso(request.startAt),
    /** An extension request: the lease it lengthens by `duration`. */
    extendsLease: request.extendsLease,
    /** Why it waits for people although the role is automatic (a usage limit). */
    limitExceeded: request.limitExceeded,
  };
}

export function approvalView(approval: Approval) {
  return { approver: approval.approver, decision: approval.decision, comment: approval.comment, at: approval.at.toISOString() };
}
export type ApprovalView = ReturnType<typeof approvalView>;

export type RequestView = ReturnType<typeof requestView>;

export function roleView(role: VisibleRole) {
  return {
    name: role.name,
    description: role.description,
    connector: role.connector,
    target: role.target,
    eligible: role.eligible,
    youAreEligible: role.callerEligible,
    approval: role.breakGlass ? 'break-glass' : role.approval.mode === 'auto' ? 'auto' : `${role.approval.required} of ${role.approval.from.join(', ')} within ${formatDuration(role.approval.timeoutMs)}`,
    breakGlass: role.breakGlass,
    maxExtendedDuration: formatDuration(role.maxExtendedDurationMs),
    limits: role.limits
      ? {
          maxActivations: role.limits.maxActivations ? `${role.limits.maxActivations.count} per ${formatDuration(role.limits.maxActivations.windowMs)}` : undefined,
          maxTotalDuration: role.limits.maxTotalDuration ? `${formatDuration(role.limits.maxTotalDuration.durationMs)} per ${formatDuration(role.limits.maxTotalDuration.windowMs)}` : undefined,
          whenExceeded: role.limits.whenExceeded.mode === 'refuse' ? 'refuse' : `${role.limits.whenExceeded.required} of ${role.limits.whenExceeded.from.join(', ')}`,
        }
      : undefined,
    defaultDuration: formatDuration(role.defaultDurationMs),
    maxDuration: formatDuration(role.maxDurationMs),
    requireReason: role.requireReason,
    ticketPattern: role.ticketPattern,
    enforce: role.enforce,
    /** Worst case after the lease ends (e.g. Kerberos tickets); null when access ends with the target's change. */
    accessMayOutliveLease: role.residualAccess
      ? { upTo: role.residualAccess.upToMs === null ? 'session end' : formatDuration(role.residualAccess.upToMs), why: role.residualAccess.why }
      : null,
  };
}

export function sessionView(recording: SessionRecording) {
  return {
    id: recording.id,
    leaseId: recording.leaseId,
    startedAt: recording.startedAt.toISOString(),
    endedAt: recording.endedAt.toISOString(),
    endedBy: recording.endedBy,
    host: recording.host,
    login: recording.login,
    command: recording.command,
    terminal: recording.terminal,
    bytes: recording.bytes,
    sha256: recording.sha256,
    truncated: recording.truncated,
    uploadedFrom: recording.uploadedFrom,
    receivedAt: recording.receivedAt.toISOString(),
  };
}

export type SessionView = ReturnType<typeof sessionView>;

export function notificationView(message: OutboxMessage) {
  return {
    id: message.id,
    event: message.notification.event,
    channel: message.channel,
    recipients: message.recipients,
    state: message.state,
    attempts: message.attempts,
    createdAt: message.createdAt.toISOString(),
    nextAttemptAt: iso(message.nextAttemptAt),
    lastError: message.lastError,
    sentAt: iso(message.sentAt),
    detail: message.detail,
    requestId: message.notification.request?.id,
    leaseId: message.notification.lease?.id,
  };
}
export type NotificationView = ReturnType<typeof notificationView>;
