// What a notification channel renders and what it reports back. The outbox stores a Notification as JSON in
// the same transaction as the state change; a worker hands it to a channel later, maybe more than once, so
// everything a channel needs is in here and nothing is looked up at delivery time.

export const NOTIFICATION_EVENTS = [
  'approval.requested',
  'request.approved',
  'request.denied',
  'request.expired',
  'request.granted',
  'breakglass.granted',
  'lease.review.required',
  'revocation.failing',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface NotificationApproval {
  readonly by: string;
  readonly at: string;
  readonly comment?: string;
}

export interface NotificationRequest {
  readonly id: string;
  readonly principal: string;
  readonly principalName?: string;
  readonly role: string;
  readonly reason: string;
  readonly ticket?: string;
  readonly durationMs: number;
  readonly approvalsRequired: number;
  readonly approvals: readonly NotificationApproval[];
  readonly denial?: { readonly by: string; readonly at: string; readonly comment: string };
}

export interface NotificationLease {
  readonly id: string;
  readonly principal: string;
  readonly role: string;
  readonly expiresAt: string;
  readonly lastError?: string;
}

/**
 * Links only open pages of the portal or API. None of them changes anything by being followed: approving
 * or denying needs a signed-in approver who confirms on the page (a mail scanner that follows every link
 * must not approve a request).
 */
export interface NotificationLinks {
  readonly view: string;
  readonly approve?: string;
  readonly deny?: string;
}

export interface Notification {
  /** Outbox id: the idempotency key (Message-ID of the e-mail, X-Jitd-Delivery header of the webhook). */
  readonly id: string;
  readonly event: NotificationEvent;
  /** ISO 8601. */
  readonly occurredAt: string;
  readonly request?: NotificationRequest;
  readonly lease?: NotificationLease;
  readonly links: NotificationLinks;
}

/** A recipient the SMTP server refused while it accepted the message for others. */
export interface RejectedRecipient {
  readonly recipient: string;
  /** True when the server's refusal was temporary (4xx): a later attempt for this recipient may succeed. */
  readonly retryable: boolean;
  readonly error: string;
}

/**
 * What one delivery attempt came to. `retryable: false` means the same message would be refused again
 * (e.g. 550 unknown recipient, HTTP 400); the worker stops retrying and shows the error.
 */
export type DeliveryOutcome =
  | {
      readonly ok: true;
      readonly detail: string;
      /** E-mail only: recipients refused while others got the message (retrying would send it twice to those). */
      readonly rejected?: readonly RejectedRecipient[];
    }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly error: string;
      /** When the receiver said when to come back (HTTP Retry-After). */
      readonly retryAfterMs?: number;
    };
