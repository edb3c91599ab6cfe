// Request bodies and query strings the API accepts. Unknown fields are refused so that a typo is an error,
// not an ignored option.
import { z } from 'zod';
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

export const auditQuery = z.strictObject({
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit,
  requestId: text(100).optional(),
  leaseId: text(100).optional(),
});

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
