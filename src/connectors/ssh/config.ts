// Configuration of an `ssh` connector (jitd as an OpenSSH user CA) and of the target an SSH role names.
import { z } from 'zod';
import { secretRefSchema } from '../../config/secret.ts';
import { KNOWN_EXTENSIONS, sourceAddressProblem } from './certificate.ts';

export const sshConnectorConfigSchema = z.strictObject({
  type: z.literal('ssh'),
  /** The CA private key (OpenSSH or PEM, unencrypted), from a file or an environment variable. */
  caKey: secretRefSchema,
  /** Where the published KRL (revoked.krl) and the CA public key (ca.pub) are written; <dataDir>/ssh/<connector> when absent. */
  publishDir: z.string().min(1).optional(),
  /** valid_after is the issue time minus this, so that a host whose clock is a little behind accepts the certificate. */
  clockSkew: z.string().default('2m'),
  /** How long writing and checking a KRL with ssh-keygen may take, as a duration. */
  timeout: z.string().default('5s'),
  /** Where hosts have the session guard (`jitd ssh host-setup` installs it), for roles with endSessionsAtExpiry. */
  sessionGuard: z.string().regex(/^\/[^\s'"\\]+$/, 'must be an absolute path without spaces or quotes').default('/usr/local/lib/jitd/session-guard'),
});

// A principal becomes a line of sshd's AuthorizedPrincipalsFile and a name in the certificate: no separators,
// spaces or control characters.
const PRINCIPAL = /^[A-Za-z0-9._@+-]{1,256}$/;

/** A YAML list (or one comma-separated string) stored in the role's target as comma-separated text. */
const list = (what: string, check: (item: string) => string | undefined) =>
  z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .transform((value) => (Array.isArray(value) ? value : value.split(',')).map((item) => item.trim()))
    .superRefine((items, ctx) => {
      for (const item of items) {
        const problem = check(item);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `${what} "${item}": ${problem}` });
      }
    })
    .transform((items) => items.join(','));

const knownExtension = (name: string): string | undefined =>
  (KNOWN_EXTENSIONS as readonly string[]).includes(name) || /^[^@\s]+@[^@\s]+$/.test(name)
    ? undefined
    : `is not an OpenSSH extension (known: ${KNOWN_EXTENSIONS.join(', ')}; or name@domain)`;

export const sshRoleTargetSchema = z.strictObject({
  /** Accounts (certificate principals) the certificate may log in as, e.g. [admin@web-01]. */
  principals: list('principal', (p) => (PRINCIPAL.test(p) ? undefined : 'may only hold letters, digits and . _ @ + -')),
  /** Certificate extensions; [permit-pty] when absent (no port, agent or X11 forwarding). */
  extensions: list('extension', knownExtension).optional(),
  /** Client addresses (CIDR) the certificate may be used from. */
  sourceAddress: list('source address', sourceAddressProblem).optional(),
  /** The host people log in to with this role, for the ssh command and config jitd prints (e.g. web-01.example.com). */
  host: z.string().regex(/^[A-Za-z0-9.:_-]{1,253}$/, 'must be a host name or address').optional(),
  /** The account on that host (one whose AuthorizedPrincipalsFile lists a principal of the role). */
  login: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/, 'must be a POSIX account name').optional(),
  /** The SSH port on that host, when not 22. */
  port: z.string().regex(/^[1-9][0-9]{0,4}$/, 'must be a port number').optional(),
  /** End open sessions at the lease's end: the certificate forces the session guard, which stops the session then. */
  endSessionsAtExpiry: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => String(v))
    .optional(),
  /**
   * Record each session's terminal with `script` and upload the transcript to jitd at its end. Runs the
   * session guard, so sessions also end with the lease.
   */
  recordSessions: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((v) => String(v))
    .optional(),
});

export interface SshRoleTarget {
  readonly principals: readonly string[];
  readonly extensions?: readonly string[];
  readonly sourceAddress?: readonly string[];
  /** The certificate forces the session guard: set by endSessionsAtExpiry and by recordSessions. */
  readonly endSessionsAtExpiry: boolean;
  readonly recordSessions: boolean;
}

/** The role target as stored (comma-separated text) read back as lists. */
export function readSshTarget(target: Readonly<Record<string, string>>): SshRoleTarget {
  const split = (value: string | undefined): string[] | undefined => (value === undefined ? undefined : value.split(',').filter((v) => v.length > 0));
  const extensions = split(target.extensions);
  const sourceAddress = split(target.sourceAddress);
  return {
    principals: split(target.principals) ?? [],
    ...(extensions ? { extensions } : {}),
    ...(sourceAddress ? { sourceAddress } : {}),
    endSessionsAtExpiry: target.endSessionsAtExpiry === 'true' || target.recordSessions === 'true',
    recordSessions: target.recordSessions === 'true',
  };
}
