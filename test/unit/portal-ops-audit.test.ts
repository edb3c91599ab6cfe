// The audit page's pure parts: filters in the page address, the API paths they make, datetime-local times,
// and the one-line summary of each event.
process.env.TZ = 'Europe/Berlin';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  auditExportPath,
  auditPagePath,
  auditSearchPath,
  filtersFromQuery,
  isIsoInstant,
  isoToLocalInput,
  linkTimeWords,
  localInputToIso,
  NO_AUDIT_FILTERS,
} from '../../portal/src/components/audit-filters.ts';
import { summarizeEvent } from '../../portal/src/components/audit-summary.ts';

describe('audit filters', () => {
  test('filters come from the page address, trimmed, and unknown parameters are ignored', () => {
    assert.deepEqual(filtersFromQuery({ principal: ' alice ', type: 'lease.revoked', since: '24h', other: 'x' }), {
      ...NO_AUDIT_FILTERS,
      principal: 'alice',
      type: 'lease.revoked',
      since: '24h',
    });
    assert.deepEqual(filtersFromQuery({}), NO_AUDIT_FILTERS);
  });

  test('the page address carries only the filters that are set', () => {
    assert.equal(auditPagePath(NO_AUDIT_FILTERS), '/audit');
    assert.equal(auditPagePath({ ...NO_AUDIT_FILTERS, principal: 'alice', role: 'domain-admins' }), '/audit?principal=alice&role=domain-admins');
    assert.equal(auditPagePath({ ...NO_AUDIT_FILTERS, leaseId: 'l-1' }), '/audit?leaseId=l-1');
  });

  test('a search asks for one page newest first, and the next page before the last seq shown', () => {
    const filters = { ...NO_AUDIT_FILTERS, type: 'lease.granted,lease.revoked', since: '2026-11-24T13:00:00.000Z' };
    assert.equal(auditSearchPath(filters), '/v1/audit?type=lease.granted%2Clease.revoked&since=2026-11-24T13%3A00%3A00.000Z&order=desc&limit=50');
    assert.equal(auditSearchPath(NO_AUDIT_FILTERS, 120), '/v1/audit?order=desc&beforeSeq=120&limit=50');
  });

  test('the export takes the same filters and no paging', () => {
    assert.equal(auditExportPath(NO_AUDIT_FILTERS), '/v1/audit/export');
    assert.equal(auditExportPath({ ...NO_AUDIT_FILTERS, principal: 'bob', until: '7d' }), '/v1/audit/export?principal=bob&until=7d');
  });
});

describe('times between the datetime picker and the API', () => {
  test("a picked time is read in the reader's zone and sent as UTC", () => {
    assert.equal(localInputToIso('2026-11-24T14:05'), '2026-11-24T13:05:00.000Z');
    assert.equal(localInputToIso('2026-07-01T09:00:30'), '2026-07-01T07:00:30.000Z');
    assert.equal(localInputToIso(''), '');
  });

  test("an ISO time from the address is shown in the reader's zone, with seconds only when it has some", () => {
    assert.equal(isoToLocalInput('2026-11-24T13:05:00.000Z'), '2026-11-24T14:05');
    assert.equal(isoToLocalInput('2026-11-24T13:05:09Z'), '2026-11-24T14:05:09');
    assert.equal(isoToLocalInput('2026-11-24T14:05:00+01:00'), '2026-11-24T14:05');
  });

  test('a relative time such as 24h is not an ISO instant and has no picker value', () => {
    assert.equal(isIsoInstant('24h'), false);
    assert.equal(isIsoInstant('2026-11-24'), false);
    assert.equal(isIsoInstant('2026-13-40T99:00Z'), false);
    assert.equal(isIsoInstant('2026-11-24T13:05Z'), true);
    assert.equal(isoToLocalInput('24h'), '');
  });

  test('a time from a link that the picker cannot show is put in words', () => {
    assert.equal(linkTimeWords('24h'), '24h ago');
    assert.equal(linkTimeWords('1h30m'), '1h30m ago');
    assert.equal(linkTimeWords('2026-11-24'), '2026-11-24');
  });
});

describe('event summaries', () => {
  test('each kind of event says what happened in its own words', () => {
    assert.equal(
      summarizeEvent({ type: 'request.created', data: { principal: 'alice', role: 'domain-admins', durationMs: 3_600_000, approval: 'auto', reason: 'patching' } }),
      'alice asked for domain-admins for 1h (auto): patching',
    );
    assert.equal(summarizeEvent({ type: 'request.created', data: { principal: 'alice', role: 'break-glass', durationMs: 1_800_000, approval: 'break_glass', reason: '' } }), 'alice asked for break-glass for 30m (break-glass)');
    assert.equal(summarizeEvent({ type: 'approval.given', data: { approver: 'bob', approvals: 1, required: 2 } }), 'bob approved (1 of 2)');
    assert.equal(summarizeEvent({ type: 'request.approved', data: { mode: 'manual', approvers: ['bob', 'dave'] } }), 'approved by bob, dave');
    assert.equal(summarizeEvent({ type: 'request.approved', data: { mode: 'auto' } }), 'approved by policy');
    assert.equal(summarizeEvent({ type: 'request.denied', data: { approver: 'dave', comment: 'no ticket' } }), 'dave denied: no ticket');
    assert.equal(summarizeEvent({ type: 'lease.granted', data: { principal: 'alice', role: 'domain-admins', grantLatencyMs: 12 } }), 'alice holds domain-admins (granted in 12 ms)');
    assert.equal(summarizeEvent({ type: 'lease.revoked', data: { reason: 'expired', attempts: 1, lagMs: 250 } }), 'access removed (expired) after 1 attempt, 250 ms after expiry');
    assert.equal(summarizeEvent({ type: 'lease.revoke_failed', data: { error: 'LDAP down', attempts: 3 } }), 'revocation failed (3 failed attempts): LDAP down');
    assert.equal(summarizeEvent({ type: 'lease.retry_requested', data: { attempts: 4, lastError: 'LDAP down' } }), 'retry of the revocation asked for now (4 failed attempts so far)');
    assert.equal(summarizeEvent({ type: 'lease.reviewed', data: { verdict: 'refused', comment: 'not an emergency' } }), 'break-glass use refused: not an emergency');
    assert.equal(summarizeEvent({ type: 'reconcile.standing_access_found', data: { holder: 'carol', role: 'domain-admins' } }), 'carol holds domain-admins without a lease');
    assert.equal(summarizeEvent({ type: 'auth.token_created', data: { principal: 'bob', scopes: ['read', 'audit'] } }), 'API token for bob (read, audit)');
  });

  test('an event type the portal does not know shows its first plain fields', () => {
    assert.equal(summarizeEvent({ type: 'future.thing', data: { a: 'x', nested: { b: 1 }, n: 2, c: true, d: 'more' } }), 'a: x; n: 2; c: true');
  });

  test('a summary is cut at 160 characters with an ellipsis', () => {
    const line = summarizeEvent({ type: 'request.denied', data: { approver: 'dave', comment: 'x'.repeat(500) } });
    assert.equal(line.length, 160);
    assert.ok(line.endsWith('…'));
  });
});
