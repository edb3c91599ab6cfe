// Usage patterns that look like standing access ("always-on candidates"): a principal who holds a role on most
// working days for most of the day has, in effect, a permanent grant with extra steps. Pure: the leases of the
// period, `since` and `now` come in; calendar days in a time zone are worked out with Intl.DateTimeFormat, which
// reads no clock. The definition is written down in docs/reports.md; keep the two in step.
import { InvalidInputError, type Issue } from './errors.ts';
import type { PrincipalId, RoleName } from './ids.ts';
import type { Lease } from './lease.ts';

const HOUR_MS = 3_600_000;
const SECOND_MS = 1_000;
/** Every UTC offset in use lies within ±15 h, so a local midnight lies within this distance of the same wall-clock time in UTC. */
const MAX_OFFSET_S = 15 * 3_600;

export interface UsagePatternOptions {
  /** IANA time zone whose calendar days are counted, e.g. Europe/Berlin. */
  readonly timeZone: string;
  /** ISO weekdays that are working days: 1 = Monday … 7 = Sunday. */
  readonly workdays: readonly number[];
  /** A working day is active when the role was held at least this many hours of it. */
  readonly minHoursPerDay: number;
  /** A principal is a candidate when active days / working days reaches this share (0..1). */
  readonly minDayShare: number;
}

export const DEFAULT_USAGE_PATTERN_OPTIONS: UsagePatternOptions = { timeZone: 'UTC', workdays: [1, 2, 3, 4, 5], minHoursPerDay: 4, minDayShare: 0.6 };

/** One principal's use of one role that looks like standing access. Plain JSON: times are ISO strings. */
export interface AlwaysOnCandidate {
  readonly principal: PrincipalId;
  readonly role: RoleName;
  readonly workingDays: number;
  readonly activeDays: number;
  /** activeDays / workingDays, rounded to 4 decimals. */
  readonly dayShare: number;
  /** Hours held on the active days, per active day (2 decimals). */
  readonly averageHoursPerActiveDay: number;
  /** Hours held in the whole period, weekends and partial days included (2 decimals). */
  readonly totalHours: number;
  /** Leases of the role that held access at some time in the period. */
  readonly leases: number;
  readonly firstGrantedAt: string;
  readonly lastGrantedAt: string;
}

export interface AlwaysOnReport {
  /** [since, until): until is `now`. */
  readonly period: { readonly since: string; readonly until: string };
  /** The options used, defaults filled in, the time zone in its canonical spelling and the workdays sorted. */
  readonly parameters: UsagePatternOptions;
  /** Whole working days in the period (the same for every principal). */
  readonly workingDays: number;
  /** Sorted by dayShare, then totalHours, both descending (then principal and role, for a stable order). */
  readonly candidates: readonly AlwaysOnCandidate[];
}

/** Whether Intl knows this time zone (an IANA name such as Europe/Berlin, or UTC). */
export function isTimeZone(name: string): boolean {
  if (name.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function optionIssues(options: UsagePatternOptions): Issue[] {
  const issues: Issue[] = [];
  if (!isTimeZone(options.timeZone)) issues.push({ path: 'timeZone', message: `"${options.timeZone}" is not a time zone (e.g. UTC, Europe/Berlin)` });
  if (options.workdays.length === 0 || options.workdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
    issues.push({ path: 'workdays', message: 'name one or more ISO weekdays, 1 (Monday) to 7 (Sunday)' });
  }
  if (!Number.isFinite(options.minHoursPerDay) || options.minHoursPerDay <= 0 || options.minHoursPerDay > 24) {
    issues.push({ path: 'minHoursPerDay', message: `must be more than 0 and at most 24, got ${options.minHoursPerDay}` });
  }
  if (!Number.isFinite(options.minDayShare) || options.minDayShare < 0 || options.minDayShare > 1) {
    issues.push({ path: 'minDayShare', message: `must be between 0 and 1, got ${options.minDayShare}` });
  }
  return issues;
}

interface CalendarDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** A local calendar day's [start, end) as instants (ms); 23 or 25 hours long on DST days. */
interface DaySpan {
  readonly start: number;
  readonly end: number;
}

/** Calendar days in one time zone: which local day an instant falls on, and when a local day starts. */
function zonedCalendar(timeZone: string) {
  const format = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
  const dayOf = (ms: number): CalendarDay => {
    const parts = format.formatToParts(new Date(ms));
    const part = (type: 'year' | 'month' | 'day') => Number(parts.find((p) => p.type === type)?.value);
    return { year: part('year'), month: part('month'), day: part('day') };
  };
  const key = (d: CalendarDay) => d.year * 10_000 + d.month * 100 + d.day;
  return {
    dayOf,
    /**
     * The first instant of local day `d`. Searched rather than computed from an offset, so that a day whose
     * midnight does not exist (clocks jump at 00:00) starts at its first real instant. Offsets are whole seconds.
     * `guess`, when given, is tried first.
     */
    startOf(d: CalendarDay, guess?: number): number {
      const target = key(d);
      // Most days start 24 h after the one before: two look-ups confirm it instead of a search.
      if (guess !== undefined && key(dayOf(guess)) === target && key(dayOf(guess - SECOND_MS)) < target) return guess;
      const wall = Date.UTC(d.year, d.month - 1, d.day) / SECOND_MS;
      let lo = wall - MAX_OFFSET_S; // still the day before, in every zone
      let hi = wall + MAX_OFFSET_S; // already this day or later, in every zone
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (key(dayOf(mid * SECOND_MS)) >= target) hi = mid;
        else lo = mid;
      }
      return hi * SECOND_MS;
    },
  };
}

function nextDay(d: CalendarDay): CalendarDay {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date; the proleptic Gregorian calendar has no time zone. */
function isoWeekday(d: CalendarDay): number {
  return new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay() || 7;
}

/** The working days lying wholly within [since, now): partial days at either end are left out. */
function workingDaysIn(since: number, now: number, options: UsagePatternOptions): DaySpan[] {
  const calendar = zonedCalendar(options.timeZone);
  const workdays = new Set(options.workdays);
  const days: DaySpan[] = [];
  let day = calendar.dayOf(since);
  let start = calendar.startOf(day);
  for (;;) {
    const following = nextDay(day);
    const end = calendar.startOf(following, start + 24 * HOUR_MS);
    if (end > now) break;
    if (start >= since && workdays.has(isoWeekday(day))) days.push({ start, end });
    day = following;
    start = end;
  }
  return days;
}

/** When a lease held access, capped at `now`; undefined for a lease never granted or without any duration. */
function heldSpan(lease: Lease, now: number): DaySpan | undefined {
  if (lease.grantedAt === undefined) return undefined;
  const start = lease.grantedAt.getTime();
  const end = Math.min((lease.revokedAt ?? lease.revokeRequestedAt ?? lease.expiresAt).getTime(), now);
  return end > start ? { start, end } : undefined;
}

/** Sorted, non-overlapping spans covering the same instants: overlapping leases are not counted twice. */
function union(spans: readonly DaySpan[]): DaySpan[] {
  const merged: DaySpan[] = [];
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last !== undefined && span.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, span.end) };
    else merged.push(span);
  }
  return merged;
}

function overlapMs(spans: readonly DaySpan[], window: DaySpan): number {
  let total = 0;
  for (const span of spans) {
    if (span.start >= window.end) break;
    total += Math.max(0, Math.min(span.end, window.end) - Math.max(span.start, window.start));
  }
  return total;
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;
/** Code-point order: the same on every machine, unlike localeCompare. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

interface Held {
  readonly lease: Lease;
  readonly grantedAt: number;
  /** Clipped to the period. */
  readonly span: DaySpan;
}

function candidateOf(held: readonly Held[], days: readonly DaySpan[], period: DaySpan, options: UsagePatternOptions): AlwaysOnCandidate | undefined {
  const spans = union(held.map((h) => h.span));
  let activeDays = 0;
  let activeMs = 0;
  for (const day of days) {
    const covered = overlapMs(spans, day);
    if (covered >= options.minHoursPerDay * HOUR_MS) {
      activeDays += 1;
      activeMs += covered;
    }
  }
  const dayShare = activeDays / days.length;
  if (activeDays === 0 || dayShare < options.minDayShare) return undefined;
  const granted = held.map((h) => h.grantedAt);
  const first = held[0]!.lease;
  return {
    principal: first.principal,
    role: first.role,
    workingDays: days.length,
    activeDays,
    dayShare: round(dayShare, 4),
    averageHoursPerActiveDay: round(activeMs / activeDays / HOUR_MS, 2),
    totalHours: round(overlapMs(spans, period) / HOUR_MS, 2),
    leases: held.length,
    firstGrantedAt: new Date(Math.min(...granted)).toISOString(),
    lastGrantedAt: new Date(Math.max(...granted)).toISOString(),
  };
}

/**
 * Principals whose use of a role over [since, now) looks like standing access: for each (principal, role), the
 * working days (calendar days in `timeZone` whose ISO weekday is in `workdays`, lying wholly in the period) on
 * which the union of their leases covered at least `minHoursPerDay` hours are active; a candidate has at least
 * one active day and a share of active days of at least `minDayShare`. Throws InvalidInputError for bad options.
 */
export function findAlwaysOnCandidates(leases: readonly Lease[], period: { readonly since: Date; readonly now: Date }, options: Partial<UsagePatternOptions> = {}): AlwaysOnReport {
  const given: UsagePatternOptions = { ...DEFAULT_USAGE_PATTERN_OPTIONS, ...options };
  const since = period.since.getTime();
  const now = period.now.getTime();
  const issues = optionIssues(given);
  if (!(since < now)) issues.push({ path: 'since', message: `the period must start before it ends (since ${period.since.toISOString()}, now ${period.now.toISOString()})` });
  if (issues.length > 0) throw InvalidInputError.of(issues);
  const parameters: UsagePatternOptions = {
    timeZone: new Intl.DateTimeFormat('en-US', { timeZone: given.timeZone }).resolvedOptions().timeZone,
    workdays: [...new Set(given.workdays)].sort((a, b) => a - b),
    minHoursPerDay: given.minHoursPerDay,
    minDayShare: given.minDayShare,
  };
  const days = workingDaysIn(since, now, parameters);
  const report = { period: { since: period.since.toISOString(), until: period.now.toISOString() }, parameters, workingDays: days.length };
  if (days.length === 0) return { ...report, candidates: [] };

  // Each lease clipped to the period; one group per (principal, role).
  const groups = new Map<string, Held[]>();
  for (const lease of leases) {
    const span = heldSpan(lease, now);
    if (span === undefined || span.end <= since) continue;
    const key = JSON.stringify([lease.principal, lease.role]);
    const group = groups.get(key) ?? [];
    group.push({ lease, grantedAt: span.start, span: { start: Math.max(span.start, since), end: span.end } });
    groups.set(key, group);
  }
  const candidates = [...groups.values()]
    .map((held) => candidateOf(held, days, { start: since, end: now }, parameters))
    .filter((c): c is AlwaysOnCandidate => c !== undefined)
    .sort((a, b) => b.dayShare - a.dayShare || b.totalHours - a.totalHours || byText(a.principal, b.principal) || byText(a.role, b.role));
  return { ...report, candidates };
}
