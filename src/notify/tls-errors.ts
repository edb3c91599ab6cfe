// Certificate errors as an operator can act on them. Node's own text for these suggests `--use-system-ca`,
// which is not how jitd is told about a CA: the channel's `tls.caFile` is.

const CERTIFICATE_ERRORS = /^(UNABLE_TO_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH)/;

/** Whether a socket error code says the server's certificate was not accepted. */
export function isCertificateError(code: string | undefined): boolean {
  return code !== undefined && CERTIFICATE_ERRORS.test(code);
}

/** E.g. "its certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): set tls.caFile to the CA that issued it". */
export function describeCertificateError(code: string): string {
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return `its certificate is not valid for the host name (${code}): use a host name the certificate names`;
  }
  if (code.startsWith('CERT_') && /EXPIRED|NOT_YET_VALID/.test(code)) return `its certificate is outside its validity period (${code})`;
  return `its certificate is not trusted (${code}): set tls.caFile to the CA that issued it`;
}
