// The server's check of an ID token someone presents to jitd: signed by a key the provider publishes (JWKS
// from discovery), issued by that provider, for one of jitd's clients, not expired; then mapped to the
// principal policy looks at. Any failure is an `unauthenticated` JitdError saying which check failed, except
// an unreachable key set (`target_unavailable`).
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import { JitdError } from '../core/errors.ts';
import { PrincipalId } from '../core/ids.ts';
import type { DiscoveredOidc } from './oidc-client.ts';
import type { OidcSettings } from './oidc-settings.ts';

/** Who signed in, in policy's terms: `id` is the provider's `sub`. */
export interface OidcPrincipal {
  readonly id: PrincipalId;
  readonly displayName: string;
  readonly email?: string;
  readonly groups: readonly string[];
}

export type ClaimMapping = Pick<OidcSettings, 'groupsClaim' | 'displayNameClaim' | 'emailClaim'>;

export interface IdTokenVerifierOptions {
  /** Client ids whose ID tokens jitd accepts, e.g. the web client's and the CLI's. */
  readonly audiences: readonly string[];
  /** Allowed clock difference with the provider, in seconds. Default 30. */
  readonly clockToleranceSeconds?: number;
}

export interface IdTokenVerifier {
  /** The principal an ID token names, or a JitdError. `now` defaults to the current time. */
  verify(idToken: string, now?: Date): Promise<OidcPrincipal>;
}

/** Signature algorithms with a public key: never `none`, never HMAC (the client secret is no proof of the provider). */
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

function unauthenticated(message: string, cause?: unknown): JitdError {
  return new JitdError('unauthenticated', message, cause === undefined ? {} : { cause });
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}

function groupsFrom(value: unknown, claim: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) throw unauthenticated(`the ID token claim "${claim}" must be a string or an array of strings, not ${typeName(value)}`);
  return value.map((entry: unknown, index) => {
    if (typeof entry !== 'string') throw unauthenticated(`the ID token claim "${claim}" must hold strings only; entry ${index + 1} is ${typeName(entry)}`);
    return entry;
  });
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Maps verified ID token claims to a principal; throws when the groups claim has the wrong shape. */
export function principalFromClaims(claims: Readonly<Record<string, unknown>>, mapping: ClaimMapping): OidcPrincipal {
  const sub = nonEmptyString(claims.sub);
  if (sub === undefined) throw unauthenticated('the ID token has no "sub" claim');
  const email = nonEmptyString(claims[mapping.emailClaim]);
  return {
    id: PrincipalId(sub),
    displayName: nonEmptyString(claims[mapping.displayNameClaim]) ?? email ?? sub,
    ...(email === undefined ? {} : { email }),
    groups: groupsFrom(claims[mapping.groupsClaim], mapping.groupsClaim),
  };
}

function describeAudience(aud: JWTPayload['aud']): string {
  if (aud === undefined) return 'no audience';
  return Array.isArray(aud) ? aud.map((a) => `"${a}"`).join(', ') : `"${aud}"`;
}

function rootCause(err: unknown): string {
  let current: unknown = err;
  let text = String(err);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (current.message !== '' && current.message !== 'fetch failed') text = current.message;
    else if (typeof code === 'string') text = code;
    current = current.cause;
  }
  return text;
}

export function createIdTokenVerifier(oidc: DiscoveredOidc, options: IdTokenVerifierOptions): IdTokenVerifier {
  const metadata = oidc.configuration.serverMetadata();
  const issuer = metadata.issuer;
  const jwksUrl = new URL(oidc.jwksUri);
  if (jwksUrl.protocol !== 'https:' && !oidc.settings.allowInsecureHttp) {
    throw new JitdError('invalid_input', `the signing keys of ${issuer} are at ${jwksUrl.href}, over plain http; jitd allows that only with allowInsecureHttp (loopback tests and demos)`);
  }
  if (options.audiences.length === 0) throw new JitdError('invalid_input', 'an ID token verifier needs at least one accepted audience (client id)');
  const advertised = metadata.id_token_signing_alg_values_supported;
  const algorithms = advertised === undefined ? ASYMMETRIC_ALGORITHMS : ASYMMETRIC_ALGORITHMS.filter((alg) => advertised.includes(alg));
  const keys = createRemoteJWKSet(jwksUrl, { timeoutDuration: 10_000 });
  const audiences = [...options.audiences];
  const accepted = audiences.map((a) => `"${a}"`).join(', ');

  const explain = (err: unknown, idToken: string): JitdError => {
    if (err instanceof JitdError) return err;
    if (err instanceof errors.JWTExpired) {
      const exp = typeof err.payload.exp === 'number' ? ` at ${new Date(err.payload.exp * 1000).toISOString()}` : '';
      return unauthenticated(`the ID token expired${exp}; sign in again`, err);
    }
    if (err instanceof errors.JWTClaimValidationFailed) {
      if (err.claim === 'aud') return unauthenticated(`the ID token was issued for ${describeAudience(err.payload.aud)}, not for this jitd (accepted: ${accepted})`, err);
      if (err.claim === 'iss') return unauthenticated(`the ID token was issued by ${err.payload.iss === undefined ? 'no issuer' : `"${err.payload.iss}"`}, not by ${issuer}`, err);
      return unauthenticated(`the ID token is not valid: ${err.message}`, err);
    }
    if (err instanceof errors.JOSEAlgNotAllowed) {
      let alg = 'unknown';
      try {
        alg = String(decodeProtectedHeader(idToken).alg);
      } catch {
        // The header was readable enough for jose to refuse its alg; keep "unknown" if not.
      }
      return unauthenticated(`the ID token is signed with algorithm "${alg}", which jitd does not accept (accepted: ${algorithms.join(', ')})`, err);
    }
    if (err instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('the ID token signature is invalid', err);
    if (err instanceof errors.JWKSNoMatchingKey) return unauthenticated(`the ID token is signed with a key that ${issuer} does not publish`, err);
    if (err instanceof errors.JWKSTimeout || (err instanceof TypeError && err.message === 'fetch failed')) {
      return new JitdError('target_unavailable', `cannot fetch the signing keys of ${issuer} from ${jwksUrl.href}: ${rootCause(err)}`, { cause: err });
    }
    if (err instanceof errors.JOSEError) return unauthenticated(`the ID token is malformed: ${err.message}`, err);
    return new JitdError('internal', `verifying an ID token failed unexpectedly: ${rootCause(err)}`, { cause: err });
  };

  return {
    async verify(idToken, now = new Date()) {
      try {
        const { payload } = await jwtVerify(idToken, keys, {
          issuer,
          audience: audiences,
          algorithms,
          clockTolerance: options.clockToleranceSeconds ?? 30,
          currentDate: now,
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        // With several audiences, OIDC names the client it was issued to in `azp`: it must be one of ours too.
        if (typeof payload.azp === 'string' && !audiences.includes(payload.azp)) {
          throw unauthenticated(`the ID token was issued to client "${payload.azp}", not to this jitd (accepted: ${accepted})`);
        }
        return principalFromClaims(payload, oidc.settings);
      } catch (err) {
        throw explain(err, idToken);
      }
    },
  };
}
