// The KPI report against a real SQLite store: requests, leases and reconciler counts written through the store,
// read back by src/engine/kpi-report.ts page by page, computed by the core; GET /v1/reports/kpi through fastify
// with the real authenticator; `jitd report kpi` through the real CLI in a child process.
//
// As in usage-report.test.ts, a small fastify instance registers reportRoutes with the steps server.ts takes
// (authenticate, check the `audit` scope, parse the query, map errors); the route's scope in the real server is
// covered by the route-scope test.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openApiDocument } from '../../src/api/openapi.ts';
import { reportRoutes, type ReportDeps } from '../../src/api/report-routes.ts';
import { LeaseId, PrincipalId, RoleName } from '../../src/core/ids.ts';
import type { KpiReport } from '../../src/core/kpi.ts';
import type { Lease } from '../../src/core/lease.ts';
import type { AccessRequest } from '../../src/core/request.ts';
import type { Role } from '../../src/core/role.ts';
import { kpiGaugeValues, kpiReport, type KpiReportDeps } from '../../src/engine/kpi-report.ts';
import { openSqliteStore } from '../../src/store/sqlite/open.ts';
import type { StandingAccessCount, Store } from '../../src/store/store.ts';
import { dbAdminRole } from '../unit/core-fixtures.ts';
import { ALICE_TOKEN, AUDITOR_TOKEN, jitd, reportServer } from '../fixtures/report-server.ts';
import { makeLease, makeRequest } from '../contract/store.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Monday 23 November 2026, 00:00 UTC; the period is the week before: 16 to 22 November. */
const NOW = new Date('2026-11-23T00:00:00Z');
const SINCE = NOW.getTime() - 7 * DAY;
/** A time `ms` after the start of the period. */
const t = (ms: number) => new Date(SINCE + ms);

const role = (name: string): Role => dbAdminRole({ name: RoleName(name) });
const ROLES = new Map([role('db-admins'), role('ssh-prod')].map((r) => [r.name, r]));

interface Grant {
  readonly n: string;
  readonly principal: string;
  readonly role: string;
  /** When the request was created (ms after SINCE). */
  readonly createdAt: number;
  /** From the request (or its scheduled start) to the confirmed grant. */
  readonly waitMs: number;
  readonly durationMs?: number;
  readonly request?: Partial<AccessRequest>;
  /** How the lease stands now; the default is revoked at expiry on the first try, 100 ms late. */
  readonly lease?: (granted: { grantedAt: Date; expiresAt: Date }) => Partial<Lease>;
}

const revokedAfter = (lagMs: number, attempts = 0) => ({ expiresAt }: { expiresAt: Date }): Partial<Lease> => {
  const end = new Date(expiresAt.getTime() + lagMs);
  return { state: 'revoked', revokeReason: 'expired', revokeRequestedAt: expiresAt, revokedAt: end, revokeConfirmedAt: end, attempts };
};

/** Commits a granted request and its lease, as the broker leaves them. */
async function commitGrant(store: Store, g: Grant): Promise<void> {
  const created = SINCE + g.createdAt;
  const asked = Math.max(created, g.request?.startAt?.getTime() ?? created);
  const grantedAt = new Date(asked + g.waitMs);
  const expiresAt = new Date(grantedAt.getTime() + (g.durationMs ?? HOUR));
  const leaseFields = (g.lease ?? revokedAfter(100))({ grantedAt, expiresAt });
  const request = makeRequest(`r-${g.n}`, { state: leaseFields.state === 'revoked' ? 'expired' : 'active', principal: PrincipalId(g.principal), role: RoleName(g.role), createdAt: new Date(created), leaseId: LeaseId(`l-${g.n}`), ...g.request });
  const lease = makeLease(`l-${g.n}`, `r-${g.n}`, { principal: request.principal, role: request.role, requestedAt: new Date(asked), grantedAt, grantConfirmedAt: grantedAt, expiresAt, ...leaseFields });
  await store.commit({ insertRequests: [request], insertLeases: [lease], events: [] });
}

const counts = (roleName: string, rows: readonly [number, number][]): StandingAccessCount[] => rows.map(([at, standing]) => ({ role: RoleName(roleName), at: t(at), standing, leased: 0 }));

/** The week's history: see each entry for what it tests; the expected figures are worked out in the tests. */
async function seed(store: Store): Promise<void> {
  await store.recordStandingAccess([
    // db-admins: first inventory 30 days before the period, 5 just before it, then 3 and 2.
    ...counts('db-admins', [[-30 * DAY, 6], [-2 * DAY, 5], [DAY + 10 * HOUR, 3], [4 * DAY, 2]]),
    // ssh-prod: last counted 20 days before the period (found by looking back in doubling windows), then 1.
    ...counts('ssh-prod', [[-20 * DAY, 4], [-20 * DAY + HOUR, 4], [2 * DAY + 12 * HOUR, 1]]),
    // After now: not read.
    ...counts('db-admins', [[8 * DAY, 0]]),
  ]);
  const h = (day: number, hour: number) => day * DAY + hour * HOUR;
  await commitGrant(store, { n: '1', principal: 'alice', role: 'db-admins', createdAt: h(0, 9), waitMs: 2 * SECOND });
  await commitGrant(store, { n: '2', principal: 'bob', role: 'db-admins', createdAt: h(1, 9), waitMs: 4 * SECOND, lease: revokedAfter(30 * SECOND, 1) });
  await commitGrant(store, { n: '3', principal: 'carol', role: 'ssh-prod', createdAt: h(2, 9), waitMs: SECOND, lease: ({ expiresAt }) => ({ state: 'revoke_failed', revokeReason: 'expired', revokeRequestedAt: expiresAt, attempts: 3, lastError: 'target down' }) });
  await commitGrant(store, { n: '4', principal: 'dave', role: 'db-admins', createdAt: h(2, 10), waitMs: 25 * MINUTE, durationMs: 2 * HOUR, request: { approval: 'manual' }, lease: revokedAfter(5 * MINUTE, 2) });
  // Break-glass, released early: a grant, but not in the revocation KPI.
  await commitGrant(store, {
    n: '5',
    principal: 'erin',
    role: 'ssh-prod',
    createdAt: h(3, 3),
    waitMs: 500,
    request: { approval: 'break_glass', state: 'revoked' },
    lease: ({ grantedAt }) => ({ state: 'revoked', revokeReason: 'released', revokeRequestedAt: new Date(grantedAt.getTime() + MINUTE), revokeConfirmedAt: new Date(grantedAt.getTime() + MINUTE) }),
  });
  // Scheduled six days ahead: waits from its start.
  await commitGrant(store, { n: '6', principal: 'alice', role: 'ssh-prod', createdAt: h(-6, 8), waitMs: 3 * SECOND, request: { approval: 'manual', startAt: t(h(4, 8)) }, lease: revokedAfter(800) });
  // Active past its expiry: the scheduler is behind.
  await commitGrant(store, { n: '7', principal: 'frank', role: 'db-admins', createdAt: h(6, 20), waitMs: SECOND, lease: () => ({ state: 'active' }) });
  // Active, expiring after now.
  await commitGrant(store, { n: '8', principal: 'gina', role: 'ssh-prod', createdAt: h(6, 23), waitMs: SECOND, lease: () => ({ state: 'active' }) });
  // A request older than the 31-day look-back: read by id.
  await commitGrant(store, { n: '9', principal: 'ivan', role: 'db-admins', createdAt: -32 * DAY, waitMs: SECOND, request: { approval: 'manual', startAt: t(h(5, 10)) }, lease: revokedAfter(50) });
  // Granted before the period, expiring at its first instant: a revocation of the period, not a grant.
  await commitGrant(store, { n: '12', principal: 'alice', role: 'db-admins', createdAt: -HOUR - SECOND, waitMs: SECOND, lease: revokedAfter(200) });
  // hank holds ssh-prod all week in one long lease granted before the period: an always-on candidate, nothing else.
  await commitGrant(store, { n: '14', principal: 'hank', role: 'ssh-prod', createdAt: -DAY, waitMs: SECOND, durationMs: 9 * DAY, lease: () => ({ state: 'active' }) });
  // An extension, a denied request and a failed grant: requests without a grant.
  await store.commit({
    insertRequests: [
      makeRequest('r-10', { state: 'approved', role: RoleName('db-admins'), createdAt: t(h(0, 9) + 30 * MINUTE), extendsLease: LeaseId('l-1') }),
      makeRequest('r-11', { state: 'denied', role: RoleName('ssh-prod'), approval: 'manual', createdAt: t(h(3, 12)) }),
      makeRequest('r-13', { state: 'failed', role: RoleName('db-admins'), createdAt: t(h(5, 12)), leaseId: LeaseId('l-13') }),
    ],
    insertLeases: [makeLease('l-13', 'r-13', { state: 'revoked', requestedAt: t(h(5, 12)), expiresAt: t(h(5, 13)), revokeReason: 'grant_failed', revokeConfirmedAt: t(h(5, 12) + SECOND) })],
    events: [],
  });
}


const DAYS = ['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22'];

describe('the KPI report on a real SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitd-kpi-report-'));
  let store: Store;
  let deps: ReportDeps;
  let app: FastifyInstance;
  let report: KpiReport;

  before(async () => {
    store = await openSqliteStore(join(dir, 'store.db'));
    deps = { store, roles: ROLES, clock: { now: () => NOW } };
    await seed(store);
    report = await kpiReport(deps, { now: NOW, periodMs: 7 * DAY });
    app = reportServer(store, deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('standing access: 10 holders at the first inventory, 3 now; each day carries a role\'s last count forward', () => {
    assert.deepEqual(report.period, { since: '2026-11-16T00:00:00.000Z', until: '2026-11-23T00:00:00.000Z' });
    assert.deepEqual(report.standingAccess, {
      baseline: 10,
      current: 3,
      reductionPercent: 70,
      series: DAYS.map((day, i) => ({ day, standing: [9, 7, 4, 4, 3, 3, 3][i] })),
    });
  });

  test('utilization: 9 grants in the week against 4 standing holders (3 in db-admins at most, 1 in ssh-prod)', () => {
    const { series, ...value } = report.utilization;
    assert.deepEqual(value, { jitGrants: 9, standingHolders: 4, utilizationPercent: 69.2 });
    assert.deepEqual(series.map((d) => [d.day, d.jitGrants, d.standingHolders]), [
      ['2026-11-16', 1, 0],
      ['2026-11-17', 1, 3],
      ['2026-11-18', 2, 1],
      ['2026-11-19', 1, 0],
      ['2026-11-20', 1, 2],
      ['2026-11-21', 1, 0],
      ['2026-11-22', 2, 0],
    ]);
  });

  test('approval time by mode: scheduled requests wait from their start, an old request is read by id, the extension is left out', () => {
    assert.deepEqual([report.approvalTime.auto, report.approvalTime.manual, report.approvalTime.break_glass], [
      { count: 5, medianMs: SECOND, p90Ms: 4 * SECOND },
      { count: 3, medianMs: 3 * SECOND, p90Ms: 25 * MINUTE },
      { count: 1, medianMs: 500, p90Ms: 500 },
    ]);
    assert.equal(report.approvalTime.series.length, 7);
  });

  test('revocation: 8 leases reached expiry in the week; 4 went on the first try, 2 are still failing', () => {
    const { series, ...value } = report.revocation;
    assert.deepEqual(value, {
      total: 8,
      firstTry: 4,
      within1s: 4,
      within1m: 5,
      stillFailing: 2,
      firstTryPercent: 50,
      within1sPercent: 50,
      within1mPercent: 62.5,
      stillFailingPercent: 25,
    });
    assert.deepEqual(series.map((d) => d.total), [2, 1, 2, 0, 1, 1, 1]);
  });

  test('top roles count the requests created in the week, extensions not; hank is the one always-on candidate', () => {
    assert.deepEqual(report.topRoles, [
      { role: 'db-admins', requests: 5 },
      { role: 'ssh-prod', requests: 4 },
    ]);
    assert.equal(report.alwaysOnCandidates, 1);
  });

  test('the /metrics values: percentages, approval quantiles in seconds and revocation outcomes', () => {
    assert.deepEqual(kpiGaugeValues(report), {
      standingAccessReductionPercent: 70,
      jitUtilizationPercent: 69.2,
      approvalSeconds: [
        { labels: { mode: 'auto', quantile: '0.5' }, value: 1 },
        { labels: { mode: 'auto', quantile: '0.9' }, value: 4 },
        { labels: { mode: 'manual', quantile: '0.5' }, value: 3 },
        { labels: { mode: 'manual', quantile: '0.9' }, value: 1500 },
        { labels: { mode: 'break_glass', quantile: '0.5' }, value: 0.5 },
        { labels: { mode: 'break_glass', quantile: '0.9' }, value: 0.5 },
      ],
      revocations: [
        { labels: { outcome: 'first_try' }, value: 4 },
        { labels: { outcome: 'within_1s' }, value: 4 },
        { labels: { outcome: 'within_1m' }, value: 5 },
        { labels: { outcome: 'still_failing' }, value: 2 },
        { labels: { outcome: 'total' }, value: 8 },
      ],
    });
  });

  test('with nothing in the period the /metrics values are NaN for the percentages and no approval quantiles', async () => {
    const empty = await kpiReport(deps, { now: new Date('2020-01-02T00:00:00Z'), periodMs: DAY });
    const values = kpiGaugeValues(empty);
    assert.deepEqual([values.standingAccessReductionPercent, values.jitUtilizationPercent, values.approvalSeconds, values.revocations.map((r) => r.value)], [Number.NaN, Number.NaN, [], [0, 0, 0, 0, 0]]);
  });

  test('a period that is not a positive whole number of milliseconds is refused', async () => {
    await assert.rejects(kpiReport(deps, { now: NOW, periodMs: 0 }), { name: 'InvalidInputError', message: 'the KPI period must be a positive number of milliseconds, got 0' });
  });

  test('an auditor gets the report over HTTP; the default period is 30 days', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/reports/kpi?since=7d', headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), JSON.parse(JSON.stringify(report)));
    const defaults = await app.inject({ method: 'GET', url: '/v1/reports/kpi', headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
    const body = defaults.json<KpiReport>();
    assert.deepEqual([defaults.statusCode, body.period.since, body.standingAccess.series.length], [200, '2026-10-24T00:00:00.000Z', 30]);
  });

  test('a plain user is refused with 403 and the reason', async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/reports/kpi', headers: { authorization: `Bearer ${ALICE_TOKEN}` } });
    assert.equal(response.statusCode, 403);
    assert.deepEqual(response.json(), { error: { kind: 'forbidden', message: 'the KPI report requires the admin or auditor role' } });
  });

  test('bad queries are refused with 400, naming the field', async () => {
    const cases: [string, string][] = [
      ['since=3x', 'since: "3x" is not a duration (e.g. 7d, 30d, 90d)'],
      ['since=400d', 'since: at most 366d, got 400d'],
      ['timeZone=UTC', 'query: unknown field "timeZone"'],
    ];
    for (const [query, message] of cases) {
      const response = await app.inject({ method: 'GET', url: `/v1/reports/kpi?${query}`, headers: { authorization: `Bearer ${AUDITOR_TOKEN}` } });
      assert.equal(response.statusCode, 400, query);
      assert.equal(response.json<{ error: { message: string } }>().error.message, message);
    }
  });

  test('the route and its query appear in the OpenAPI document', () => {
    const doc = openApiDocument(reportRoutes(deps), 'test') as { paths: Record<string, { get: { tags: string[]; parameters: { name: string }[] } }> };
    const get = doc.paths['/v1/reports/kpi']?.get;
    assert.deepEqual([get?.tags, get?.parameters.map((p) => p.name)], [['reports'], ['since']]);
  });

  describe('jitd report kpi', () => {
    const server = () => {
      const address = app.server.address();
      return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    };

    test('prints a block per KPI, durations as durations and percentages with one decimal', async () => {
      const result = await jitd(['--server', server(), '--token', AUDITOR_TOKEN, 'report', 'kpi', '--since', '7d'], dir);
      assert.deepEqual(result, {
        code: 0,
        stderr: '',
        stdout: [
          'KPIs from 2026-11-16 00:00:00Z to 2026-11-23 00:00:00Z (definitions: docs/kpis.md)',
          '',
          'Standing access reduction: 70.0%',
          '  holders without a lease: 10 at first inventory, 3 now',
          'JIT utilization: 69.2%',
          '  9 grants through jitd, 4 standing holders (the most the reconciler saw per role)',
          'Approval time, request to grant:',
          '  MODE         GRANTS  MEDIAN  P90',
          '  auto         5       1s      4s',
          '  manual       3       3s      25m',
          '  break_glass  1       <1s     <1s',
          'Revocation at expiry: 8 leases',
          '  OUTCOME        LEASES  SHARE',
          '  first try      4       50.0%',
          '  within 1s      4       50.0%',
          '  within 1m      5       62.5%',
          '  still failing  2       25.0%',
          'Top requested roles:',
          '  ROLE       REQUESTS',
          '  db-admins  5',
          '  ssh-prod   4',
          'Always-on candidates: 1 (jitd report always-on lists them)',
          '',
        ].join('\n'),
      });
    });

    test('says n/a where a KPI has nothing to measure', async () => {
      // The last day: two auto grants, no counts that day, one lease past its expiry and still active.
      const result = await jitd(['--server', server(), '--token', AUDITOR_TOKEN, 'report', 'kpi', '--since', '1d'], dir);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stdout.split('\n').slice(4, 17), [
        'JIT utilization: 100.0%',
        '  2 grants through jitd, 0 standing holders (the most the reconciler saw per role)',
        'Approval time, request to grant:',
        '  MODE         GRANTS  MEDIAN  P90',
        '  auto         2       1s      1s',
        '  manual       0       n/a     n/a',
        '  break_glass  0       n/a     n/a',
        'Revocation at expiry: 1 lease',
        '  OUTCOME        LEASES  SHARE',
        '  first try      0       0.0%',
        '  within 1s      0       0.0%',
        '  within 1m      0       0.0%',
        '  still failing  1       100.0%',
      ]);
    });

    test('-o json prints the API body', async () => {
      const result = await jitd(['--server', server(), '--token', AUDITOR_TOKEN, '-o', 'json', 'report', 'kpi', '--since', '7d'], dir);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), JSON.parse(JSON.stringify(report)));
    });

    test('a plain user is told why, with the forbidden exit code', async () => {
      const result = await jitd(['--server', server(), '--token', ALICE_TOKEN, 'report', 'kpi'], dir);
      assert.deepEqual([result.code, result.stdout], [4, '']);
      assert.match(result.stderr, /the KPI report requires the admin or auditor role/);
    });

    test('jitd report --help lists kpi', async () => {
      const result = await jitd(['report', '--help'], dir);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /kpi \[options\]\s+standing access reduction, JIT utilization, approval time\s+and revocation success/);
    });
  });
});

describe('the KPI report over more rows than one store read returns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jitd-kpi-paging-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('leases, requests and counts are read in pages, rows sharing a millisecond at a page boundary once each', async () => {
    const store = await openSqliteStore(join(dir, 'store.db'));
    try {
      // 2600 grants, seven to a millisecond: 1000-row pages end inside a group of seven.
      const n = 2600;
      const requests: AccessRequest[] = [];
      const leases: Lease[] = [];
      for (let i = 0; i < n; i++) {
        const at = SINCE + Math.floor(i / 7) * MINUTE;
        requests.push(makeRequest(`pr-${i}`, { state: 'expired', createdAt: new Date(at), leaseId: LeaseId(`pl-${i}`) }));
        leases.push(
          makeLease(`pl-${i}`, `pr-${i}`, {
            state: 'revoked',
            requestedAt: new Date(at),
            grantedAt: new Date(at + SECOND),
            expiresAt: new Date(at + SECOND + HOUR),
            revokeReason: 'expired',
            revokeConfirmedAt: new Date(at + SECOND + HOUR + 100),
          }),
        );
      }
      await store.commit({ insertRequests: requests, insertLeases: leases, events: [] });
      // Three roles counted every 10 minutes of the week, all three in the same millisecond (3024 rows), and a
      // fourth last counted 20 days before the period.
      const rows: StandingAccessCount[] = [];
      for (let at = 0; at < 7 * DAY; at += 10 * MINUTE) for (const name of ['a', 'b', 'c']) rows.push({ role: RoleName(name), at: t(at), standing: name === 'a' && at === DAY ? 7 : 1, leased: 0 });
      rows.push({ role: RoleName('old'), at: t(-25 * DAY), standing: 5, leased: 0 }, { role: RoleName('old'), at: t(-20 * DAY), standing: 2, leased: 0 });
      await store.recordStandingAccess(rows);

      const calls = { listLeases: 0, listRequests: 0, listStandingAccess: 0, getRequest: 0 };
      const counted: KpiReportDeps['store'] = {
        listLeases: (f) => (calls.listLeases++, store.listLeases(f)),
        listRequests: (f) => (calls.listRequests++, store.listRequests(f)),
        getRequest: (id) => (calls.getRequest++, store.getRequest(id)),
        listStandingAccess: (f) => (calls.listStandingAccess++, store.listStandingAccess(f)),
        firstStandingAccess: () => store.firstStandingAccess(),
      };
      const report = await kpiReport({ store: counted, roles: ROLES }, { now: NOW, periodMs: 7 * DAY });
      assert.deepEqual([report.utilization.jitGrants, report.approvalTime.auto.count, report.revocation.total, report.revocation.firstTry, report.topRoles], [n, n, n, n, [{ role: 'db-admins', requests: n }]]);
      // a peaks at 7, b and c at 1, old carries 2 into the period (not in the period's maximum).
      assert.deepEqual([report.utilization.standingHolders, report.standingAccess.baseline, report.standingAccess.current], [9, 8, 5]);
      assert.deepEqual(report.standingAccess.series.map((d) => d.standing), [5, 5, 5, 5, 5, 5, 5]);
      assert.ok(calls.listLeases >= 3 && calls.listRequests >= 3, `paged: ${JSON.stringify(calls)}`);
      assert.equal(calls.getRequest, 0);
    } finally {
      await store.close();
    }
  });
});
