// Output for humans (text, tables) or for scripts (-o json: the API's JSON, unchanged).
import type { LeaseView, RequestView } from '../api/views.ts';

export type OutputFormat = 'text' | 'json';

export function parseOutputFormat(value: string): OutputFormat {
  if (value === 'text' || value === 'json') return value;
  throw new Error(`-o must be text or json (got "${value}")`);
}

export function emit(format: OutputFormat, json: unknown, text: () => string): void {
  process.stdout.write(format === 'json' ? `${JSON.stringify(json, null, 2)}\n` : `${text()}\n`);
}

/** Aligns columns; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function when(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

export function targetText(target: Readonly<Record<string, string>>): string {
  return Object.values(target).join(' ');
}

export function leaseRows(leases: readonly LeaseView[]): string {
  return (
    table(
      ['LEASE', 'STATE', 'PRINCIPAL', 'ROLE', 'EXPIRES', 'LEFT', 'NOTE'],
      leases.map((l) => [l.id, l.state, l.principal, l.role, when(l.expiresAt), l.timeLeft ?? '-', l.state === 'revoke_failed' && l.lastError ? `${l.attempts} failed: ${l.lastError}` : (l.revokeReason ?? '')]),
    ) || 'no leases'
  );
}

export function requestRows(requests: readonly RequestView[]): string {
  return (
    table(
      ['REQUEST', 'STATE', 'PRINCIPAL', 'ROLE', 'DURATION', 'CREATED', 'REASON'],
      requests.map((r) => [r.id, r.state, r.principal, r.role, r.duration, when(r.createdAt), r.ticket ? `${r.ticket}: ${r.reason}` : r.reason]),
    ) || 'no requests'
  );
}

export function leaseBlock(lease: LeaseView): string {
  const lines = [
    ['lease', lease.id],
    ['state', lease.state],
    ['principal', lease.principal],
    ['role', lease.role],
    ['target', targetText(lease.target)],
    ['granted', when(lease.grantConfirmedAt ?? lease.grantedAt)],
    ['expires', `${when(lease.expiresAt)}${lease.timeLeft ? ` (${lease.timeLeft} left)` : ''}`],
  ];
  if (lease.revokeReason) lines.push(['ended', `${lease.revokeReason}${lease.revokeConfirmedAt ? ` at ${when(lease.revokeConfirmedAt)}` : ''}`]);
  if (lease.lastError && lease.state !== 'revoked') lines.push(['last error', `${lease.lastError} (attempt ${lease.attempts}, next ${when(lease.nextAttemptAt)})`]);
  if (lease.reviewRequired) {
    lines.push(['review', lease.review ? `${lease.review.verdict} by ${lease.review.by} at ${when(lease.review.at)}${lease.review.comment ? `: ${lease.review.comment}` : ''}` : 'BREAK-GLASS, not reviewed yet']);
  }
  return lines.map(([k, v]) => `  ${k!.padEnd(10)} ${v}`).join('\n');
}

export function requestBlock(request: RequestView): string {
  const lines: [string, string][] = [
    ['request', request.id],
    ['state', request.state],
    ['principal', request.principal],
    ['role', request.role],
    ['duration', request.duration],
    ['reason', request.reason || '-'],
    ['ticket', request.ticket ?? '-'],
    ['approval', `${request.approval}${request.decidedBy ? ` (by ${request.decidedBy} at ${when(request.decidedAt)})` : ''}`],
    ['created', when(request.createdAt)],
    ['lease', request.leaseId ?? '-'],
  ];
  if (request.extendsLease) lines.push(['extends', `${request.extendsLease} by ${request.duration}`]);
  if (request.startAt) lines.push(['starts', when(request.startAt)]);
  if (request.state === 'pending') lines.push(['waits for', `${request.approvalsRequired ?? '?'} approvals until ${when(request.approvalDeadline)}`]);
  if (request.limitExceeded) lines.push(['limit', request.limitExceeded]);
  if (request.outcomeNote) lines.push(['note', request.outcomeNote]);
  return lines.map(([k, v]) => `  ${k.padEnd(10)} ${v}`).join('\n');
}
