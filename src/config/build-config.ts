// The validated file, as the rest of jitd sees it (types.ts): durations in ms, paths absolute.
import path from 'node:path';
import type { ConnectorName } from '../core/ids.ts';
import type { Role } from '../core/role.ts';
import type { ConfigFile } from './file-schema.ts';
import type { ConnectorConfig, JitdConfig, NotificationsConfig, OidcConfig } from './types.ts';

export function buildConfig(
  source: string,
  file: ConfigFile,
  connectors: ReadonlyMap<ConnectorName, ConnectorConfig>,
  roles: readonly Role[],
): JitdConfig {
  const configDir = path.dirname(source);
  const dataDir = path.resolve(configDir, file.dataDir);
  const { server, scheduler } = file;
  return {
    source,
    server: {
      host: server.listen.host,
      port: server.listen.port,
      ...(server.tls === undefined ? {} : { tls: { certFile: path.resolve(configDir, server.tls.cert), keyFile: path.resolve(configDir, server.tls.key) } }),
      bodyLimitBytes: server.bodyLimit,
      publicUrl: server.publicUrl ?? `${server.tls === undefined ? 'http' : 'https'}://${urlHost(server.listen.host)}:${server.listen.port}`,
      sessionRecordingLimitBytes: server.sessionRecordingLimit,
    },
    dataDir,
    store: { type: file.store.type, path: path.resolve(dataDir, file.store.path) },
    identities: {
      tokens: file.identities.tokens.map((token) => ({
        principal: token.principal,
        ...(token.displayName === undefined ? {} : { displayName: token.displayName }),
        ...(token.email === undefined ? {} : { email: token.email }),
        groups: token.groups,
        tokenSha256: token.tokenSha256,
      })),
      ...(file.identities.oidc === undefined ? {} : { oidc: oidcConfig(file.identities.oidc) }),
    },
    authorization: { admins: file.authorization.admins, auditors: file.authorization.auditors },
    scheduler: {
      pollIntervalMs: scheduler.pollInterval,
      batchSize: scheduler.batchSize,
      grantTimeoutMs: scheduler.grantTimeout,
      overdueAfterMs: scheduler.overdueAfter,
      retry: {
        initialDelayMs: scheduler.retry.initialDelay,
        maxDelayMs: scheduler.retry.maxDelay,
        factor: scheduler.retry.factor,
        jitter: scheduler.retry.jitter,
      },
    },
    reconciler: { enabled: file.reconciler.enabled, intervalMs: file.reconciler.interval },
    notifications: notificationsConfig(file.notifications, configDir),
    log: { level: file.log.level },
    connectors,
    roles,
  };
}

/** A listen host as it is written in a URL (IPv6 in brackets; the wildcard as this machine's loopback). */
function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function oidcConfig(oidc: NonNullable<ConfigFile['identities']['oidc']>): OidcConfig {
  return {
    issuer: oidc.issuer.replace(/\/+$/, ''),
    clientId: oidc.clientId,
    ...(oidc.clientSecret === undefined ? {} : { clientSecret: oidc.clientSecret }),
    ...(oidc.cliClientId === undefined ? {} : { cliClientId: oidc.cliClientId }),
    groupsClaim: oidc.groupsClaim,
    displayNameClaim: oidc.displayNameClaim,
    emailClaim: oidc.emailClaim,
    scopes: oidc.scopes,
    sessionDurationMs: oidc.sessionDuration,
    allowInsecureHttp: oidc.allowInsecureHttp,
  };
}

function notificationsConfig(n: ConfigFile['notifications'], configDir: string): NotificationsConfig {
  const email = n.email;
  return {
    ...(email === undefined
      ? {}
      : {
          email: {
            host: email.host,
            port: email.port,
            security: email.security,
            ...(email.caFile === undefined ? {} : { caFile: path.resolve(configDir, email.caFile) }),
            ...(email.username === undefined ? {} : { username: email.username }),
            ...(email.password === undefined ? {} : { password: email.password }),
            from: email.from,
            timeoutMs: email.timeout,
          },
        }),
    webhooks: n.webhooks.map((w) => ({
      name: w.name,
      url: w.url,
      format: w.format,
      secret: w.secret,
      ...(w.events === undefined ? {} : { events: w.events }),
      ...(w.caFile === undefined ? {} : { caFile: path.resolve(configDir, w.caFile) }),
      timeoutMs: w.timeout,
    })),
    securityContacts: n.securityContacts,
    pollIntervalMs: n.pollInterval,
    retry: { initialDelayMs: n.retry.initialDelay, maxDelayMs: n.retry.maxDelay, factor: n.retry.factor, jitter: n.retry.jitter },
  };
}
