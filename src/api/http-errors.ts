// The one table from error kinds to HTTP statuses, and the JSON error body every failure uses:
// { "error": { "kind": "...", "message": "...", "issues": [{ "path", "message" }] } }.
import type { ErrorKind } from '../core/errors.ts';
import { JitdError } from '../core/errors.ts';

export const HTTP_STATUS: Readonly<Record<ErrorKind, number>> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  target_rejected: 502,
  target_unavailable: 503,
  internal: 500,
};

export interface ErrorBody {
  readonly error: { readonly kind: ErrorKind; readonly message: string; readonly issues?: readonly { path: string; message: string }[] };
}

/** Framework errors (bad JSON, body too large, wrong content type) keep their 4xx status and message. */
function frameworkKind(status: number): ErrorKind {
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'payload_too_large';
  return 'invalid_input';
}

export function toErrorResponse(error: unknown): { status: number; body: ErrorBody; exposed: boolean } {
  if (error instanceof JitdError) {
    const status = HTTP_STATUS[error.kind];
    const exposed = status < 500 || error.kind === 'target_unavailable' || error.kind === 'target_rejected';
    const message = exposed ? error.message : 'internal error; see the server log';
    return { status, exposed, body: { error: { kind: error.kind, message, ...(error.issues.length ? { issues: error.issues } : {}) } } };
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, exposed: true, body: { error: { kind: frameworkKind(status), message: (error as Error).message } } };
  }
  return { status: 500, exposed: false, body: { error: { kind: 'internal', message: 'internal error; see the server log' } } };
}
