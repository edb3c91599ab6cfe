// Configuration of an `ldap` connector and of the target an LDAP role names.
import { z } from 'zod';
import { secretRefSchema } from '../../config/secret.ts';
import { parseDn } from './dn.ts';
import { parsePrincipalDnTemplate } from './principal-dn.ts';

/** A DN, checked with jitd's RFC 4514 parser. */
export const dnField = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    try {
      parseDn(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** How the server certificate is checked (shared by every LDAP-based connector). */
export const ldapTlsSchema = z
  .strictObject({
    /** PEM file of the CA that signed the server certificate; the system CAs when absent. */
    caFile: z.string().min(1).optional(),
    /** Name expected in the server certificate, when it differs from the URL's host. */
    serverName: z.string().min(1).optional(),
    /** Certificate verification is on unless turned off here explicitly (never do this in production). */
    rejectUnauthorized: z.boolean().default(true),
  })
  .default({ rejectUnauthorized: true });

/** ldap://host:port or ldaps://host:port */
export const ldapUrlField = z.string().regex(/^ldaps?:\/\/[^/]+\/?$/, 'must be ldap://host:port or ldaps://host:port');

export const ldapConnectorConfigSchema = z.strictObject({
  type: z.literal('ldap'),
  /** ldap://host:port or ldaps://host:port */
  url: ldapUrlField,
  /** Upgrade an ldap:// connection with StartTLS before binding. */
  startTls: z.boolean().default(false),
  tls: ldapTlsSchema,
  bindDn: dnField,
  bindPassword: secretRefSchema,
  /** DN of a principal's entry; `{principal}` is replaced by the principal id (DN-escaped). */
  userDn: z.string().superRefine((template, ctx) => {
    try {
      parsePrincipalDnTemplate(template);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^userDn "[^"]*"(: | )/, '') });
    }
  }),
  /**
   * A DN that stays in every managed group so that removing the last real member does not violate
   * groupOfNames' "at least one member" rule. Never counted as a holder.
   */
  placeholderMember: dnField.optional(),
  /** Per-operation timeout, as a duration (e.g. 5s). */
  timeout: z.string().default('5s'),
});
export type LdapConnectorConfigInput = z.input<typeof ldapConnectorConfigSchema>;

export const ldapRoleTargetSchema = z.strictObject({
  /** DN of the group the principal becomes a member of. */
  group: dnField,
});
