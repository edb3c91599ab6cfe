// The validated configuration, as the rest of jitd sees it: durations in milliseconds, paths absolute,
// secrets still references (resolved by `resolveSecret` when a connector starts).
import type { RetryPolicy } from '../core/backoff.ts';
import type { ConnectorName } from '../core/ids.ts';
import type { SubjectRef } from '../core/principal.ts';
import type { Role } from '../core/role.ts';
import type { NotificationEvent } from '../notify/notification.ts';
import type { SecretRef } from './secret.ts';

export interface TokenIdentity {
  readonly principal: string;
  readonly displayName?: string;
  /** Where notifications for this principal go. */
  readonly email?: string;
  readonly groups: readonly string[];
  /** Hex SHA-256 of the bearer token; the token itself is never stored. */
  readonly tokenSha256: string;
}

/** Sign-in through an OpenID Connect provider (docs/identity.md). */
export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret?: SecretRef;
  readonly cliClientId?: string;
  readonly groupsClaim: string;
  readonly displayNameClaim: string;
  readonly emailClaim: string;
  readonly scopes: readonly string[];
  readonly sessionDurationMs: number;
  readonly allowInsecureHttp: boolean;
}

/** Where notifications go (docs/notifications.md). */
export interface NotificationsConfig {
  readonly email?: {
    readonly host: string;
    readonly port: number;
    readonly security: 'starttls' | 'tls' | 'none';
    readonly caFile?: string;
    readonly username?: string;
    readonly password?: SecretRef;
    readonly from: string;
    readonly timeoutMs: number;
  };
  readonly webhooks: readonly {
    readonly name: string;
    readonly url: string;
    readonly format: 'jitd' | 'slack' | 'teams';
    readonly secret: SecretRef;
    readonly events?: readonly NotificationEvent[];
    readonly caFile?: string;
    readonly timeoutMs: number;
  }[];
  readonly securityContacts: readonly string[];
  readonly pollIntervalMs: number;
  readonly retry: RetryPolicy;
}

export interface LdapConnectorConfig {
  readonly type: 'ldap';
  readonly url: string;
  readonly startTls: boolean;
  readonly tls: { readonly caFile?: string; readonly serverName?: string; readonly rejectUnauthorized: boolean };
  readonly bindDn: string;
  readonly bindPassword: SecretRef;
  readonly userDn: string;
  readonly placeholderMember?: string;
  readonly timeoutMs: number;
}

export interface AdConnectorConfig {
  readonly type: 'ad';
  readonly url: string;
  readonly startTls: boolean;
  readonly tls: { readonly caFile?: string; readonly serverName?: string; readonly rejectUnauthorized: boolean };
  /** A DN or a user principal name (AD accepts both in a simple bind). */
  readonly bindDn: string;
  readonly bindPassword: SecretRef;
  readonly baseDn?: string;
  readonly principalAttribute: 'sAMAccountName' | 'userPrincipalName' | 'objectGUID' | 'objectSid';
  readonly timeBoundMembership: 'auto' | 'off' | 'required';
  readonly maxTicketLifetimeMs: number;
  readonly timeoutMs: number;
}

export interface SshConnectorConfig {
  readonly type: 'ssh';
  /** The CA private key. */
  readonly caKey: SecretRef;
  /** Absolute; when absent, <dataDir>/ssh/<connector name>. */
  readonly publishDir?: string;
  readonly clockSkewMs: number;
  readonly timeoutMs: number;
  /** Absolute path of the session guard on hosts. */
  readonly sessionGuard: string;
}

export type ConnectorConfig = LdapConnectorConfig | AdConnectorConfig | SshConnectorConfig;

export interface JitdConfig {
  /** Absolute path of the file this was loaded from; relative paths in it are resolved against its folder. */
  readonly source: string;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly tls?: { readonly certFile: string; readonly keyFile: string };
    readonly bodyLimitBytes: number;
    /** How people and hosts reach jitd, without a trailing slash. */
    readonly publicUrl: string;
    readonly sessionRecordingLimitBytes: number;
  };
  readonly dataDir: string;
  readonly store: { readonly type: 'sqlite'; readonly path: string };
  readonly identities: { readonly tokens: readonly TokenIdentity[]; readonly oidc?: OidcConfig };
  readonly authorization: { readonly admins: readonly SubjectRef[]; readonly auditors: readonly SubjectRef[] };
  readonly scheduler: {
    readonly pollIntervalMs: number;
    readonly batchSize: number;
    /** How long a request handler owns a grant before recovery may take it over. */
    readonly grantTimeoutMs: number;
    /** A revocation not confirmed this long after it was due counts as overdue (metric, status, alert). */
    readonly overdueAfterMs: number;
    readonly retry: RetryPolicy;
  };
  readonly reconciler: { readonly enabled: boolean; readonly intervalMs: number };
  readonly notifications: NotificationsConfig;
  readonly log: { readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent' };
  readonly connectors: ReadonlyMap<ConnectorName, ConnectorConfig>;
  readonly roles: readonly Role[];
}
