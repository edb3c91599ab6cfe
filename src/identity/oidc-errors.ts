// openid-client failures turned into JitdErrors whose messages tell a person what happened and what to do.
// openid-client throws: TypeError (fetch could not connect), ClientError with an OAUTH_* code (timeouts,
// http refused, malformed answers), ResponseBodyError (an OAuth error from an endpoint, e.g. invalid_grant)
// and AuthorizationResponseError (an error on the redirect back from the browser, e.g. access_denied).
import { AuthorizationResponseError, ClientError, ResponseBodyError } from 'openid-client';
import { JitdError } from '../core/errors.ts';

/** What jitd was doing with the provider when it failed (used in messages). */
export type OidcOperation = 'discovery' | 'device authorization' | 'device sign-in' | 'sign-in' | 'token refresh';

export interface OidcErrorContext {
  readonly issuer: string;
  readonly clientId: string;
  readonly operation: OidcOperation;
}

export const DEVICE_CODE_EXPIRED = 'the sign-in code expired before it was approved; run jitd login again';

/** The innermost useful reason in an error's cause chain, e.g. "connect ECONNREFUSED 127.0.0.1:9". */
function rootCause(err: unknown): string {
  let current: unknown = err;
  let text = '';
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (current.message !== '' && current.message !== 'fetch failed') text = current.message;
    else if (typeof code === 'string') text = code;
    current = current.cause;
  }
  return text === '' ? String(err) : text;
}

function describeOAuthError(error: string, description: string | undefined): string {
  return description === undefined || description === '' ? error : `${error} (${description})`;
}

export function oidcError(context: OidcErrorContext, err: unknown): JitdError {
  if (err instanceof JitdError) return err;
  const { issuer, clientId, operation } = context;

  if (err instanceof ResponseBodyError) {
    const detail = describeOAuthError(err.error, err.error_description);
    switch (err.error) {
      case 'access_denied':
        return new JitdError('unauthenticated', `sign-in was denied at ${issuer}${err.error_description ? `: ${err.error_description}` : ''}`, { cause: err });
      case 'expired_token':
        return new JitdError('unauthenticated', DEVICE_CODE_EXPIRED, { cause: err });
      case 'invalid_grant':
        if (operation === 'token refresh') return new JitdError('unauthenticated', `the OIDC session at ${issuer} has expired or was revoked; sign in again with jitd login`, { cause: err });
        return new JitdError('unauthenticated', `${issuer} refused the ${operation}: ${detail}; sign in again`, { cause: err });
      case 'invalid_client':
      case 'unauthorized_client':
        return new JitdError('target_rejected', `${issuer} does not accept the OIDC client "${clientId}" for the ${operation}: ${detail}; check the client id, secret and allowed grant types`, { cause: err });
      default:
        return new JitdError('target_rejected', `${issuer} refused the ${operation}: ${detail}`, { cause: err });
    }
  }

  if (err instanceof AuthorizationResponseError) {
    if (err.error === 'access_denied') {
      return new JitdError('unauthenticated', `sign-in was denied at ${issuer}${err.error_description ? `: ${err.error_description}` : ''}`, { cause: err });
    }
    return new JitdError('unauthenticated', `sign-in at ${issuer} failed: ${describeOAuthError(err.error, err.error_description)}`, { cause: err });
  }

  const code = err instanceof ClientError ? err.code : undefined;
  if (err instanceof TypeError && err.message === 'fetch failed') {
    return new JitdError('target_unavailable', `cannot reach the OIDC provider ${issuer}: ${rootCause(err)}`, { cause: err });
  }
  if (code === 'OAUTH_TIMEOUT') {
    return new JitdError('target_unavailable', `cannot reach the OIDC provider ${issuer}: no answer in time`, { cause: err });
  }
  if (code === 'OAUTH_HTTP_REQUEST_FORBIDDEN') {
    return new JitdError('invalid_input', `the OIDC issuer ${issuer} uses plain http; jitd allows that only with allowInsecureHttp (loopback tests and demos)`, { cause: err });
  }
  if (operation === 'sign-in' && code === 'OAUTH_INVALID_RESPONSE' && rootCause(err).includes('"state"')) {
    return new JitdError('unauthenticated', 'the sign-in response does not belong to this sign-in attempt (state mismatch); start the sign-in again', { cause: err });
  }
  if (operation === 'discovery') {
    return new JitdError('target_unavailable', `OIDC discovery at ${issuer} failed: ${err instanceof Error ? err.message : String(err)}${code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' ? ' (is this the issuer URL of an OpenID Connect provider?)' : ''}`, { cause: err });
  }
  const reason = rootCause(err);
  const summary = err instanceof Error && err.message !== reason ? `${err.message}: ${reason}` : reason;
  return new JitdError('target_rejected', `the ${operation} with ${issuer} failed: ${summary}`, { cause: err });
}
