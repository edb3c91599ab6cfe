// Turns whatever ldapts, net or tls threw into a ConnectorError that says whether retrying can help and
// what the operator should do. Messages name the server, the bind DN and the group, never the password.
import { ResultCodeError } from 'ldapts';
import { ConnectorError } from '../connector.ts';

export interface LdapErrorContext {
  readonly connector: string;
  readonly url: string;
  readonly bindDn: string;
  readonly timeoutMs: number;
  /** What was being done, e.g. "add cn=alice,… to cn=admins,…". */
  readonly action: string;
  readonly group?: string;
  /** What to do about "insufficient access rights", e.g. which right to delegate to the service account. */
  readonly accessHint?: string;
}

/** LDAP result codes used by the connector (RFC 4511 appendix A). */
export const LdapResult = {
  timeLimitExceeded: 3,
  strongerAuthRequired: 8,
  adminLimitExceeded: 11,
  confidentialityRequired: 13,
  noSuchAttribute: 16,
  typeOrValueExists: 20,
  noSuchObject: 32,
  invalidDnSyntax: 34,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
  objectClassViolation: 65,
  alreadyExists: 68,
  other: 80,
} as const;

/** The LDAP result code of an error, when it is an LDAP result (not a network or TLS failure). */
export function ldapResultCode(err: unknown): number | undefined {
  return err instanceof ResultCodeError ? err.code : undefined;
}

// Node's codes for a certificate it would not accept (the chain, the name or the dates).
const UNTRUSTED_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);
const EXPIRED = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const WRONG_NAME = 'ERR_TLS_CERT_ALTNAME_INVALID';

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
  ENETDOWN: 'network down',
  ECONNABORTED: 'connection aborted',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
};

/** Thrown by the session when a connection dropped and ldapts would otherwise reconnect without binding. */
export class ConnectionLostError extends Error {
  constructor() {
    super('connection lost');
    this.name = 'ConnectionLostError';
  }
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * True for failures of the connection itself (as opposed to an answer from the server): after one of
 * these, the session is thrown away and a fresh connection may succeed.
 */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof ConnectionLostError) return true;
  if (err instanceof ResultCodeError) return false;
  const code = errorCode(err);
  if (code !== undefined && code in NETWORK_CODES) return true;
  // ldapts reports a socket that failed or closed under a pending request by message only.
  return /^(Socket error\.|Connection closed before message response|Socket connection not established)/.test(messageOf(err));
}

function isTimeout(err: unknown): boolean {
  return /Operation timed out$|^Connection timeout$|^LDAP setup timed out$/.test(messageOf(err));
}

/** The server's own words, without ldapts' " Code: 0x.." suffix. */
function diagnostic(err: ResultCodeError): string {
  return err.message.replace(/\s*Code: 0x[0-9a-f]+$/, '').trim();
}

function resultError(err: ResultCodeError, ctx: LdapErrorContext): ConnectorError {
  const make = (message: string, retryable: boolean): ConnectorError => new ConnectorError(ctx.connector, message, { retryable, cause: err });
  const said = diagnostic(err);
  const detail = `LDAP result ${err.code}${said ? `: ${said}` : ''}`;
  switch (err.code) {
    case LdapResult.invalidCredentials:
      return make(`bind as ${ctx.bindDn} failed: invalid credentials`, false);
    case LdapResult.noSuchObject:
      return make(ctx.group ? `group ${ctx.group} does not exist` : `${ctx.action} failed: no such entry`, false);
    case LdapResult.insufficientAccessRights:
      return make(`${ctx.bindDn} may not ${ctx.action}: insufficient access rights (${ctx.accessHint ?? 'grant it write access to member of the group'})`, false);
    case LdapResult.strongerAuthRequired:
    case LdapResult.confidentialityRequired:
      return make(`${ctx.url} requires a protected connection: use ldaps:// or startTls: true (${detail})`, false);
    case LdapResult.invalidDnSyntax:
      return make(`cannot ${ctx.action}: the server says a DN is invalid (${detail})`, false);
    case LdapResult.busy:
    case LdapResult.unavailable:
    case LdapResult.timeLimitExceeded:
    case LdapResult.adminLimitExceeded:
      return make(`${ctx.url} is busy or unavailable, could not ${ctx.action} (${detail})`, true);
    case LdapResult.unwillingToPerform:
      // Usually a refusal that will not change (read-only replica, policy); sometimes overload.
      return make(`${ctx.url} is unwilling to ${ctx.action} (${detail})`, /busy|overload|try again|too many/i.test(said));
    default:
      return make(`cannot ${ctx.action} (${detail})`, false);
  }
}

function tlsError(err: unknown, code: string, ctx: LdapErrorContext): ConnectorError | undefined {
  const reason = messageOf(err);
  if (UNTRUSTED_CA.has(code)) {
    return new ConnectorError(
      ctx.connector,
      `TLS certificate of ${ctx.url} is not trusted (${reason}): set tls.caFile to the PEM file of the CA that signed it`,
      { retryable: false, cause: err },
    );
  }
  if (code === WRONG_NAME) {
    return new ConnectorError(
      ctx.connector,
      `TLS certificate of ${ctx.url} does not name the server (${reason}): connect by a name in the certificate or set tls.serverName`,
      { retryable: false, cause: err },
    );
  }
  if (EXPIRED.has(code)) {
    return new ConnectorError(ctx.connector, `TLS certificate of ${ctx.url} is outside its validity period (${reason})`, { retryable: false, cause: err });
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return new ConnectorError(ctx.connector, `TLS handshake with ${ctx.url} failed (${reason}): is the port serving ldaps:// or plain ldap://?`, {
      retryable: false,
      cause: err,
    });
  }
  return undefined;
}

/** Classifies any error thrown while talking to the directory. ConnectorErrors pass through unchanged. */
export function classifyLdapError(err: unknown, ctx: LdapErrorContext): ConnectorError {
  if (err instanceof ConnectorError) return err;
  if (err instanceof ResultCodeError) return resultError(err, ctx);
  if (isTimeout(err)) {
    return new ConnectorError(ctx.connector, `${ctx.url} did not answer within ${ctx.timeoutMs} ms, could not ${ctx.action}`, { retryable: true, cause: err });
  }
  const code = errorCode(err);
  if (code !== undefined) {
    const tls = tlsError(err, code, ctx);
    if (tls) return tls;
    const network = NETWORK_CODES[code];
    if (network !== undefined) {
      return new ConnectorError(ctx.connector, `cannot reach LDAP server ${ctx.url}: ${network}`, { retryable: true, cause: err });
    }
  }
  if (isConnectionFailure(err)) {
    return new ConnectorError(ctx.connector, `connection to ${ctx.url} was lost, could not ${ctx.action}`, { retryable: true, cause: err });
  }
  // Something this code does not know: a bug or a new failure mode. Retrying is the safe default for a
  // revocation (it is never given up), and the message keeps the original text for the operator.
  return new ConnectorError(ctx.connector, `unexpected error, could not ${ctx.action}: ${messageOf(err)}`, { retryable: true, cause: err });
}
