// jitd's side of OpenID Connect, as a thin layer over openid-client: discovery, the device authorization grant
// (RFC 8628) for `jitd login`, the authorization-code flow with PKCE for the browser, and refresh. Every
// failure leaves here as a JitdError (see oidc-errors.ts).
import * as client from 'openid-client';
import { JitdError } from '../core/errors.ts';
import { DEVICE_CODE_EXPIRED, oidcError } from './oidc-errors.ts';
import type { OidcErrorContext, OidcOperation } from './oidc-errors.ts';
import type { OidcSettings } from './oidc-settings.ts';

const DEADLINE_GRACE_SECONDS = 5;

/** A provider found by discovery, bound to one client. */
export interface DiscoveredOidc {
  readonly settings: OidcSettings;
  /** openid-client's configuration (server metadata, client, auth method). */
  readonly configuration: client.Configuration;
  /** From the discovery document; the ID token verifier fetches signing keys from it. */
  readonly jwksUri: string;
}

export interface OidcTokens {
  /** The ID token, as issued; jitd presents it to the server. */
  readonly idToken: string;
  readonly accessToken: string;
  /** Present when the provider issued one (scope offline_access); kept across a refresh that does not rotate it. */
  readonly refreshToken?: string;
  /** When the ID token expires (its `exp`): refresh before then. */
  readonly expiresAt: Date;
  /** The ID token's claims as the provider sent them (not yet mapped to a principal). */
  readonly claims: client.IDToken;
}

export interface DeviceLogin {
  /** What the person types at the provider, e.g. `WDJB-MJHT`. */
  readonly userCode: string;
  readonly verificationUri: string;
  /** The verification URI with the code filled in, when the provider offers one. */
  readonly verificationUriComplete?: string;
  /** Seconds until the device code expires. */
  readonly expiresIn: number;
  /**
   * Polls the provider until the person approves (tokens), denies or the code expires (JitdError). Aborting
   * `signal` stops polling and rejects with the signal's reason.
   */
  poll(signal?: AbortSignal): Promise<OidcTokens>;
}

/** What must be kept between sending the browser off and its coming back (e.g. in a signed cookie). */
export interface SignInChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** The redirect_uri sent; the token request repeats it. */
  readonly redirectUri: string;
}

export interface SignIn {
  readonly url: URL;
  readonly checks: SignInChecks;
}

function context(oidc: DiscoveredOidc | OidcSettings, operation: OidcOperation): OidcErrorContext {
  const settings = 'settings' in oidc ? oidc.settings : oidc;
  return { issuer: settings.issuer, clientId: settings.clientId, operation };
}

function scope(settings: OidcSettings): string {
  return (settings.scopes.includes('openid') ? settings.scopes : ['openid', ...settings.scopes]).join(' ');
}

function toTokens(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, issuer: string, previousRefreshToken?: string): OidcTokens {
  const claims = response.claims();
  if (response.id_token === undefined || claims === undefined) {
    throw new JitdError('target_rejected', `${issuer} answered without an ID token; is "openid" among the requested scopes?`);
  }
  const refreshToken = response.refresh_token ?? previousRefreshToken;
  return {
    idToken: response.id_token,
    accessToken: response.access_token,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    expiresAt: new Date(claims.exp * 1000),
    claims,
  };
}

/**
 * Reads the provider's discovery document and binds it to `settings.clientId` (client_secret_basic when a
 * secret is set, otherwise a public client).
 */
export async function discoverOidc(settings: OidcSettings, options: { readonly timeoutSeconds?: number } = {}): Promise<DiscoveredOidc> {
  const auth = settings.clientSecret === undefined ? client.None() : client.ClientSecretBasic(settings.clientSecret);
  let configuration: client.Configuration;
  try {
    configuration = await client.discovery(new URL(settings.issuer), settings.clientId, undefined, auth, {
      // allowInsecureRequests is marked deprecated only to stand out; plain http is for loopback tests.
      execute: settings.allowInsecureHttp ? [client.allowInsecureRequests] : [],
      timeout: options.timeoutSeconds ?? 10,
    });
  } catch (err) {
    throw oidcError(context(settings, 'discovery'), err);
  }
  const jwksUri = configuration.serverMetadata().jwks_uri;
  if (jwksUri === undefined) throw new JitdError('target_rejected', `${settings.issuer} publishes no jwks_uri, so jitd cannot check its ID tokens`);
  return { settings, configuration, jwksUri };
}

/** Starts `jitd login`: asks the provider for a device code and a user code to show. */
export async function startDeviceLogin(oidc: DiscoveredOidc): Promise<DeviceLogin> {
  let response: client.DeviceAuthorizationResponse;
  try {
    response = await client.initiateDeviceAuthorization(oidc.configuration, { scope: scope(oidc.settings) });
  } catch (err) {
    throw oidcError(context(oidc, 'device authorization'), err);
  }
  // The provider says expired_token once the code has expired; this deadline (a little later) only stops
  // polling a provider that never does. openid-client applies expires_in itself only when given no signal.
  const deadline = Date.now() + (response.expires_in + DEADLINE_GRACE_SECONDS) * 1000;
  const poll = async (signal?: AbortSignal): Promise<OidcTokens> => {
    const expiry = AbortSignal.timeout(Math.max(0, deadline - Date.now()));
    try {
      const tokens = await client.pollDeviceAuthorizationGrant(oidc.configuration, response, undefined, { signal: signal === undefined ? expiry : AbortSignal.any([signal, expiry]) });
      return toTokens(tokens, oidc.settings.issuer);
    } catch (err) {
      if (signal?.aborted === true) throw signal.reason;
      if (expiry.aborted) throw new JitdError('unauthenticated', DEVICE_CODE_EXPIRED, { cause: err });
      throw oidcError(context(oidc, 'device sign-in'), err);
    }
  };
  return {
    userCode: response.user_code,
    verificationUri: response.verification_uri,
    ...(response.verification_uri_complete === undefined ? {} : { verificationUriComplete: response.verification_uri_complete }),
    expiresIn: response.expires_in,
    poll,
  };
}

/**
 * The URL to send a browser to for the authorization-code flow with PKCE (S256), and the checks to keep until
 * it comes back. No `prompt` is sent: `prompt=consent` (which OIDC Core §11 ties to offline_access) would make
 * some providers show a consent screen at every sign-in, and the browser session does not need a refresh token.
 */
export async function buildSignInUrl(oidc: DiscoveredOidc, redirectUri: string): Promise<SignIn> {
  const checks: SignInChecks = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier(), redirectUri };
  const url = client.buildAuthorizationUrl(oidc.configuration, {
    redirect_uri: redirectUri,
    scope: scope(oidc.settings),
    state: checks.state,
    nonce: checks.nonce,
    code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
  });
  return { url, checks };
}

/**
 * Completes the browser sign-in: `callbackUrl` is the URL the browser came back on (only its query is read;
 * the redirect URI is the one in `checks`). Checks state, nonce and PKCE, redeems the code.
 */
export async function finishSignIn(oidc: DiscoveredOidc, callbackUrl: string | URL, checks: SignInChecks): Promise<OidcTokens> {
  const current = new URL(checks.redirectUri);
  current.search = new URL(callbackUrl, checks.redirectUri).search;
  try {
    const response = await client.authorizationCodeGrant(oidc.configuration, current, {
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      pkceCodeVerifier: checks.codeVerifier,
      idTokenExpected: true,
    });
    return toTokens(response, oidc.settings.issuer);
  } catch (err) {
    throw oidcError(context(oidc, 'sign-in'), err);
  }
}

/** New tokens for a refresh token; a provider that does not rotate refresh tokens leaves the old one in place. */
export async function refreshTokens(oidc: DiscoveredOidc, refreshToken: string): Promise<OidcTokens> {
  try {
    const response = await client.refreshTokenGrant(oidc.configuration, refreshToken);
    return toTokens(response, oidc.settings.issuer, refreshToken);
  } catch (err) {
    throw oidcError(context(oidc, 'token refresh'), err);
  }
}
