// The always-on report against a real SQLite store: leases committed the way the broker commits them (request,
// lease and audit event together), read back per role, judged by the core; and GET /v1/reports/always-on through
// fastify with the real authenticator, for an auditor, a plain user and bad queries.
//
// buildServer needs the whole engine (broker, connectors), so a small fastify instance below registers reportRoutes
// with the steps server.ts takes (authenticate, check the route's scope, parse the query, map errors with
// toErrorResponse); the route's presence in the real server is covered by the route-scope and e2e tests.
// `jitd report` runs in a child process from buildProgram().
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openApiDocument } from '../../src/api/openapi.ts';
import { reportRoutes, type ReportDeps } from '../../src/api/report-routes.ts';
import { LeaseId, PrincipalId, RequestId, RoleName } from '../../src/core/ids.ts';
import type { Lease } from '../../src/core/lease.ts';
import type { Role } from '../../src/core/role.ts';
import type { AlwaysOnReport } from '../../src/core/usage-pattern.ts';
import { alwaysOnReport } from '../../src/engine/usage-report.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { Store } from '../../src/store/store.ts';
import { dbAdminRole } from '../unit/core-fixtures.ts';
import { ALICE_TOKEN, AUDITOR_TOKEN, jitd, reportServer } from '../fixtures/report-server.ts';
import { event, makeLease, makeRequest } from '../contract/store.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Monday 23 November 2026, 00:00 UTC: the report looks back three weeks to Monday 2 November. */
const NOW = new Date('2026-11-23T00:00:00Z');
const START = NOW.getTime() - 21 * DAY;
const WEEKDAYS = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16, 17, 18];

const role = (name: string, overrides: Partial<Role> = {}): Role => dbAdminRole({ name: RoleName(name), ...overrides });
const ROLES = new Map([role('db-admins'), role('ssh-prod'), role('long-haul', { maxExtendedDurationMs: 60 * DAY })].map((r) => [r.name, r]));

let seq = 0;
/** Commits one ended lease (and its request and a lease.granted event), holding access over [from, to). */
async function commitLease(store: Store, principal: string, roleName: string, from: number, to: number, overrides: Partial<Lease> = {}): Promise<void> {
  seq += 1;
  const lease = makeLease(`l-${seq}`, `r-${seq}`, {
    state: 'revoked',
    principal: PrincipalId(principal),
    role: RoleName(roleName),
    durationMs: to - from,
    requestedAt: new Date(from - 1_000),
    grantedAt: new Date(from),
    grantConfirmedAt: new Date(from),
    expiresAt: new Date(to),
    revokeReason: 'expired',
    revokeRequestedAt: new Date(to),
    revokedAt: new Date(to),
    revokeConfirmedAt: new Date(to),
    ...overrides,
  });
  const request = makeRequest(`r-${seq}`, { state: lease.state === 'revoked' ? 'expired' : 'active', principal: lease.principal, role: lease.role, durationMs: lease.durationMs, createdAt: lease.requestedAt, leaseId: lease.id });
  await store.commit({
    insertRequests: [request],
    insertLeases: [lease],
    events: [{ ...event('lease.granted', { requestId: request.id, leaseId: lease.id }, { principal, role: roleName }), at: new Date(from) }],
  });
}

/** One lease per listed day (days after START), from `hour` for `hours` hours (UTC). */
async function commitDaily(store: Store, principal: string, roleName: string, days: readonly number[], hour: number, hours: number): Promise<void> {
  for (const d of days) await commitLease(store, principal, roleName, START + d * DAY + hour * HOUR, START + d * DAY + (hour + hours) * HOUR);
}


describe('the always-on report on a real SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitd-usage-report-'));
  let store: Store;
  let deps: ReportDeps;
  let app: FastifyInstance;

  before(async () => {
    store = await openSqliteStore(join(dir, 'store.db'));
    deps = { store, roles: ROLES, clock: { now: () => NOW } };
    // alice: db-admins 09:00-17:00 every working day of the three weeks.
    await commitDaily(store, 'alice', 'db-admins', WEEKDAYS, 9, 8);
    // bob: db-admins on Tuesdays and Thursdays only (6 of 15 days); ssh-prod 4 hours every working day, in two overlapping leases.
    await commitDaily(store, 'bob', 'db-admins', [1, 3, 8, 10, 15, 17], 10, 6);
    await commitDaily(store, 'bob', 'ssh-prod', WEEKDAYS, 8, 3);
    await commitDaily(store, 'bob', 'ssh-prod', WEEKDAYS, 10, 2);
    // carol holds a role that is no longer configured, all the time: not read.
    await commitDaily(store, 'carol', 'retired-role', [...Array(21).keys()], 0, 24);
    // dave's long-haul lease was requested 45 days before the period and is still held: found through the role's 60d look-back.
    await commitLease(store, 'dave', 'long-haul', START - 45 * DAY, NOW.getTime() + 10 * DAY, {
      state: 'active',
      revokeReason: undefined,
      revokeRequestedAt: undefined,
      revokedAt: undefined,
      revokeConfirmedAt: undefined,
    });
    app = reportServer(store, deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the engine reads each configured role\'s leases and lists the principals that look always on', async () => {
    const report = await alwaysOnReport(deps, { periodMs: 21 * DAY });
    assert.deepEqual(
      { ...report, candidates: report.candidates.map((c) => [c.principal, c.role, c.workingDays, c.activeDays, c.dayShare, c.averageHoursPerActiveDay, c.totalHours, c.leases]) },
      {
        period: { since: '2026-11-02T00:00:00.000Z', until: '2026-11-23T00:00:00.000Z' },
        parameters: { timeZone: 'UTC', workdays: [1, 2, 3, 4, 5], minHoursPerDay: 4, minDayShare: 0.6 },
        workingDays: 15,
        candidates: [
          ['dave', 'long-haul', 15, 15, 1, 24, 21 * 24, 1],
          ['alice', 'db-admins', 15, 15, 1, 8, 15 * 8, 15],
          ['bob', 'ssh-prod', 15, 15, 1, 4, 15 * 4, 30],
        ],
      },
    );
    assert.deepEqual(report.candidates.map((c) => [c.firstGrantedAt, c.lastGrantedAt]).slice(0, 2), [
      ['2026-09-18T00:00:00.000Z', '2026-09-18T00:00:00.000Z'],
      ['2026-11-02T09:00:00.000Z', '2026-11-20T09:00:00.000Z'],
    ]);
  });

  test('thresholds and the period come from the caller: 6 of 15 days is a candidate at a share of 0.4', async () => {
    const report = await alwaysOnReport(deps, { periodMs: 21 * DAY, options: { minDayShare: 0.4, minHoursPerDay: 6 } });
    assert.deepEqual(report.candidates.map((c) => [c.principal, c.role, c.activeDays]), [
      ['dave', 'long-haul', 15],
      ['alice', 'db-admins', 15],
      ['bob', 'db-admins', 6],
    ]);
    const lastWeek = await alwaysOnReport(deps, { periodMs: 7 * DAY });
    assert.deepEqual([lastWeek.period.since, lastWeek.workingDays, lastWeek.candidates.length], ['2026-11-16T00:00:00.000Z', 5, 3]);
  });

  test('an auditor gets the report over HTTP, with the time zone and thresholds of the query', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/reports/always-on?since=21d&timeZone=Europe/Berlin&minHours=4&minDayShare=0.6',
      headers: { authorization: `Bearer ${AUDITOR_TOKEN}` },
    });
    assert.equal(response.statusCode, 200);
    const body = response.json<AlwaysOnReport>();
    // In Berlin the period runs from Monday 01:00 to Monday 01:00: the first Monday is partial, 14 whole working days remain.
    assert.deepEqual([body.parameters, body.workingDays], [{ timeZone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5], minHoursPerDay: 4, minDayShare: 0.6 }, 14]);
    assert.deepEqual(body.candidates.map((c) => [c.principal, c.role, c.activeDays]), [
      ['dave', 'long-haul', 14],
      ['alice', 'db-admins', 14],
      ['bob', 'ssh-prod', 14],
    ]);
    const defaults = await app.inject({ method: 'GET', url: '/v1/reports/always-on', headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
    assert.deepEqual([defaults.statusCode, defaults.json<AlwaysOnReport>().period], [200, { since: '2026-10-24T00:00:00.000Z', until: '2026-11-23T00:00:00.000Z' }]);
  });

  test('a plain user is refused with 403 and the reason', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/reports/always-on', headers: { authorization: `Bearer ${ALICE_TOKEN}` } });
    assert.equal(response.statusCode, 403);
    assert.deepEqual(response.json(), { error: { kind: 'forbidden', message: 'the always-on report requires the admin or auditor role' } });
  });

  test('bad queries are refused with 400, naming each field', async () => {
    const cases: [string, string][] = [
      ['since=3x', 'since: "3x" is not a duration (e.g. 7d, 30d, 90d)'],
      ['since=400d', 'since: at most 366d, got 400d'],
      ['timeZone=Mars/Olympus', 'timeZone: "Mars/Olympus" is not a time zone (e.g. UTC, Europe/Berlin)'],
      ['minDayShare=1.5', 'minDayShare: must be a number from 0 to 1, got "1.5"'],
      ['minDayShare=', 'minDayShare: must be a number from 0 to 1, got ""'],
      ['minHours=0', 'minHours: must be a number of hours more than 0 and at most 24, got "0"'],
      ['workdays=1,8', 'workdays: "1,8" is not a list of ISO weekdays from 1 (Monday) to 7 (Sunday), e.g. 1,2,3,4,5'],
      ['days=5', 'query: unknown field "days"'],
    ];
    for (const [query, message] of cases) {
      const response = await app.inject({ method: 'GET', url: `/v1/reports/always-on?${query}`, headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
      assert.equal(response.statusCode, 400, query);
      assert.equal(response.json<{ error: { message: string } }>().error.message, message);
    }
  });

  describe('jitd report', () => {
    const server = () => {
      const address = app.server.address();
      return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    };
    const asAuditor = (...args: string[]) => jitd(['--server', server(), '--token', AUDITOR_TOKEN, 'report', 'always-on', ...args], dir);

    test('jitd report always-on prints the period, the thresholds and a table of candidates', async () => {
      const result = await asAuditor('--since', '21d', '--time-zone', 'Europe/Berlin', '--min-hours', '4', '--min-day-share', '0.6');
      assert.deepEqual(result, {
        code: 0,
        stderr: '',
        stdout: [
          'Always-on candidates from 2026-11-02 00:00:00Z to 2026-11-23 00:00:00Z: 14 working days (Mon-Fri, Europe/Berlin); active = at least 4h held that day; candidate = active on at least 60% of them.',
          // The Monday lease of the partial first day held access in the period: it counts as a lease, not as a day.
          'PRINCIPAL  ROLE       ACTIVE DAYS  SHARE  AVG H/DAY  LEASES',
          'dave       long-haul  14/14        100%   24.0       1',
          'alice      db-admins  14/14        100%   8.0        15',
          'bob        ssh-prod   14/14        100%   4.0        30',
          '',
        ].join('\n'),
      });
    });

    test('jitd report always-on -o json prints the API body', async () => {
      const result = await jitd(['--server', server(), '--token', AUDITOR_TOKEN, '-o', 'json', 'report', 'always-on', '--since', '7d', '--workdays', '1,2,3'], dir);
      const api = await app.inject({ method: 'GET', url: '/v1/reports/always-on?since=7d&workdays=1,2,3', headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), api.json());
      assert.deepEqual(JSON.parse(result.stdout).parameters.workdays, [1, 2, 3]);
    });

    test('jitd report always-on says so when there are no candidates', async () => {
      // One day back from Monday 00:00 is Sunday: no working day at all.
      const result = await asAuditor('--since', '1d');
      assert.deepEqual([result.code, result.stdout.split('\n').slice(1)], [0, ['No always-on candidates.', '']]);
      assert.match(result.stdout, /: 0 working days \(Mon-Fri, UTC\);/);
    });

    test('jitd report --help describes the group and lists always-on', async () => {
      const result = await jitd(['report', '--help'], dir);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /reports computed from the lease history, for admins and auditors/);
      assert.match(result.stdout, /always-on \[options\]\s+principals who held a role on most working days/);
    });
  });

  test('the route and its query appear in the OpenAPI document', () => {
    const doc = openApiDocument(reportRoutes(deps), 'test') as { paths: Record<string, { get: { tags: string[]; parameters: { name: string }[] } }> };
    const get = doc.paths['/v1/reports/always-on']?.get;
    assert.deepEqual([get?.tags, get?.parameters.map((p) => p.name)], [['reports'], ['since', 'timeZone', 'workdays', 'minHours', 'minDayShare']]);
  });
});

describe('the always-on report when a role has more leases than one store read returns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitd-usage-report-pages-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every lease of the period is read, page by page, and counted', async () => {
    const store = await openSqliteStore(join(dir, 'store.db'));
    try {
      // pat holds db-admins 09:00-14:00 on each of the 15 working days in 100 back-to-back 3-minute leases: 1500
      // leases, one and a half store pages. Each three in a row are requested in the same millisecond (the first
      // one's start less a second), so the first page (the newest 1000) ends inside a millisecond whose other two
      // leases are on the next page.
      const starts = WEEKDAYS.flatMap((d) => Array.from({ length: 100 }, (_, k) => START + d * DAY + 9 * HOUR + k * 3 * 60_000));
      const leases = starts.map((from, i) =>
        makeLease(`page-l-${i}`, `page-r-${i}`, {
          state: 'revoked',
          principal: PrincipalId('pat'),
          requestedAt: new Date(starts[i - (i % 3)]! - 1_000),
          grantedAt: new Date(from),
          expiresAt: new Date(from + 3 * 60_000),
          revokeReason: 'expired',
          revokeConfirmedAt: new Date(from + 3 * 60_000),
        }),
      );
      await store.commit({
        insertRequests: leases.map((l) => makeRequest(l.requestId, { state: 'expired', principal: l.principal, role: l.role, createdAt: l.requestedAt, leaseId: l.id })),
        insertLeases: leases,
        events: [event('lease.granted', { requestId: RequestId('page-r-0'), leaseId: LeaseId('page-l-0') })],
      });
      const firstPage = await store.listLeases({ role: RoleName('db-admins'), limit: 1000 });
      const boundaryMs = firstPage.at(-1)?.requestedAt.getTime();
      const inBoundaryMs = (page: readonly Lease[]) => page.filter((l) => l.requestedAt.getTime() === boundaryMs).length;
      assert.deepEqual([firstPage.length, inBoundaryMs(firstPage), inBoundaryMs(leases)], [1000, 1, 3]);

      const report = await alwaysOnReport({ store, roles: ROLES, clock: { now: () => NOW } }, { periodMs: 21 * DAY });
      assert.deepEqual(
        report.candidates.map((c) => [c.principal, c.role, c.activeDays, c.workingDays, c.leases, c.totalHours, c.firstGrantedAt]),
        [['pat', 'db-admins', 15, 15, 1500, 75, '2026-11-02T09:00:00.000Z']],
      );
    } finally {
      await store.close();
    }
  });
});
