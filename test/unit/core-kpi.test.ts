// The KPIs' core: every definition of docs/kpis.md on hand-made leases, requests and reconciler counts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../../src/core/ids.ts';
import {
  approvalTimeKpi,
  computeKpis,
  nearestRank,
  percentOf,
  revocationKpi,
  standingAccessKpi,
  topRequestedRoles,
  utcDays,
  utilizationKpi,
  type StandingCount,
} from '../../src/core/kpi.ts';
import type { Lease } from '../../src/core/lease.ts';
import type { AccessRequest } from '../../src/core/request.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Three whole UTC days: Sunday 1 to Wednesday 4 November 2026, 00:00. */
const SINCE = Date.parse('2026-11-01T00:00:00Z');
const NOW = SINCE + 3 * DAY;
const PERIOD = { since: new Date(SINCE), now: new Date(NOW) };
const t = (ms: number) => new Date(SINCE + ms);

let seq = 0;
function lease(overrides: Partial<Lease> = {}): Lease {
  seq += 1;
  return {
    id: LeaseId(`l-${seq}`),
    version: 3,
    state: 'revoked',
    requestId: RequestId(`r-${seq}`),
    principal: PrincipalId('alice'),
    role: RoleName('db-admins'),
    connector: ConnectorName('corp-ldap'),
    target: { group: 'cn=db-admins,ou=groups,dc=example,dc=org' },
    durationMs: HOUR,
    requestedAt: t(HOUR),
    expiresAt: t(2 * HOUR),
    attempts: 0,
    ...overrides,
  };
}

function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  seq += 1;
  return {
    id: RequestId(`r-${seq}`),
    version: 2,
    state: 'active',
    principal: PrincipalId('alice'),
    role: RoleName('db-admins'),
    connector: ConnectorName('corp-ldap'),
    durationMs: HOUR,
    reason: 'incident 42',
    approval: 'auto',
    createdAt: t(HOUR),
    ...overrides,
  };
}

/** A request and its lease, granted `waitMs` after the request was created at `createdAt` (ms after SINCE). */
function grant(createdAt: number, waitMs: number, requestFields: Partial<AccessRequest> = {}, leaseFields: Partial<Lease> = {}): { request: AccessRequest; lease: Lease } {
  const r = request({ createdAt: t(createdAt), ...requestFields });
  const grantedAt = t(createdAt + waitMs);
  return { request: r, lease: lease({ requestId: r.id, requestedAt: t(createdAt), grantedAt, grantConfirmedAt: grantedAt, ...leaseFields }) };
}

const count = (role: string, at: number, standing: number): StandingCount => ({ role: RoleName(role), at: t(at), standing });
const DAYS = ['2026-11-01', '2026-11-02', '2026-11-03'];

describe('percentages and percentiles', () => {
  test('a percentage is rounded to one decimal, halves up, and is null of nothing', () => {
    assert.deepEqual([percentOf(1, 8), percentOf(1, 3), percentOf(2, 3), percentOf(-1, 4), percentOf(0, 5), percentOf(3, 0)], [12.5, 33.3, 66.7, -25, 0, null]);
  });

  test('nearest rank: of no values null, of one value that value', () => {
    assert.equal(nearestRank([], 50), null);
    assert.deepEqual([nearestRank([7], 50), nearestRank([7], 90)], [7, 7]);
  });

  test('nearest rank of ten values: the median is the 5th smallest and p90 the 9th, whatever the input order', () => {
    const values = [10, 3, 7, 1, 9, 2, 8, 4, 6, 5].map((v) => v * 100);
    assert.deepEqual([nearestRank(values, 50), nearestRank(values, 90)], [500, 900]);
  });

  test('nearest rank of thirty values: p90 is the 27th (no floating-point step to the 28th)', () => {
    const values = Array.from({ length: 30 }, (_, i) => i + 1);
    assert.deepEqual([nearestRank(values, 50), nearestRank(values, 90)], [15, 27]);
  });
});

describe('days of the period', () => {
  test('every UTC day that overlaps [since, now) is listed, the partial first and last ones too', () => {
    assert.deepEqual(
      utcDays({ since: new Date('2026-11-01T12:00:00Z'), now: new Date('2026-11-03T06:00:00Z') }).map((d) => d.day),
      ['2026-11-01', '2026-11-02', '2026-11-03'],
    );
  });

  test('a period ending at midnight does not list the day that starts then; an empty period has no days', () => {
    assert.deepEqual(utcDays(PERIOD).map((d) => d.day), DAYS);
    assert.deepEqual(utcDays({ since: new Date(NOW), now: new Date(NOW) }), []);
  });
});

describe('KPI 1: standing access reduction', () => {
  test('baseline is the sum of each role\'s first count, current the sum of each role\'s latest; the reduction is their relative difference', () => {
    const first = [count('db-admins', -10 * DAY, 6), count('ssh-prod', -5 * DAY, 2)];
    const counts = [count('db-admins', -1 * HOUR, 5), count('ssh-prod', -2 * HOUR, 2), count('db-admins', 10 * HOUR, 3), count('ssh-prod', DAY + HOUR, 0), count('db-admins', 2 * DAY, 1)];
    const kpi = standingAccessKpi(PERIOD, first, counts);
    assert.deepEqual([kpi.baseline, kpi.current, kpi.reductionPercent], [8, 1, 87.5]);
  });

  test('each day shows its last counts; a role without a count that day carries its previous one forward', () => {
    const counts = [
      count('db-admins', -1 * HOUR, 5), // before the period: carried into day 1
      count('ssh-prod', 2 * HOUR, 4),
      count('ssh-prod', 20 * HOUR, 3), // day 1's last ssh-prod count
      count('db-admins', DAY + 5 * HOUR, 2), // day 2; ssh-prod carries 3
      // day 3: no counts, both carried
    ];
    const kpi = standingAccessKpi(PERIOD, [count('db-admins', -1 * HOUR, 5), count('ssh-prod', 2 * HOUR, 4)], counts);
    assert.deepEqual(kpi.series, [
      { day: '2026-11-01', standing: 8 },
      { day: '2026-11-02', standing: 5 },
      { day: '2026-11-03', standing: 5 },
    ]);
    assert.deepEqual([kpi.baseline, kpi.current, kpi.reductionPercent], [9, 5, 44.4]);
  });

  test('days before any count are null, and counts after now are ignored', () => {
    const kpi = standingAccessKpi(PERIOD, [count('db-admins', DAY + HOUR, 4)], [count('db-admins', DAY + HOUR, 4), count('db-admins', 4 * DAY, 0)]);
    assert.deepEqual(kpi.series.map((d) => d.standing), [null, 4, 4]);
    assert.deepEqual([kpi.current, kpi.reductionPercent], [4, 0]);
  });

  test('a role first counted after now is not in the baseline (a report on a period before the first inventory)', () => {
    const kpi = standingAccessKpi(PERIOD, [count('db-admins', 0, 2), count('ssh-prod', 5 * DAY, 4)], [count('db-admins', 0, 2), count('ssh-prod', 5 * DAY, 4)]);
    assert.deepEqual([kpi.baseline, kpi.current, kpi.reductionPercent], [2, 2, 0]);
  });

  test('a count exactly at now is the current one', () => {
    const kpi = standingAccessKpi(PERIOD, [count('db-admins', 0, 4)], [count('db-admins', 0, 4), count('db-admins', 3 * DAY, 1)]);
    assert.equal(kpi.current, 1);
  });

  test('no standing access at the first inventory gives a null reduction; more standing access now gives a negative one', () => {
    const none = standingAccessKpi(PERIOD, [count('db-admins', 0, 0)], [count('db-admins', 0, 0), count('db-admins', HOUR, 3)]);
    assert.deepEqual([none.baseline, none.current, none.reductionPercent], [0, 3, null]);
    const worse = standingAccessKpi(PERIOD, [count('db-admins', 0, 4)], [count('db-admins', HOUR, 5)]);
    assert.equal(worse.reductionPercent, -25);
  });

  test('with no counts at all everything is zero or null', () => {
    assert.deepEqual(standingAccessKpi(PERIOD, [], []), {
      baseline: 0,
      current: 0,
      reductionPercent: null,
      series: DAYS.map((day) => ({ day, standing: null })),
    });
  });
});

describe('KPI 2: JIT utilization', () => {
  test('grants are leases granted in the period; standing holders the highest count per role in the period, summed', () => {
    const leases = [
      lease({ grantedAt: t(HOUR) }),
      lease({ grantedAt: t(DAY + HOUR) }),
      lease({ grantedAt: t(2 * DAY + HOUR) }),
      lease({ requestedAt: t(-HOUR), grantedAt: t(-HOUR + SECOND) }), // granted before the period
      lease({ grantedAt: t(3 * DAY) }), // granted at now: outside [since, now)
      lease({ state: 'revoking', revokeReason: 'grant_failed' }), // never granted
    ];
    const counts = [count('db-admins', -HOUR, 9), count('db-admins', HOUR, 2), count('db-admins', DAY, 4), count('db-admins', 2 * DAY, 1), count('ssh-prod', HOUR, 1)];
    const kpi = utilizationKpi(PERIOD, leases, counts);
    assert.deepEqual([kpi.jitGrants, kpi.standingHolders, kpi.utilizationPercent], [3, 5, 37.5]);
    assert.deepEqual(kpi.series, [
      { day: '2026-11-01', jitGrants: 1, standingHolders: 3, utilizationPercent: 25 },
      { day: '2026-11-02', jitGrants: 1, standingHolders: 4, utilizationPercent: 20 },
      { day: '2026-11-03', jitGrants: 1, standingHolders: 1, utilizationPercent: 50 },
    ]);
  });

  test('no grants and no standing holders gives null; grants alone give 100%', () => {
    assert.equal(utilizationKpi(PERIOD, [], [count('db-admins', HOUR, 0)]).utilizationPercent, null);
    assert.equal(utilizationKpi(PERIOD, [lease({ grantedAt: t(HOUR) })], []).utilizationPercent, 100);
  });
});

describe('KPI 3: approval time', () => {
  test('the wait runs from the request\'s creation to the confirmed grant, split by auto, manual and break-glass', () => {
    const pairs = [
      grant(HOUR, 2 * SECOND),
      grant(2 * HOUR, 4 * SECOND),
      grant(3 * HOUR, 30 * MINUTE, { approval: 'manual' }),
      grant(4 * HOUR, 500, { approval: 'break_glass' }),
    ];
    const kpi = approvalTimeKpi(PERIOD, pairs.map((p) => p.lease), pairs.map((p) => p.request));
    assert.deepEqual([kpi.auto, kpi.manual, kpi.break_glass], [
      { count: 2, medianMs: 2 * SECOND, p90Ms: 4 * SECOND },
      { count: 1, medianMs: 30 * MINUTE, p90Ms: 30 * MINUTE },
      { count: 1, medianMs: 500, p90Ms: 500 },
    ]);
  });

  test('the confirmation time is used when there is one, the grant time otherwise', () => {
    const confirmed = grant(HOUR, SECOND, {}, { grantConfirmedAt: t(HOUR + 3 * SECOND) });
    const unconfirmed = grant(HOUR, 7 * SECOND, {}, { grantConfirmedAt: undefined });
    const kpi = approvalTimeKpi(PERIOD, [confirmed.lease, unconfirmed.lease], [confirmed.request, unconfirmed.request]);
    assert.deepEqual(kpi.auto, { count: 2, medianMs: 3 * SECOND, p90Ms: 7 * SECOND });
  });

  test('a scheduled request waits from its start, not from its creation', () => {
    const scheduled = grant(HOUR, 5 * HOUR + 2 * SECOND, { approval: 'manual', startAt: t(6 * HOUR) });
    const kpi = approvalTimeKpi(PERIOD, [scheduled.lease], [scheduled.request]);
    assert.deepEqual(kpi.manual, { count: 1, medianMs: 2 * SECOND, p90Ms: 2 * SECOND });
  });

  test('a request created after its scheduled start waits from its creation: the later of the two counts', () => {
    // Created at 10:00 for a start at 09:00 (already past): the wait counts from 10:00.
    const late = grant(10 * HOUR, 20 * MINUTE, { approval: 'manual', startAt: t(9 * HOUR) });
    assert.deepEqual(approvalTimeKpi(PERIOD, [late.lease], [late.request]).manual, { count: 1, medianMs: 20 * MINUTE, p90Ms: 20 * MINUTE });
  });

  test('extension requests are not grants and leases granted outside the period are left out', () => {
    const extension = grant(HOUR, SECOND, { extendsLease: LeaseId('l-0') });
    const before = grant(-2 * HOUR, SECOND);
    const kpi = approvalTimeKpi(PERIOD, [extension.lease, before.lease], [extension.request, before.request]);
    assert.deepEqual(kpi.auto, { count: 0, medianMs: null, p90Ms: null });
  });

  test('each day has its own counts and percentiles, by the day of the grant', () => {
    const pairs = [grant(HOUR, SECOND), grant(DAY + HOUR, 3 * SECOND), grant(DAY + 2 * HOUR, 5 * SECOND)];
    const kpi = approvalTimeKpi(PERIOD, pairs.map((p) => p.lease), pairs.map((p) => p.request));
    const none = { count: 0, medianMs: null, p90Ms: null };
    assert.deepEqual(kpi.series, [
      { day: '2026-11-01', auto: { count: 1, medianMs: SECOND, p90Ms: SECOND }, manual: none, break_glass: none },
      { day: '2026-11-02', auto: { count: 2, medianMs: 3 * SECOND, p90Ms: 5 * SECOND }, manual: none, break_glass: none },
      { day: '2026-11-03', auto: none, manual: none, break_glass: none },
    ]);
  });
});

describe('KPI 4: revocation success', () => {
  const expired = (expiresAt: number, fields: Partial<Lease>): Lease =>
    lease({ grantedAt: t(expiresAt - HOUR), expiresAt: t(expiresAt), revokeReason: 'expired', revokeRequestedAt: t(expiresAt), ...fields });
  const revoked = (expiresAt: number, lagMs: number, attempts = 0): Lease =>
    expired(expiresAt, { state: 'revoked', attempts, revokedAt: t(expiresAt + lagMs), revokeConfirmedAt: t(expiresAt + lagMs) });

  test('first try, within 1 s and within 1 min count revoked leases; still failing counts revoking, revoke_failed and active past expiry', () => {
    const leases = [
      revoked(2 * HOUR, 300), // first try, within 1 s and 1 min
      revoked(3 * HOUR, SECOND), // exactly 1 s: within 1 s
      revoked(4 * HOUR, 30 * SECOND, 1), // one failed attempt, within 1 min
      revoked(5 * HOUR, 10 * MINUTE, 3), // late
      expired(6 * HOUR, { state: 'revoke_failed', attempts: 4, lastError: 'target down' }),
      expired(7 * HOUR, { state: 'revoking' }),
      lease({ state: 'active', grantedAt: t(7 * HOUR), expiresAt: t(8 * HOUR) }), // the scheduler is behind
      lease({ state: 'active', grantedAt: t(3 * DAY - HOUR), expiresAt: t(3 * DAY + HOUR) }), // not expired yet
    ];
    const kpi = revocationKpi(PERIOD, leases);
    const { series, ...value } = kpi;
    assert.deepEqual(value, {
      total: 7,
      firstTry: 2,
      within1s: 2,
      within1m: 3,
      stillFailing: 3,
      firstTryPercent: 28.6,
      within1sPercent: 28.6,
      within1mPercent: 42.9,
      stillFailingPercent: 42.9,
    });
    assert.deepEqual(series.map((d) => [d.day, d.total, d.stillFailing]), [
      ['2026-11-01', 7, 3],
      ['2026-11-02', 0, 0],
      ['2026-11-03', 0, 0],
    ]);
  });

  test('leases released, revoked by an admin or whose grant failed are not in it, nor ones expiring outside the period', () => {
    const leases = [
      lease({ state: 'revoked', grantedAt: t(HOUR), expiresAt: t(2 * HOUR), revokeReason: 'released', revokeConfirmedAt: t(90 * MINUTE) }),
      lease({ state: 'revoked', grantedAt: t(HOUR), expiresAt: t(2 * HOUR), revokeReason: 'revoked', revokeConfirmedAt: t(90 * MINUTE) }),
      lease({ state: 'revoke_failed', expiresAt: t(2 * HOUR), revokeReason: 'grant_failed', attempts: 2 }),
      revoked(-HOUR, 100),
      revoked(3 * DAY, 100),
    ];
    const kpi = revocationKpi(PERIOD, leases);
    assert.deepEqual([kpi.total, kpi.firstTryPercent, kpi.within1sPercent, kpi.within1mPercent, kpi.stillFailingPercent], [0, null, null, null, null]);
  });

  test('each day counts the leases that expired that day', () => {
    const kpi = revocationKpi(PERIOD, [revoked(HOUR, 100), revoked(DAY + HOUR, 2 * SECOND), revoked(DAY + 2 * HOUR, 2 * MINUTE, 2)]);
    assert.deepEqual(kpi.series[1], {
      day: '2026-11-02',
      total: 2,
      firstTry: 1,
      within1s: 0,
      within1m: 1,
      stillFailing: 0,
      firstTryPercent: 50,
      within1sPercent: 0,
      within1mPercent: 50,
      stillFailingPercent: 0,
    });
  });
});

describe('top requested roles', () => {
  test('roles by requests created in the period, most first then by name, extensions not counted, at most ten', () => {
    const requests = [
      ...Array.from({ length: 3 }, () => request({ role: RoleName('ssh-prod'), createdAt: t(HOUR) })),
      ...Array.from({ length: 3 }, () => request({ role: RoleName('db-admins'), createdAt: t(DAY) })),
      request({ role: RoleName('db-admins'), createdAt: t(DAY), extendsLease: LeaseId('l-1') }),
      request({ role: RoleName('db-admins'), createdAt: t(-HOUR) }),
      request({ role: RoleName('db-admins'), createdAt: t(3 * DAY) }),
      ...Array.from({ length: 12 }, (_, i) => request({ role: RoleName(`r${String(i).padStart(2, '0')}`), createdAt: t(HOUR) })),
    ];
    const top = topRequestedRoles(PERIOD, requests);
    assert.equal(top.length, 10);
    assert.deepEqual(top.slice(0, 4), [
      { role: 'db-admins', requests: 3 },
      { role: 'ssh-prod', requests: 3 },
      { role: 'r00', requests: 1 },
      { role: 'r01', requests: 1 },
    ]);
    assert.deepEqual(topRequestedRoles(PERIOD, []), []);
  });
});

describe('the whole report', () => {
  test('computeKpis puts every KPI together over the period, reading each lease and request once', () => {
    const g = grant(HOUR, 2 * SECOND, {}, { expiresAt: t(2 * HOUR), revokeReason: 'expired', revokeConfirmedAt: t(2 * HOUR + 100) });
    const report = computeKpis({
      ...PERIOD,
      leases: [g.lease, g.lease],
      requests: [g.request, g.request],
      firstCounts: [count('db-admins', -DAY, 4)],
      counts: [count('db-admins', -HOUR, 4), count('db-admins', HOUR, 1)],
      alwaysOnCandidates: 2,
    });
    assert.deepEqual(report.period, { since: '2026-11-01T00:00:00.000Z', until: '2026-11-04T00:00:00.000Z' });
    assert.deepEqual([report.standingAccess.reductionPercent, report.utilization.jitGrants, report.utilization.standingHolders, report.approvalTime.auto.count], [75, 1, 1, 1]);
    assert.deepEqual([report.revocation.total, report.topRoles, report.alwaysOnCandidates], [1, [{ role: 'db-admins', requests: 1 }], 2]);
  });

  test('an empty store gives zeros, nulls and a day per day of the period', () => {
    const report = computeKpis({ ...PERIOD, leases: [], requests: [], firstCounts: [], counts: [], alwaysOnCandidates: 0 });
    const none = { count: 0, medianMs: null, p90Ms: null };
    assert.deepEqual(
      { ...report, standingAccess: { ...report.standingAccess, series: report.standingAccess.series.length }, utilization: { ...report.utilization, series: report.utilization.series.length }, approvalTime: { ...report.approvalTime, series: report.approvalTime.series.length }, revocation: { ...report.revocation, series: report.revocation.series.length } },
      {
        period: { since: '2026-11-01T00:00:00.000Z', until: '2026-11-04T00:00:00.000Z' },
        standingAccess: { baseline: 0, current: 0, reductionPercent: null, series: 3 },
        utilization: { jitGrants: 0, standingHolders: 0, utilizationPercent: null, series: 3 },
        approvalTime: { auto: none, manual: none, break_glass: none, series: 3 },
        revocation: { total: 0, firstTry: 0, within1s: 0, within1m: 0, stillFailing: 0, firstTryPercent: null, within1sPercent: null, within1mPercent: null, stillFailingPercent: null, series: 3 },
        topRoles: [],
        alwaysOnCandidates: 0,
      },
    );
  });
});
