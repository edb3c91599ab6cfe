// The scope each API route needs, by "METHOD /url". The server refuses to start with a route missing here
// (and a unit test says which), so every new route is given a scope on purpose. `null`: the route takes no
// API token (it authenticates in its handler, or is part of signing in).
import type { TokenScope } from '../core/access-token.ts';

export const ROUTE_SCOPES: Readonly<Record<string, TokenScope | null>> = {
  'GET /v1/me': 'read',
  'GET /v1/roles': 'read',
  'POST /v1/requests': 'request',
  'GET /v1/requests': 'read',
  'GET /v1/requests/:id': 'read',
  'POST /v1/requests/:id/approve': 'approve',
  'POST /v1/requests/:id/deny': 'approve',
  'POST /v1/requests/:id/cancel': 'request',
  'GET /v1/approvals/pending': 'read',
  'GET /v1/notifications': 'read',
  'GET /v1/leases': 'read',
  'GET /v1/leases/:id': 'read',
  'POST /v1/leases/:id/release': 'request',
  'POST /v1/leases/:id/extend': 'request',
  'POST /v1/leases/:id/review': 'approve',
  'POST /v1/leases/:id/revoke': 'admin',
  'POST /v1/leases/:id/retry': 'admin',
  'GET /v1/status': 'read',
  'GET /v1/audit': 'audit',
  'GET /v1/audit/verify': 'audit',
  'GET /v1/audit/export': 'audit',
  'GET /v1/reports/always-on': 'audit',
  'GET /v1/reports/kpi': 'audit',
  'POST /v1/leases/:id/sessions': null,
  'GET /v1/leases/:id/sessions': 'read',
  'GET /v1/sessions/:id': 'read',
  'GET /v1/sessions/:id/transcript': 'read',
  'GET /v1/ssh/krl': 'host',
  'GET /v1/ssh/ca': 'host',
  'GET /v1/auth/oidc': null,
  'POST /v1/auth/oidc/exchange': null,
  'POST /v1/auth/logout': 'read',
  'GET /v1/tokens': 'read',
  'POST /v1/tokens': 'request',
  'POST /v1/tokens/:id/revoke': 'read',
};

export function routeKey(method: string, url: string): string {
  return `${method} ${url}`;
}

/** The scope a route needs, `null` for none, or undefined when the route is not in the map (a bug). */
export function requiredScope(method: string, url: string): TokenScope | null | undefined {
  return ROUTE_SCOPES[routeKey(method, url)];
}
