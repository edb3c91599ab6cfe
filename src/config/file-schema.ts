// The shape of jitd.yaml, section by section. Connectors and roles are only checked to be mappings
// here: each entry is validated on its own (see load-connectors.ts and load-roles.ts), because its
// valid fields depend on the connector kind. docs/configuration.md documents every field below; a test
// keeps the two in step.
import { z } from 'zod';
import { durationField, listenField, nonEmptyString, pathField, sha256Field, sizeField, subjectRefList } from './fields.ts';
import { NOTIFICATION_EVENTS } from '../notify/notification.ts';
import { WEBHOOK_FORMATS } from '../notify/render.ts';
import { secretRefSchema } from './secret.ts';
import { quote } from './units.ts';

export const CONFIG_VERSION = 1;

const versionField = z.unknown().transform((input, ctx): typeof CONFIG_VERSION => {
  if (input === undefined) {
    ctx.issues.push({ code: 'custom', input, message: `is required (version: ${CONFIG_VERSION})`, params: { code: 'missing_field' } });
    return z.NEVER;
  }
  if (input !== CONFIG_VERSION) {
    ctx.issues.push({
      code: 'custom',
      input,
      message: `${quote(input)} is not a supported version (this jitd reads version ${CONFIG_VERSION})`,
      params: { code: 'unsupported_version' },
    });
    return z.NEVER;
  }
  return CONFIG_VERSION;
});

export const serverSchema = z.strictObject({
  listen: listenField.prefault('127.0.0.1:8080'),
  tls: z.strictObject({ cert: pathField, key: pathField }).optional(),
  bodyLimit: sizeField.prefault('64kb'),
  /** How people and hosts reach this jitd (links in messages, session uploads); from `listen` when absent. */
  publicUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, e.g. https://jitd.example.com' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  /** Largest SSH session transcript a host may upload (larger ones are cut by the session guard). */
  sessionRecordingLimit: sizeField.prefault('16mb'),
});

export const storeSchema = z.strictObject({
  type: z.literal('sqlite').default('sqlite'),
  path: pathField.default('jitd.sqlite'),
});

export const tokenSchema = z.strictObject({
  principal: nonEmptyString,
  displayName: nonEmptyString.optional(),
  email: z.email({ error: 'must be an e-mail address' }).optional(),
  groups: z.array(nonEmptyString).default([]),
  tokenSha256: sha256Field,
});

export const oidcSchema = z.strictObject({
  /** The provider's issuer URL; its discovery document is at <issuer>/.well-known/openid-configuration. */
  issuer: z.url({ protocol: /^https?$/, error: 'must be the provider\'s issuer URL, e.g. https://login.example.com/realms/corp' }),
  /** The confidential client the portal signs in with (authorization code flow with PKCE). */
  clientId: nonEmptyString,
  clientSecret: secretRefSchema.optional(),
  /** The public client `jitd login` uses (device authorization grant); its ID tokens are accepted too. */
  cliClientId: nonEmptyString.optional(),
  groupsClaim: nonEmptyString.default('groups'),
  displayNameClaim: nonEmptyString.default('name'),
  emailClaim: nonEmptyString.default('email'),
  scopes: z.array(nonEmptyString).default(['openid', 'profile', 'email', 'groups', 'offline_access']),
  /** How long a jitd session from a sign-in lasts before the person signs in again (or the CLI refreshes). */
  sessionDuration: durationField.prefault('12h'),
  /** Plain-http issuers (loopback tests and demos only). */
  allowInsecureHttp: z.boolean().default(false),
});

export const identitiesSchema = z.strictObject({
  tokens: z.array(tokenSchema).default([]),
  oidc: oidcSchema.optional(),
});

export const authorizationSchema = z.strictObject({
  admins: subjectRefList.default([]),
  auditors: subjectRefList.default([]),
});

export const retrySchema = z.strictObject({
  initialDelay: durationField.prefault('1s'),
  maxDelay: durationField.prefault('5m'),
  factor: z.number().min(1).default(2),
  jitter: z.number().min(0).max(1).default(0.2),
});

export const schedulerSchema = z.strictObject({
  pollInterval: durationField.prefault('250ms'),
  batchSize: z.number().int().min(1).default(500),
  grantTimeout: durationField.prefault('30s'),
  overdueAfter: durationField.prefault('1m'),
  retry: retrySchema.prefault({}),
});

export const reconcilerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  interval: durationField.prefault('5m'),
});

export const emailSchema = z.strictObject({
  host: nonEmptyString,
  port: z.number().int().min(1).max(65_535).default(587),
  /** starttls: upgrade required (587); tls: TLS from the first byte (465); none: plain (loopback relays only). */
  security: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  caFile: pathField.optional(),
  username: nonEmptyString.optional(),
  password: secretRefSchema.optional(),
  from: nonEmptyString,
  timeout: durationField.prefault('30s'),
});

export const webhookSchema = z.strictObject({
  name: nonEmptyString,
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  format: z.enum(WEBHOOK_FORMATS).default('jitd'),
  /** HMAC-SHA256 key for the X-Jitd-Signature header. */
  secret: secretRefSchema,
  /** Only these events; all when absent. */
  events: z.array(z.enum(NOTIFICATION_EVENTS)).min(1).optional(),
  caFile: pathField.optional(),
  timeout: durationField.prefault('10s'),
});

export const notificationsSchema = z.strictObject({
  email: emailSchema.optional(),
  webhooks: z.array(webhookSchema).default([]),
  /** E-mail addresses told about every break-glass grant and failing revocation. */
  securityContacts: z.array(z.email({ error: 'must be an e-mail address' })).default([]),
  /** How often the notifier looks for messages to send. */
  pollInterval: durationField.prefault('1s'),
  retry: z
    .strictObject({
      initialDelay: durationField.prefault('10s'),
      maxDelay: durationField.prefault('10m'),
      factor: z.number().min(1).default(2),
      jitter: z.number().min(0).max(1).default(0.2),
    })
    .prefault({}),
});

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export const logSchema = z.strictObject({
  level: z.enum(LOG_LEVELS).default('info'),
});

/** `name: { … }` entries; an empty `roles:` (null) counts as none. */
const namedEntries = z.record(z.string(), z.unknown()).nullable().default(null);

export const fileSchema = z.strictObject({
  version: versionField,
  server: serverSchema.prefault({}),
  dataDir: pathField.default('./data'),
  store: storeSchema.prefault({}),
  identities: identitiesSchema.prefault({}),
  authorization: authorizationSchema.prefault({}),
  scheduler: schedulerSchema.prefault({}),
  reconciler: reconcilerSchema.prefault({}),
  notifications: notificationsSchema.prefault({}),
  log: logSchema.prefault({}),
  connectors: namedEntries,
  roles: namedEntries,
});
export type ConfigFile = z.output<typeof fileSchema>;
