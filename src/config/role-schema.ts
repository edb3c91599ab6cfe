// The connector-independent fields of a role. A role's other fields are its target inside the
// connector (e.g. `group` for LDAP), validated with that connector kind's target schema.
import { z } from 'zod';
import { isSubjectRef } from '../core/principal.ts';
import type { ApproverRef } from '../core/role.ts';
import { durationField, nonEmptyString, subjectRefField } from './fields.ts';
import { quote } from './units.ts';

/** `user:NAME`, `group:NAME`, or `manager` (the requester's manager in the role's directory). */
const approverRefField = z.custom<ApproverRef>((input) => input === 'manager' || (typeof input === 'string' && isSubjectRef(input)), {
  error: (issue) => `${quote(issue.input)} is not user:NAME, group:NAME or manager`,
});

export const manualApprovalSchema = z.strictObject({
  required: z.number().int().min(1),
  from: z.array(approverRefField).min(1, { error: 'must list at least one user:NAME, group:NAME or manager' }),
  timeout: durationField.prefault('24h'),
});

export const approvalSchema = z.union([z.literal('auto'), manualApprovalSchema], {
  error: (issue) => (issue.input === undefined ? undefined : 'must be auto or { required: N, from: [user:NAME, group:NAME, manager, …], timeout: DURATION }'),
});

/** Limits against "always on" use; past one, a request needs whenExceeded's approval or is refused. */
export const limitsSchema = z
  .strictObject({
    maxActivationsPer: z.strictObject({ count: z.number().int().min(1), window: durationField }).optional(),
    maxTotalDuration: z.strictObject({ duration: durationField, window: durationField }).optional(),
    whenExceeded: z
      .union([z.literal('refuse'), manualApprovalSchema], {
        error: (issue) => (issue.input === undefined ? undefined : 'must be refuse or { required: N, from: [user:NAME, group:NAME, manager, …], timeout: DURATION }'),
      })
      .default('refuse'),
  })
  .refine((limits) => limits.maxActivationsPer !== undefined || limits.maxTotalDuration !== undefined, {
    error: 'must set maxActivationsPer or maxTotalDuration (or leave limits out)',
  });

export const roleSchema = z.strictObject({
  description: nonEmptyString.optional(),
  connector: nonEmptyString,
  maxDuration: durationField,
  defaultDuration: durationField.optional(),
  eligible: z.array(subjectRefField).min(1, { error: 'must list at least one user:NAME or group:NAME' }),
  approval: approvalSchema,
  requireReason: z.boolean().default(true),
  ticketPattern: nonEmptyString.optional(),
  enforce: z.boolean().default(false),
  breakGlass: z.boolean().default(false),
  limits: limitsSchema.optional(),
  maxExtendedDuration: durationField.optional(),
});
export type RoleFile = z.output<typeof roleSchema>;

export const ROLE_FIELDS: readonly string[] = Object.keys(roleSchema.shape);

/** When a role does not set defaultDuration: one hour, or maxDuration when that is shorter. */
export const DEFAULT_ROLE_DURATION_MS = 3_600_000;
