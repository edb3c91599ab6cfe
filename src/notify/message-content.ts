// What a notification says, before any format: one description per event that the e-mail, Slack and Teams
// renderers lay out in their own way. Every string here is plain text (names and reasons as people typed
// them); each renderer escapes for its own markup.
import { formatDuration } from '../core/duration.ts';
import type { Notification, NotificationEvent, NotificationLease, NotificationRequest } from './notification.ts';

export interface MessageFact {
  readonly label: string;
  readonly value: string;
  /** Free text that may run long (a reason, an error): laid out on its own rather than in a grid. */
  readonly long?: boolean;
}

export interface MessageAction {
  readonly kind: 'view' | 'approve' | 'deny';
  readonly label: string;
  readonly url: string;
}

export interface MessageContent {
  readonly event: NotificationEvent;
  /** One line; the e-mail subject and the chat fallback text. Break-glass ones start with "[BREAK-GLASS]". */
  readonly subject: string;
  /** A sentence saying what happened. */
  readonly headline: string;
  /** Break-glass: rendered so that nobody skims past it. */
  readonly loud: boolean;
  /** Something is wrong and needs a person (failing revocation, review required). */
  readonly warning: boolean;
  readonly facts: readonly MessageFact[];
  /** Said under the facts, e.g. that following a link never approves anything by itself. */
  readonly notice?: string;
  readonly actions: readonly MessageAction[];
  /** Small print: identifiers that help someone find the request in jitd. */
  readonly footer: string;
}

export const BREAK_GLASS_PREFIX = '[BREAK-GLASS]';

/** 5_400_000 → "1h 30m": formatDuration's units, spaced for reading. */
export function humanDuration(ms: number): string {
  return formatDuration(ms).replace(/(?<=[dhms])(?=\d)/g, ' ');
}

/** "2026-11-24T14:05:09.000Z" → "2026-11-24 14:05 UTC"; text that is not a date is shown as it is. */
export function humanTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Keeps a user-provided value on one line and of bounded length, for subjects and headlines. */
function inline(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Only web pages: a `javascript:` or `data:` link in an e-mail or card would be an injection. */
function webUrl(url: string, name: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`notification link "${name}" is not a URL: ${url} (this is a bug)`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`notification link "${name}" must be an http(s) URL, not ${parsed.protocol} (this is a bug)`);
  }
  return url;
}

interface Subject {
  readonly principal: string;
  readonly who: string;
  readonly role: string;
}

function subjectOf(n: Notification): Subject {
  const request = n.request;
  const lease = n.lease;
  const principal = request?.principal ?? lease?.principal ?? 'someone';
  const name = request?.principalName;
  return {
    principal,
    who: name !== undefined && name !== '' && name !== principal ? `${inline(name, 60)} (${inline(principal, 60)})` : inline(principal),
    role: inline(request?.role ?? lease?.role ?? 'a role', 60),
  };
}

function requestFacts(request: NotificationRequest | undefined): MessageFact[] {
  if (!request) return [];
  const facts: MessageFact[] = [
    { label: 'Principal', value: request.principalName ? `${request.principalName} (${request.principal})` : request.principal },
    { label: 'Role', value: request.role },
    { label: 'Duration', value: humanDuration(request.durationMs) },
  ];
  if (request.ticket !== undefined && request.ticket !== '') facts.push({ label: 'Ticket', value: request.ticket });
  facts.push({ label: 'Reason', value: request.reason, long: true });
  return facts;
}

function approvalsFact(request: NotificationRequest | undefined): MessageFact[] {
  if (!request || request.approvalsRequired === 0) return [];
  const given = request.approvals
    .map((a) => `${a.by} (${humanTime(a.at)})${a.comment ? `: ${a.comment}` : ''}`)
    .join('; ');
  const count = `${request.approvals.length} of ${request.approvalsRequired}`;
  return [{ label: 'Approvals', value: given === '' ? count : `${count}: ${given}`, long: request.approvals.some((a) => a.comment) }];
}

function denialFact(request: NotificationRequest | undefined): MessageFact[] {
  const denial = request?.denial;
  if (!denial) return [];
  return [{ label: 'Denied by', value: `${denial.by} (${humanTime(denial.at)}): ${denial.comment}`, long: true }];
}

function leaseFacts(lease: NotificationLease | undefined, includeIdentity: boolean): MessageFact[] {
  if (!lease) return [];
  const facts: MessageFact[] = [];
  if (includeIdentity) facts.push({ label: 'Principal', value: lease.principal }, { label: 'Role', value: lease.role });
  facts.push({ label: 'Expires', value: humanTime(lease.expiresAt) }, { label: 'Lease', value: lease.id });
  if (lease.lastError !== undefined && lease.lastError !== '') facts.push({ label: 'Last error', value: lease.lastError, long: true });
  return facts;
}

function footerOf(n: Notification): string {
  const ids = [n.request ? `request ${n.request.id}` : undefined, n.lease ? `lease ${n.lease.id}` : undefined].filter((x) => x !== undefined);
  return ['jitd', n.event, ...ids, humanTime(n.occurredAt)].join(' · ');
}

function viewAction(n: Notification): MessageAction {
  return { kind: 'view', label: n.request ? 'Open the request' : 'Open the lease', url: webUrl(n.links.view, 'view') };
}

const NO_ONE_CLICK =
  'These links open jitd. Nothing is approved or denied until you confirm there, signed in as an approver.';

interface EventText {
  readonly subject: string;
  readonly headline: string;
}

function eventText(n: Notification, s: Subject): EventText {
  const request = n.request;
  const duration = request ? humanDuration(request.durationMs) : undefined;
  const forDuration = duration ? ` for ${duration}` : '';
  switch (n.event) {
    case 'approval.requested':
      return {
        subject: `Approval needed: ${s.who} requests ${s.role}${forDuration}`,
        headline: `${s.who} asks for ${s.role}${forDuration} and needs your approval.`,
      };
    case 'request.approved': {
      const by = request?.approvals.map((a) => inline(a.by, 40)).join(', ');
      return {
        subject: `Approved: ${s.who}'s request for ${s.role}`,
        headline: `The request of ${s.who} for ${s.role} was approved${by ? ` by ${by}` : ''}.`,
      };
    }
    case 'request.denied': {
      const by = request?.denial ? ` by ${inline(request.denial.by, 40)}` : '';
      return { subject: `Denied: ${s.who}'s request for ${s.role}`, headline: `The request of ${s.who} for ${s.role} was denied${by}.` };
    }
    case 'request.expired':
      return {
        subject: `Expired: ${s.who}'s request for ${s.role} was not approved in time`,
        headline: `The request of ${s.who} for ${s.role} expired before it got the approvals it needed. Nothing was granted.`,
      };
    case 'request.granted': {
      const until = n.lease ? ` until ${humanTime(n.lease.expiresAt)}` : forDuration;
      return { subject: `Access granted: ${s.who} has ${s.role}${until}`, headline: `${s.who} now has ${s.role}${until}.` };
    }
    case 'breakglass.granted':
      return {
        subject: `${BREAK_GLASS_PREFIX} ${s.who} took ${s.role} without approval`,
        headline: `BREAK-GLASS: ${s.who} took ${s.role}${forDuration} without approval. Review this access now.`,
      };
    case 'lease.review.required':
      return {
        subject: `Review required: ${s.who}'s access to ${s.role}`,
        headline: `The access of ${s.who} to ${s.role} needs a review.`,
      };
    case 'revocation.failing':
      return {
        subject: `Revocation failing: ${s.who} still holds ${s.role}`,
        headline: `jitd could not take ${s.role} away from ${s.who} and keeps retrying. Until it succeeds the access remains.`,
      };
  }
}

/** Everything a channel needs to say about `n`, in plain text. Pure. */
export function describeNotification(n: Notification): MessageContent {
  const s = subjectOf(n);
  const text = eventText(n, s);
  const loud = n.event === 'breakglass.granted';
  const warning = n.event === 'revocation.failing' || n.event === 'lease.review.required';
  const facts: MessageFact[] = [
    ...requestFacts(n.request),
    ...approvalsFact(n.event === 'approval.requested' || n.event === 'request.approved' ? n.request : undefined),
    ...denialFact(n.request),
    ...leaseFacts(n.lease, n.request === undefined),
  ];
  const actions: MessageAction[] = [viewAction(n)];
  let notice: string | undefined;
  if (n.event === 'approval.requested') {
    if (n.links.approve !== undefined) actions.push({ kind: 'approve', label: 'Approve in jitd…', url: webUrl(n.links.approve, 'approve') });
    if (n.links.deny !== undefined) actions.push({ kind: 'deny', label: 'Deny in jitd…', url: webUrl(n.links.deny, 'deny') });
    notice = NO_ONE_CLICK;
  }
  return { event: n.event, subject: text.subject, headline: text.headline, loud, warning, facts, notice, actions, footer: footerOf(n) };
}
