// The audit search as data: filters read from and written to the page address (so a search can be linked
// and survives a reload), the API paths they make, and times between <input type="datetime-local"> and ISO.
// Pure, so it is unit-tested in Node.

// The event types come from the domain core itself: src/core is pure (no I/O, no Node APIs), so the browser
// bundle can carry it, and the portal's list cannot drift from what jitd writes.
export { AUDIT_EVENT_TYPES } from '../../../src/core/audit-event.ts';

/**
 * The filter names, as both the page address and GET /v1/audit spell them. requestId and leaseId have no
 * field in the form; they come from links such as /audit?leaseId=… and are kept.
 */
export const AUDIT_FILTER_NAMES = ['principal', 'role', 'type', 'since', 'until', 'requestId', 'leaseId'] as const;
export type AuditFilterName = (typeof AUDIT_FILTER_NAMES)[number];

/** Each filter as text; '' when not set. `since`/`until` are what the API takes: ISO 8601 or e.g. "24h". */
export type AuditFilters = Readonly<Record<AuditFilterName, string>>;

export const NO_AUDIT_FILTERS: AuditFilters = { principal: '', role: '', type: '', since: '', until: '', requestId: '', leaseId: '' };

/** How many events one page of results holds. */
export const AUDIT_PAGE_SIZE = 50;

/** The filters a page address carries (unknown parameters are ignored). */
export function filtersFromQuery(query: Readonly<Record<string, string | undefined>>): AuditFilters {
  const filters: Record<AuditFilterName, string> = { ...NO_AUDIT_FILTERS };
  for (const name of AUDIT_FILTER_NAMES) filters[name] = (query[name] ?? '').trim();
  return filters;
}

function searchOf(filters: AuditFilters, extra: Readonly<Record<string, string | number | undefined>> = {}): string {
  const search = new URLSearchParams();
  for (const name of AUDIT_FILTER_NAMES) if (filters[name] !== '') search.set(name, filters[name]);
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The portal address of a search: /audit?principal=alice. */
export function auditPagePath(filters: AuditFilters): string {
  return `/audit${searchOf(filters)}`;
}

/** One page of results, newest first; `beforeSeq` is the previous page's `next`. */
export function auditSearchPath(filters: AuditFilters, beforeSeq?: number): string {
  return `/v1/audit${searchOf(filters, { order: 'desc', beforeSeq, limit: AUDIT_PAGE_SIZE })}`;
}

/** The JSON-lines export of exactly the events the filters match. */
export function auditExportPath(filters: AuditFilters): string {
  return `/v1/audit/export${searchOf(filters)}`;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** True for a full ISO 8601 instant (what the form writes); false for e.g. "24h" typed into a link. */
export function isIsoInstant(text: string): boolean {
  return ISO_INSTANT.test(text) && !Number.isNaN(Date.parse(text));
}

/** A time a link gave that the picker cannot show, in words: "24h ago", or as given (e.g. a date). */
export function linkTimeWords(value: string): string {
  return /^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(value) ? `${value} ago` : value;
}

/** A datetime-local value ("2026-11-24T14:05", the reader's zone) as an ISO instant; '' stays ''. */
export function localInputToIso(value: string): string {
  if (value === '') return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** An ISO instant as a datetime-local value in the reader's zone; '' for anything else. */
export function isoToLocalInput(iso: string): string {
  if (!isIsoInstant(iso)) return '';
  const date = new Date(iso);
  const two = (n: number) => String(n).padStart(2, '0');
  // Seconds only when there are some, so a whole minute looks as the picker writes it.
  const seconds = date.getSeconds() === 0 ? '' : `:${two(date.getSeconds())}`;
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}${seconds}`;
}
