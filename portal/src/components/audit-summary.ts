// One line saying what an audit event records, from its type and `data` (fields per type: docs/audit-events.md).
// The full data stays one click away in the table; this is what a reader scans. Pure, unit-tested in Node.
import { formatDuration } from '../format.ts';
import type { AuditEventView } from '../types.ts';

type Data = AuditEventView['data'];

/** A data field as text, or '' when it is absent or not a plain value. */
function text(data: Data, key: string): string {
  const value = data[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(', ');
  return '';
}

function ms(data: Data, key: string): string {
  const value = data[key];
  return typeof value === 'number' ? formatDuration(value) : '';
}

/** ": why" when there is a why, else nothing. */
function note(value: string): string {
  return value ? `: ${value}` : '';
}

function plural(n: string, word: string): string {
  return `${n} ${word}${n === '1' ? '' : 's'}`;
}

const SUMMARIES: Readonly<Record<string, (data: Data) => string>> = {
  'request.created': (d) =>
    `${text(d, 'principal')} asked for ${text(d, 'role')}${ms(d, 'durationMs') ? ` for ${ms(d, 'durationMs')}` : ''} (${text(d, 'approval').replace('_', '-') || 'approval unknown'})${note(text(d, 'reason'))}`,
  'approval.given': (d) => `${text(d, 'approver')} approved (${text(d, 'approvals')} of ${text(d, 'required')})${note(text(d, 'comment'))}`,
  'request.approved': (d) => {
    const mode = text(d, 'mode');
    if (mode === 'auto') return 'approved by policy';
    if (mode === 'break_glass') return 'break-glass: granted at once, to be reviewed';
    return `approved by ${text(d, 'approvers') || 'approvers'}`;
  },
  'request.denied': (d) => `${text(d, 'approver')} denied${note(text(d, 'comment'))}`,
  'request.cancelled': (d) => `cancelled while ${text(d, 'was') || 'open'}${note(text(d, 'note'))}`,
  'request.failed': (d) => `failed${note(text(d, 'error'))}`,
  'request.expired': () => 'nobody decided before the deadline',
  'lease.granting': (d) => `granting${ms(d, 'durationMs') ? ` for ${ms(d, 'durationMs')}` : ''}`,
  'lease.granted': (d) => `${text(d, 'principal')} holds ${text(d, 'role')}${text(d, 'grantLatencyMs') ? ` (granted in ${text(d, 'grantLatencyMs')} ms)` : ''}`,
  'lease.grant_failed': (d) => `grant failed${note(text(d, 'error'))}`,
  'lease.expired': (d) => `expired; revocation started${note(text(d, 'note'))}`,
  'lease.released': (d) => `given back early by the holder${note(text(d, 'note'))}`,
  'lease.revoke_requested': (d) => `revoked by an admin${note(text(d, 'note'))}`,
  'lease.revoked': (d) => {
    const attempts = text(d, 'attempts');
    const lag = text(d, 'lagMs');
    return `access removed (${text(d, 'reason') || 'revoked'})${attempts ? ` after ${plural(attempts, 'attempt')}` : ''}${lag ? `, ${lag} ms after expiry` : ''}`;
  },
  'lease.revoke_failed': (d) => `revocation failed (${plural(text(d, 'attempts') || '?', 'failed attempt')})${note(text(d, 'error'))}`,
  'lease.retry_requested': (d) => `retry of the revocation asked for now${text(d, 'attempts') ? ` (${plural(text(d, 'attempts'), 'failed attempt')} so far)` : ''}`,
  'lease.extended': (d) => `extended${ms(d, 'byMs') ? ` by ${ms(d, 'byMs')}` : ''}${note(text(d, 'reason'))}`,
  'lease.reviewed': (d) => `break-glass use ${text(d, 'verdict') || 'reviewed'}${note(text(d, 'comment'))}`,
  'session.recorded': (d) => `SSH session on ${text(d, 'host') || 'a host'} as ${text(d, 'login') || '?'}${text(d, 'command') ? `: ${text(d, 'command')}` : ''}`,
  'auth.signed_in': (d) => `${text(d, 'principal')} signed in`,
  'auth.token_created': (d) => `API token for ${text(d, 'principal')} (${text(d, 'scopes') || 'no scopes'})${note(text(d, 'description'))}`,
  'auth.token_revoked': (d) => `${text(d, 'kind') === 'session' ? 'session' : 'token'} of ${text(d, 'principal')} revoked`,
  'reconcile.standing_access_found': (d) => `${text(d, 'holder')} holds ${text(d, 'role')} without a lease`,
  'reconcile.standing_access_removed': (d) => `${text(d, 'holder')} removed from ${text(d, 'role')}`,
};

/** Plain fields as "key: value" for a type this portal does not know yet. */
function generic(data: Data): string {
  return Object.keys(data)
    .map((key) => [key, text(data, key)] as const)
    .filter(([, value]) => value !== '')
    .slice(0, 3)
    .map(([key, value]) => `${key}: ${value}`)
    .join('; ');
}

const LIMIT = 160;

/** What the event records, in one line of at most 160 characters. */
export function summarizeEvent(event: Pick<AuditEventView, 'type' | 'data'>): string {
  const line = (SUMMARIES[event.type] ?? generic)(event.data);
  return line.length > LIMIT ? `${line.slice(0, LIMIT - 1)}…` : line;
}
