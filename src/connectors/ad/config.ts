// Configuration of an `ad` (Active Directory) connector and of the target an AD role names.
import { z } from 'zod';
import { secretRefSchema } from '../../config/secret.ts';
import { dnField, ldapTlsSchema, ldapUrlField } from '../ldap/config.ts';
import { describeGroupRef } from './group-ref.ts';

/** How a principal id names its AD account. */
export const PRINCIPAL_ATTRIBUTES = ['sAMAccountName', 'userPrincipalName', 'objectGUID', 'objectSid'] as const;
export type PrincipalAttribute = (typeof PRINCIPAL_ATTRIBUTES)[number];

/** Whether grants use the PAM optional feature's time-bound member links. */
export const TIME_BOUND_MODES = ['auto', 'off', 'required'] as const;
export type TimeBoundMode = (typeof TIME_BOUND_MODES)[number];

export const adConnectorConfigSchema = z.strictObject({
  type: z.literal('ad'),
  /** ldaps://dc:636, or ldap://dc:389 with startTls: true (AD refuses a simple bind in clear text). */
  url: ldapUrlField,
  /** Upgrade an ldap:// connection with StartTLS before binding. */
  startTls: z.boolean().default(false),
  tls: ldapTlsSchema,
  /** The service account: its DN, or its user principal name (svc-jitd@corp.example.com). */
  bindDn: z.string().min(1),
  bindPassword: secretRefSchema,
  /** Where accounts and groups are searched; the domain's defaultNamingContext when absent. */
  baseDn: dnField.optional(),
  /** The account attribute a principal id is: sAMAccountName, userPrincipalName, objectGUID or objectSid. */
  principalAttribute: z.enum(PRINCIPAL_ATTRIBUTES).default('sAMAccountName'),
  /**
   * `auto`: use time-bound member links when the forest has the Privileged Access Management feature;
   * `off`: never; `required`: refuse grants when the feature is missing.
   */
  timeBoundMembership: z.enum(TIME_BOUND_MODES).default('auto'),
  /** The longest Kerberos ticket lifetime for the accounts (domain policy; 10h by default in AD). */
  maxTicketLifetime: z.string().default('10h'),
  /** Per-operation timeout, as a duration (e.g. 5s). */
  timeout: z.string().default('5s'),
});

export const adRoleTargetSchema = z.strictObject({
  /** The group: its DN, its name (sAMAccountName), or its SID. */
  group: z
    .string()
    .min(1)
    .superRefine((value, ctx) => {
      const problem = describeGroupRef(value).problem;
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
});
