// Every API route has a scope on purpose: a route missing from src/api/route-scopes.ts fails here (and
// stops the server from starting), so new routes cannot slip in without one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { identityRoutes, type IdentityDeps } from '../../src/api/identity-routes.ts';
import { reportRoutes, type ReportDeps } from '../../src/api/report-routes.ts';
import type { Route } from '../../src/api/route.ts';
import { ROUTE_SCOPES, requiredScope, routeKey } from '../../src/api/route-scopes.ts';
import { apiRoutes, type ApiDeps } from '../../src/api/routes.ts';

/** Building the route table reads no dependency; these stand-ins are never called. */
const unusedApiDeps = { sessionRecordingLimitBytes: 1024, overdueAfterMs: 60_000 } as unknown as ApiDeps;
const unusedIdentityDeps = {} as unknown as IdentityDeps;

function allRoutes(): readonly Route[] {
  return [...apiRoutes(unusedApiDeps), ...identityRoutes(unusedIdentityDeps), ...reportRoutes({} as unknown as ReportDeps)];
}

describe('route scopes', () => {
  test('every route in the API table has an entry in the scope map', () => {
    const missing = allRoutes()
      .map((r) => routeKey(r.method, r.url))
      .filter((key) => !(key in ROUTE_SCOPES));
    assert.deepEqual(missing, [], `add these routes to src/api/route-scopes.ts: ${missing.join(', ')}`);
  });

  test('exactly the routes that take no API token map to no scope', () => {
    for (const r of allRoutes()) {
      const scope = requiredScope(r.method, r.url);
      if (r.auth === 'handler') assert.equal(scope, null, `${routeKey(r.method, r.url)} authenticates in its handler`);
      else assert.notEqual(scope, null, `${routeKey(r.method, r.url)} takes a token and needs a scope`);
    }
  });

  test('the routes of the approval workflow have their scopes before they exist', () => {
    assert.equal(requiredScope('POST', '/v1/requests/:id/approve'), 'approve');
    assert.equal(requiredScope('POST', '/v1/requests/:id/deny'), 'approve');
    assert.equal(requiredScope('GET', '/v1/approvals/pending'), 'read');
    assert.equal(requiredScope('POST', '/v1/leases/:id/extend'), 'request');
    assert.equal(requiredScope('POST', '/v1/leases/:id/review'), 'approve');
  });

  test('SSH hosts fetch the CA key and KRL with the host scope, and the audit trail needs audit', () => {
    assert.equal(requiredScope('GET', '/v1/ssh/krl'), 'host');
    assert.equal(requiredScope('GET', '/v1/ssh/ca'), 'host');
    assert.equal(requiredScope('GET', '/v1/audit/export'), 'audit');
    assert.equal(requiredScope('POST', '/v1/leases/:id/revoke'), 'admin');
  });

  test('a route not in the map has no scope at all', () => {
    assert.equal(requiredScope('POST', '/v1/something-new'), undefined);
  });
});
