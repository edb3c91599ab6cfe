// The server's connection to its OpenID Connect provider. Discovery starts in the background when jitd
// starts; while the provider cannot be reached jitd runs on (config-file and stored tokens keep working),
// sign-in answers 503 naming the issuer, and every sign-in tries discovery again.
import type { Logger } from 'pino';
import { JitdError } from '../core/errors.ts';
import { createIdTokenVerifier, type IdTokenVerifier } from './id-token-verifier.ts';
import { discoverOidc, type DiscoveredOidc } from './oidc-client.ts';
import type { OidcSettings } from './oidc-settings.ts';

export interface OidcService {
  /** The web client's settings (issuer, clientId, claims, scopes). */
  readonly settings: OidcSettings;
  /** The public client `jitd login` uses, when configured. */
  readonly cliClientId?: string;
  readonly sessionDurationMs: number;
  /** The provider bound to the web client and a verifier accepting both clients' ID tokens; throws 503 until discovery succeeds. */
  ready(): Promise<{ readonly oidc: DiscoveredOidc; readonly verifier: IdTokenVerifier }>;
  /** Starts discovery without waiting for it (failures are logged). */
  start(): void;
}

export interface OidcServiceOptions {
  readonly settings: OidcSettings;
  readonly cliClientId?: string;
  readonly sessionDurationMs: number;
  readonly log: Logger;
  /** Seconds a discovery attempt may take. Default 10. */
  readonly discoveryTimeoutSeconds?: number;
}

export function createOidcService(options: OidcServiceOptions): OidcService {
  const { settings, log } = options;
  const audiences = [settings.clientId, ...(options.cliClientId === undefined ? [] : [options.cliClientId])];
  let found: { oidc: DiscoveredOidc; verifier: IdTokenVerifier } | undefined;
  let attempt: Promise<{ oidc: DiscoveredOidc; verifier: IdTokenVerifier }> | undefined;

  const discover = (): Promise<{ oidc: DiscoveredOidc; verifier: IdTokenVerifier }> =>
    (attempt ??= (async () => {
      try {
        const oidc = await discoverOidc(settings, { timeoutSeconds: options.discoveryTimeoutSeconds ?? 10 });
        found = { oidc, verifier: createIdTokenVerifier(oidc, { audiences }) };
        log.info({ issuer: settings.issuer }, 'OIDC provider discovered');
        return found;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new JitdError('target_unavailable', `sign-in is unavailable: the OIDC provider ${settings.issuer} cannot be used yet (${reason})`, { cause: err });
      } finally {
        // The next caller tries again after a failure; a success is kept in `found`.
        attempt = undefined;
      }
    })());

  return {
    settings,
    ...(options.cliClientId === undefined ? {} : { cliClientId: options.cliClientId }),
    sessionDurationMs: options.sessionDurationMs,
    ready: async () => found ?? discover(),
    start: () => {
      discover().catch((err: unknown) => log.warn({ issuer: settings.issuer, err: (err as Error).message }, 'OIDC discovery failed; sign-in will try again when used'));
    },
  };
}
