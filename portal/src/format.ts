// Words and numbers for people: durations, countdowns, times. Pure, so they are unit-tested in Node.

/** "1h 5m", "45s", "2d 3h": the two largest units, as jitd's CLI writes them. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 1000) return '0s';
  const units: readonly [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  let left = Math.floor(ms / 1000) * 1000;
  const amounts = units.map(([unit, size]) => {
    const n = Math.floor(left / size);
    left -= n * size;
    return { unit, n };
  });
  const first = amounts.findIndex((a) => a.n > 0);
  const shown = amounts.slice(first, first + 2).filter((a) => a.n > 0);
  return shown.map((a) => `${a.n}${a.unit}`).join(' ');
}

/** A ticking clock: "1:04:09" or "4:09" left. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/** The same span in words for screen readers and titles: "1 hour 4 minutes left". */
export function spokenTimeLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  if (total === 0) return 'no time left';
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const part = (n: number, unit: string) => (n > 0 ? `${n} ${unit}${n === 1 ? '' : 's'}` : '');
  const words = h > 0 ? [part(h, 'hour'), part(m, 'minute')] : m > 0 ? [part(m, 'minute')] : [part(s, 'second')];
  return `${words.filter(Boolean).join(' ')} left`;
}

/** A date and time in the reader's locale and zone, e.g. "24 Nov 2026, 14:05". */
export function formatTime(iso: string | undefined, locale?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(locale, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** "55%" or "—" when there is nothing to divide by. */
export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value * 10) / 10}%`;
}

/** Milliseconds of a wait as a short duration, "—" when there were none. */
export function formatWait(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return formatDuration(ms);
}

/** State names as people say them. */
export function stateLabel(state: string): string {
  return state.replace(/_/g, ' ');
}

// ── For the My access, lease, request and approvals pages ──

/** The badge a lease or request state wears; the state's words are always shown on it as well. */
export type BadgeKind = 'active' | 'pending' | 'failed' | 'done';

export function stateBadgeKind(state: string): BadgeKind {
  switch (state) {
    case 'active':
      return 'active';
    case 'granting':
    case 'pending':
    case 'approved':
    case 'revoking':
      return 'pending';
    case 'revoke_failed':
    case 'grant_failed':
    case 'failed':
    case 'denied':
      return 'failed';
    default:
      return 'done';
  }
}

/** A lease that gives access now (or is being granted): it has a countdown and can be released or extended. */
export function isLiveLease(state: string): boolean {
  return state === 'active' || state === 'granting';
}

/** Why a lease ended, as people say it (the API's revokeReason). */
export function endReasonLabel(reason: string | undefined): string {
  switch (reason) {
    case undefined:
      return '—';
    case 'expired':
      return 'its time ran out';
    case 'released':
      return 'released by its holder';
    case 'revoked':
      return 'revoked by an admin';
    case 'grant_failed':
      return 'the grant failed';
    default:
      return stateLabel(reason);
  }
}

/** How long something has waited since `iso`: "under a minute", "5m", "1h 20m". */
export function formatAge(iso: string | undefined, nowMs: number): string {
  const then = iso ? new Date(iso).getTime() : Number.NaN;
  if (Number.isNaN(then)) return '—';
  const ms = nowMs - then;
  return ms < 60_000 ? 'under a minute' : formatDuration(ms);
}

/** Approvals given against those required: "1 of 2 approvals given". */
export function approvalProgress(required: number | undefined, decisions: readonly { readonly decision: string }[]): string {
  const need = required ?? 1;
  const given = decisions.filter((d) => d.decision === 'approve').length;
  return `${given} of ${need} approval${need === 1 ? '' : 's'} given`;
}

/**
 * Who must approve a pending request, from its role as /v1/roles describes it: the role's approvers, or those a
 * usage limit names when the request waits because of the limit. Without the role (not visible to the reader),
 * only how many.
 */
export function whoApproves(
  request: { readonly approvalsRequired?: number; readonly limitExceeded?: string },
  role: { readonly approval: string; readonly limits?: { readonly whenExceeded: string } } | undefined,
): string {
  const need = request.approvalsRequired ?? 1;
  const count = `${need} approver${need === 1 ? '' : 's'}`;
  if (!role) return count;
  const whenExceeded = role.limits?.whenExceeded;
  if (request.limitExceeded && whenExceeded && whenExceeded !== 'refuse') return whenExceeded;
  if (role.approval === 'auto' || role.approval === 'break-glass') return count;
  // The deadline is shown on its own, so "within 4h" is left out here.
  return role.approval.replace(/ within .*$/, '');
}

/**
 * The server's message for one field of a small form: its own issue for that path, or, for a refusal that names
 * none of the form's fields (a 403 or 409), the whole message on the form's main field, where the person looks.
 */
export function messageForField(
  error: { readonly message: string; readonly issues: readonly { readonly path: string; readonly message: string }[] } | undefined,
  path: string,
  form: { readonly main: string; readonly fields: readonly string[] },
): string | undefined {
  if (!error) return undefined;
  const own = error.issues.find((issue) => issue.path === path)?.message;
  if (own !== undefined) return own;
  const namesAField = error.issues.some((issue) => form.fields.includes(issue.path));
  return path === form.main && !namesAField ? error.message : undefined;
}
