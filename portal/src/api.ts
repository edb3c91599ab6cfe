// Calls to jitd's API from the browser: same origin, the session cookie rides along, and every
// state-changing call sends the CSRF token /v1/me handed out (the server refuses a POST without it).
import type { ApiErrorBody } from './types.ts';

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

/** A refused call, with the server's own words: `message` for the page, `issues` per field. */
export class ApiError extends Error {
  readonly status: number;
  readonly kind: string;
  readonly issues: readonly FieldIssue[];

  constructor(status: number, kind: string, message: string, issues: readonly FieldIssue[] = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.kind = kind;
    this.issues = issues;
  }

  /** The server's message for one field (`path` as the API names it), if it named that field. */
  fieldMessage(path: string): string | undefined {
    return this.issues.find((issue) => issue.path === path)?.message;
  }
}

let csrfToken: string | undefined;

/** Set once /v1/me has answered; sent back as X-Jitd-CSRF on every POST. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> | undefined;
  try {
    body = (await response.json()) as Partial<ApiErrorBody>;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  if (error && typeof error.message === 'string') return new ApiError(response.status, error.kind, error.message, error.issues ?? []);
  return new ApiError(response.status, 'http', `jitd answered ${response.status} ${response.statusText}`.trim());
}

async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method === 'POST') {
    headers['content-type'] = 'application/json';
    if (csrfToken !== undefined) headers['x-jitd-csrf'] = csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(path, { method, headers, credentials: 'same-origin', ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}) });
  } catch {
    throw new ApiError(0, 'network', 'jitd cannot be reached; check your connection and try again');
  }
  if (!response.ok) throw await errorOf(response);
  return (await response.json()) as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) => call<T>('POST', path, body),
};

/** A query string from the set values only. */
export function query(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
