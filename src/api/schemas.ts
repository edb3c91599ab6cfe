// Request bodies and query strings the API accepts. Unknown fields are refused so that a typo is an error,
// not an ignored option.
import { z } from 'zod';
import { AUDIT_EVENT_TYPES, type AuditEventType } from '../core/audit-event.ts';
import { tryParseDuration } from '../core/duration.ts';
import { LEASE_STATES } from '../core/lease.ts';
import { DELIVERY_STATES } from '../core/outbox.ts';
import { REQUEST_STATES } from '../core/request.ts';
import { SESSION_END_CAUSES } from '../core/session-recording.ts';

const text = (max: number) => z.string().max(max, `must be at most ${max} characters`);

export const createRequestBody = z.strictObject({
  role: text(200).min(1, 'must not be empty'),
  /** e.g. 30m, 1h, 1h30m; the role's default when absent */
  duration: text(40).optional(),
  reason: text(1000).optional(),
  ticket: text(200).optional(),
  /** For SSH roles: the OpenSSH public key line to certify (the private key never leaves the client). */
  publicKey: text(16_384).optional(),
  /** A scheduled start (ISO 8601 with a time zone or Z); the grant waits until then. */
  startAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2026-11-24T22:00:00+01:00' }).optional(),
});

export const cancelBody = z.strictObject({ reason: text(1000).optional() }).default({});

export const extendBody = z.strictObject({
  /** e.g. 30m, 1h */
  by: z.string({ error: 'say how much longer, e.g. 30m or 1h' }).min(1, 'say how much longer, e.g. 30m or 1h').max(40, 'must be at most 40 characters'),
  reason: text(1000).optional(),
});

export const reviewBody = z.strictObject({
  verdict: z.enum(['accepted', 'refused'], { error: 'must be accepted or refused' }),
  comment: text(1000).optional(),
});

export const approveBody = z.strictObject({ comment: text(1000).optional() }).default({});

export const denyBody = z.strictObject({
  comment: z.string({ error: 'a denial needs a comment saying why' }).min(1, 'a denial needs a comment saying why').max(1000, 'must be at most 1000 characters'),
});

export const releaseBody = z.strictObject({ reason: text(1000).optional() }).default({});

/** Nothing to say: the retry is the same attempt the scheduler would make. */
export const retryBody = z.strictObject({}).default({});

export const revokeBody = z.strictObject({
  reason: z.string({ error: 'revoking a lease requires a reason' }).min(1, 'revoking a lease requires a reason').max(1000, 'must be at most 1000 characters'),
});

const limit = z.coerce.number().int().min(1).max(1000).optional();
const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)))
    .optional();

export const leaseQuery = z.strictObject({
  state: csv(LEASE_STATES),
  /** Only break-glass leases nobody has reviewed yet. */
  unreviewed: z.stringbool().optional(),
  principal: text(200).optional(),
  role: text(200).optional(),
  limit,
});

export const requestQuery = z.strictObject({
  state: csv(REQUEST_STATES),
  principal: text(200).optional(),
  role: text(200).optional(),
  limit,
});

/** Which ssh connector's files (needed only when there are several). */
export const sshFileQuery = z.strictObject({ connector: text(200).optional() });

export const notificationQuery = z.strictObject({ state: csv(DELIVERY_STATES), limit });

/** A point in time as the audit search takes it: an absolute time, or how long ago (resolved with the server's clock). */
export type AuditTime = { readonly at: Date } | { readonly agoMs: number };

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses `2026-11-24T08:00:00Z` (any ISO 8601 time with a zone), `2026-11-24` (UTC midnight) or a duration ago (24h, 7d: the parser of `jitd report kpi --since`). */
export function parseAuditTime(text: string): AuditTime | undefined {
  const input = text.trim();
  const agoMs = tryParseDuration(input);
  if (agoMs !== undefined) return { agoMs };
  if (ISO_WITH_ZONE.test(input)) {
    const at = new Date(input);
    return Number.isNaN(at.getTime()) ? undefined : { at };
  }
  const date = ISO_DATE.exec(input);
  if (date) {
    const at = new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])));
    // Date.UTC rolls 2026-02-30 over into March: such a day does not exist.
    return at.toISOString().startsWith(input) ? { at } : undefined;
  }
  return undefined;
}

const auditTime = z
  .string()
  .transform((text, ctx) => {
    const parsed = parseAuditTime(text);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a time: use ISO 8601 with a zone (e.g. 2026-11-24T08:00:00Z), a date (2026-11-24, UTC) or a duration ago (e.g. 24h, 7d)` });
      return z.NEVER;
    }
    return parsed;
  })
  .optional();

/** Comma-separated audit event types, each one that jitd writes. */
const auditTypes = z
  .string()
  .transform((text, ctx) => {
    const types = text.split(',').map((t) => t.trim()).filter(Boolean);
    if (types.length === 0) ctx.addIssue({ code: 'custom', message: 'name at least one event type, or leave type out' });
    for (const type of types) {
      if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(type)) ctx.addIssue({ code: 'custom', message: `"${type}" is not an audit event type (known: ${AUDIT_EVENT_TYPES.join(', ')})` });
    }
    return types as AuditEventType[];
  })
  .optional();

/** What the audit search and its export filter on (docs/api.md#audit). */
const auditFilterFields = {
  principal: text(200).describe('events this principal did or that are about them').optional(),
  role: text(200).describe('events about this role').optional(),
  type: auditTypes.describe('comma-separated event types, e.g. lease.revoked,lease.revoke_failed'),
  since: auditTime.describe('at or after: ISO 8601 with a zone, a date (UTC), or a duration ago such as 24h or 7d'),
  until: auditTime.describe('before (exclusive): the same forms as since'),
  requestId: text(100).optional(),
  leaseId: text(100).optional(),
};

export const auditQuery = z.strictObject({
  ...auditFilterFields,
  order: z.enum(['asc', 'desc'], { error: 'must be asc (chain order, the default) or desc (newest first)' }).optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  beforeSeq: z.coerce.number().int().min(1).optional(),
  limit,
});

/** The export takes the filters but not the paging: it streams every matching event. */
export const auditExportQuery = z.strictObject(auditFilterFields);

const epochSeconds = z.coerce.number().int().min(0).max(253_402_300_799);
const flag = z.enum(['0', '1']).transform((v) => v === '1');

/** What the session guard says about the session it uploads (the transcript is the body). */
export const sessionUploadQuery = z
  .strictObject({
    startedAt: epochSeconds,
    endedAt: epochSeconds,
    endedBy: z.enum(SESSION_END_CAUSES),
    host: z.string().regex(/^[A-Za-z0-9._-]{1,253}$/, 'must be a host name'),
    login: z.string().regex(/^[A-Za-z0-9._][A-Za-z0-9._-]{0,63}$/, 'must be an account name'),
    terminal: flag,
    truncated: flag.default(false),
  })
  .refine((q) => q.endedAt >= q.startedAt, { path: ['endedAt'], message: 'must not be before startedAt' });
