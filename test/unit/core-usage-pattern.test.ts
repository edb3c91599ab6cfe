// The always-on report's core: which principals hold a role on most working days for most of the day.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { InvalidInputError } from '../../src/core/errors.ts';
import { ConnectorName, LeaseId, PrincipalId, RequestId, RoleName } from '../../src/core/ids.ts';
import type { Lease } from '../../src/core/lease.ts';
import { DEFAULT_USAGE_PATTERN_OPTIONS, findAlwaysOnCandidates, isTimeZone, type UsagePatternOptions } from '../../src/core/usage-pattern.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
/** Monday 2 November 2026, 00:00 UTC: the periods below are two whole weeks from here (10 working days). */
const MONDAY = Date.parse('2026-11-02T00:00:00Z');
const TWO_WEEKS = { since: new Date(MONDAY), now: new Date(MONDAY + 2 * WEEK) };

let seq = 0;
/** A granted lease of `role` for `principal`, holding access over [from, to) (ms), ended by expiry. */
function held(principal: string, from: number, to: number, overrides: Partial<Lease> = {}, role = 'db-admins'): Lease {
  seq += 1;
  return {
    id: LeaseId(`l-${seq}`),
    version: 3,
    state: 'revoked',
    requestId: RequestId(`r-${seq}`),
    principal: PrincipalId(principal),
    role: RoleName(role),
    connector: ConnectorName('corp-ldap'),
    target: { group: 'cn=db-admins,ou=groups,dc=example,dc=org' },
    durationMs: to - from,
    requestedAt: new Date(from - 1_000),
    grantedAt: new Date(from),
    expiresAt: new Date(to),
    attempts: 0,
    ...overrides,
  };
}

/** One lease per listed day (days after MONDAY), from `startHour` for `hours` hours (UTC). */
function daily(principal: string, days: readonly number[], startHour = 9, hours = 8, role = 'db-admins'): Lease[] {
  return days.map((d) => held(principal, MONDAY + d * DAY + startHour * HOUR, MONDAY + d * DAY + (startHour + hours) * HOUR, {}, role));
}

const WEEKDAYS_OF_TWO_WEEKS = [0, 1, 2, 3, 4, 7, 8, 9, 10, 11];

describe('always-on candidates', () => {
  test('no leases give no candidates, with the period, the default parameters and the working days counted', () => {
    assert.deepEqual(findAlwaysOnCandidates([], TWO_WEEKS), {
      period: { since: '2026-11-02T00:00:00.000Z', until: '2026-11-16T00:00:00.000Z' },
      parameters: { timeZone: 'UTC', workdays: [1, 2, 3, 4, 5], minHoursPerDay: 4, minDayShare: 0.6 },
      workingDays: 10,
      candidates: [],
    });
  });

  test('someone holding the role 8 hours every working day is a candidate with every figure filled in', () => {
    const report = findAlwaysOnCandidates(daily('alice', WEEKDAYS_OF_TWO_WEEKS), TWO_WEEKS);
    assert.deepEqual(report.candidates, [
      {
        principal: 'alice',
        role: 'db-admins',
        workingDays: 10,
        activeDays: 10,
        dayShare: 1,
        averageHoursPerActiveDay: 8,
        totalHours: 80,
        leases: 10,
        firstGrantedAt: '2026-11-02T09:00:00.000Z',
        lastGrantedAt: '2026-11-13T09:00:00.000Z',
      },
    ]);
  });

  test('weekends are not working days: holding the role all weekend adds hours but no active day', () => {
    const weekends = [5, 6, 12, 13];
    const leases = [...daily('bob', weekends, 0, 24), ...daily('bob', [0, 1, 2, 3, 4])];
    // 5 active days of 10 is below the default share of 0.6.
    assert.deepEqual(findAlwaysOnCandidates(leases, TWO_WEEKS).candidates, []);
    const report = findAlwaysOnCandidates(leases, TWO_WEEKS, { minDayShare: 0.5 });
    assert.equal(report.workingDays, 10);
    const [bob] = report.candidates;
    assert.deepEqual(bob && [bob.activeDays, bob.dayShare, bob.averageHoursPerActiveDay, bob.totalHours], [5, 0.5, 8, 4 * 24 + 5 * 8]);
  });

  test('workdays choose which weekdays count: with Saturday and Sunday only, weekend holders stand out', () => {
    const report = findAlwaysOnCandidates(daily('bob', [5, 6, 12, 13], 0, 24), TWO_WEEKS, { workdays: [7, 6, 6] });
    assert.deepEqual(report.parameters.workdays, [6, 7]);
    assert.deepEqual(report.candidates.map((c) => [c.principal, c.workingDays, c.activeDays]), [['bob', 4, 4]]);
  });

  test('overlapping leases are not counted twice: 09-13 and 11-15 cover 6 hours, two copies of 09-12 cover 3', () => {
    const overlapping = WEEKDAYS_OF_TWO_WEEKS.flatMap((d) => [...daily('carol', [d], 9, 4), ...daily('carol', [d], 11, 4)]);
    const [carol] = findAlwaysOnCandidates(overlapping, TWO_WEEKS, { minHoursPerDay: 6 }).candidates;
    assert.deepEqual(carol && [carol.activeDays, carol.averageHoursPerActiveDay, carol.totalHours, carol.leases], [10, 6, 60, 20]);
    assert.deepEqual(findAlwaysOnCandidates(overlapping, TWO_WEEKS, { minHoursPerDay: 6.01 }).candidates, []);

    const doubled = WEEKDAYS_OF_TWO_WEEKS.flatMap((d) => [...daily('dan', [d], 9, 3), ...daily('dan', [d], 9, 3)]);
    assert.deepEqual(findAlwaysOnCandidates(doubled, TWO_WEEKS).candidates, []);
    assert.equal(findAlwaysOnCandidates(doubled, TWO_WEEKS, { minHoursPerDay: 3 }).candidates[0]?.totalHours, 30);
  });

  test('a lease spanning midnight counts its hours on each of the two days', () => {
    // 20:00 Monday to 04:00 Tuesday, every weeknight: 4 h on each weekday evening and 4 h on each following morning.
    const nights = WEEKDAYS_OF_TWO_WEEKS.map((d) => held('erin', MONDAY + d * DAY + 20 * HOUR, MONDAY + (d + 1) * DAY + 4 * HOUR));
    const [erin] = findAlwaysOnCandidates(nights, TWO_WEEKS, { minHoursPerDay: 8 }).candidates;
    // Tuesday to Friday get 4 h of the night before plus 4 h of their own evening; Mondays only the evening.
    assert.deepEqual(erin && [erin.activeDays, erin.dayShare, erin.averageHoursPerActiveDay, erin.totalHours], [8, 0.8, 8, 80]);
  });

  test('access is counted up to now: a lease still running counts until now, not until its expiry', () => {
    const now = MONDAY + 2 * WEEK + 12 * HOUR; // Monday noon: that Monday is not a whole day of the period
    const running = held('frank', MONDAY - 3 * DAY, now + 30 * DAY, { state: 'active' });
    const report = findAlwaysOnCandidates([running], { since: new Date(MONDAY), now: new Date(now) });
    assert.equal(report.workingDays, 10);
    assert.deepEqual(report.candidates.map((c) => [c.activeDays, c.totalHours, c.firstGrantedAt]), [[10, 14 * 24 + 12, '2026-10-30T00:00:00.000Z']]);
  });

  test('a lease ends when it was revoked, else when revocation was asked for, else at expiry', () => {
    const base = MONDAY + 9 * HOUR;
    const revoked = held('gina', base, base + 8 * HOUR, { revokeRequestedAt: new Date(base + 2 * HOUR), revokedAt: new Date(base + 3 * HOUR) });
    const releasing = held('gina', base + DAY, base + DAY + 8 * HOUR, { state: 'revoking', revokeRequestedAt: new Date(base + DAY + 5 * HOUR) });
    const expired = held('gina', base + 2 * DAY, base + 2 * DAY + 7 * HOUR);
    const [gina] = findAlwaysOnCandidates([revoked, releasing, expired], TWO_WEEKS, { minHoursPerDay: 1, minDayShare: 0.3 }).candidates;
    assert.deepEqual(gina && [gina.activeDays, gina.totalHours], [3, 3 + 5 + 7]);
  });

  test('leases never granted (still being granted, or failed) are ignored', () => {
    const leases = daily('hank', WEEKDAYS_OF_TWO_WEEKS).map((l) => ({ ...l, state: 'granting' as const, grantedAt: undefined }));
    assert.deepEqual(findAlwaysOnCandidates(leases, TWO_WEEKS).candidates, []);
  });

  test('just under a threshold is not a candidate: 5 of 10 days, or a sixth day 1 second short of 4 hours', () => {
    const six = daily('ivy', [0, 1, 2, 3, 4, 7], 9, 4);
    assert.deepEqual(findAlwaysOnCandidates(six, TWO_WEEKS).candidates.map((c) => [c.principal, c.activeDays, c.dayShare]), [['ivy', 6, 0.6]]);
    const short = [...daily('ivy', [0, 1, 2, 3, 4], 9, 4), held('ivy', MONDAY + 7 * DAY + 9 * HOUR, MONDAY + 7 * DAY + 13 * HOUR - 1_000)];
    assert.deepEqual(findAlwaysOnCandidates(short, TWO_WEEKS).candidates, []);
    assert.deepEqual(findAlwaysOnCandidates(daily('ivy', [0, 1, 2, 3, 4], 9, 4), TWO_WEEKS).candidates, []);
  });

  test('a share of 0 still needs one active day', () => {
    assert.deepEqual(findAlwaysOnCandidates(daily('jack', [0], 9, 1), TWO_WEEKS, { minDayShare: 0 }).candidates, []);
    assert.equal(findAlwaysOnCandidates(daily('jack', [0], 9, 4), TWO_WEEKS, { minDayShare: 0 }).candidates[0]?.dayShare, 0.1);
  });

  test('days are calendar days of the time zone: 20:00-04:00 UTC is one Tokyo day of 8 hours, two UTC days of 4', () => {
    // Monday and Wednesday nights of both weeks.
    const nights = [0, 2, 7, 9].map((d) => held('kim', MONDAY + d * DAY + 20 * HOUR, MONDAY + (d + 1) * DAY + 4 * HOUR));
    const options = { minHoursPerDay: 6, minDayShare: 0.4 };
    assert.deepEqual(findAlwaysOnCandidates(nights, TWO_WEEKS, options).candidates, []);
    const tokyo = findAlwaysOnCandidates(nights, TWO_WEEKS, { ...options, timeZone: 'Asia/Tokyo' });
    // The period runs from Monday 09:00 to Monday 09:00 in Tokyo: both Mondays are partial, leaving 9 whole working days.
    assert.equal(tokyo.workingDays, 9);
    // Each night is 05:00-13:00 on the next Tokyo day: Tuesdays and Thursdays.
    assert.deepEqual(tokyo.candidates.map((c) => [c.activeDays, c.dayShare, c.averageHoursPerActiveDay]), [[4, 0.4444, 8]]);
  });

  test('Europe/Berlin DST days have 23 and 25 hours, and each day ends where the next begins', () => {
    const options = { timeZone: 'Europe/Berlin', workdays: [1, 2, 3, 4, 5, 6, 7], minDayShare: 0 };
    // Sunday 29 March 2026: from 00:00 CET (23:00Z the day before) to 00:00 CEST (22:00Z): 23 hours.
    const spring = { since: new Date('2026-03-28T23:00:00Z'), now: new Date('2026-03-29T22:00:00Z') };
    const springDay = held('lea', spring.since.getTime(), spring.now.getTime());
    const springReport = findAlwaysOnCandidates([springDay], spring, { ...options, minHoursPerDay: 23 });
    assert.deepEqual(springReport.candidates.map((c) => [c.workingDays, c.activeDays, c.averageHoursPerActiveDay]), [[1, 1, 23]]);
    // One second less and the period holds no whole day.
    assert.equal(findAlwaysOnCandidates([springDay], { ...spring, now: new Date(spring.now.getTime() - 1_000) }, options).workingDays, 0);
    // Sunday 25 October 2026: from 00:00 CEST (22:00Z the day before) to 00:00 CET (23:00Z): 25 hours.
    const autumn = { since: new Date('2026-10-24T22:00:00Z'), now: new Date('2026-10-25T23:00:00Z') };
    const autumnDay = held('lea', autumn.since.getTime(), autumn.now.getTime());
    const autumnReport = findAlwaysOnCandidates([autumnDay], autumn, { ...options, minHoursPerDay: 24 });
    assert.deepEqual(autumnReport.candidates.map((c) => [c.workingDays, c.activeDays, c.averageHoursPerActiveDay, c.totalHours]), [[1, 1, 25, 25]]);
    // Friday 27 March to Wednesday 1 April: a lease from Berlin midnight to midnight covers exactly one day, either side of the change.
    const week = { since: new Date('2026-03-26T23:00:00Z'), now: new Date('2026-04-01T22:00:00Z') };
    const saturday = held('max', Date.parse('2026-03-27T23:00:00Z'), Date.parse('2026-03-28T23:00:00Z'));
    const monday = held('max', Date.parse('2026-03-29T22:00:00Z'), Date.parse('2026-03-30T22:00:00Z'));
    const report = findAlwaysOnCandidates([saturday, monday], week, { ...options, minHoursPerDay: 24 });
    assert.deepEqual(report.candidates.map((c) => [c.workingDays, c.activeDays, c.totalHours]), [[6, 2, 48]]);
  });

  test('a day whose midnight does not exist starts at its first real instant (America/Santiago, 6 September 2026)', () => {
    // Clocks jump from 24:00 on Saturday to 01:00 on Sunday (04:00Z): Sunday runs from 04:00Z to 03:00Z, 23 hours.
    const period = { since: new Date('2026-09-05T04:00:00Z'), now: new Date('2026-09-07T03:00:00Z') };
    const always = held('uma', Date.parse('2026-09-01T00:00:00Z'), Date.parse('2026-09-10T00:00:00Z'));
    const report = findAlwaysOnCandidates([always], period, { timeZone: 'America/Santiago', workdays: [7], minHoursPerDay: 23 });
    assert.deepEqual(report.candidates.map((c) => [c.workingDays, c.activeDays, c.averageHoursPerActiveDay]), [[1, 1, 23]]);
    assert.equal(findAlwaysOnCandidates([always], { ...period, since: new Date('2026-09-06T04:00:01Z') }, { timeZone: 'America/Santiago', workdays: [7] }).workingDays, 0);
  });

  test('candidates are sorted by day share, then total hours, both descending', () => {
    const leases = [
      ...daily('nina', [0, 1, 2, 3, 4, 7], 9, 4), // 0.6, 24 h
      ...daily('omar', WEEKDAYS_OF_TWO_WEEKS, 9, 4), // 1.0, 40 h
      ...daily('pat', [0, 1, 2, 3, 4, 7], 9, 10), // 0.6, 60 h
      ...daily('omar', WEEKDAYS_OF_TWO_WEEKS, 9, 9, 'ssh-prod'), // 1.0, 90 h
    ];
    const report = findAlwaysOnCandidates(leases, TWO_WEEKS);
    assert.deepEqual(
      report.candidates.map((c) => [c.principal, c.role, c.dayShare, c.totalHours]),
      [
        ['omar', 'ssh-prod', 1, 90],
        ['omar', 'db-admins', 1, 40],
        ['pat', 'db-admins', 0.6, 60],
        ['nina', 'db-admins', 0.6, 24],
      ],
    );
  });

  test('shares and hours are rounded for display: 2 of 3 days is 0.6667, 20 minutes 0.33 hours', () => {
    const period = { since: new Date(MONDAY), now: new Date(MONDAY + 3 * DAY) };
    const leases = [...daily('quinn', [0, 1], 9, 4), held('quinn', MONDAY + 2 * DAY + 9 * HOUR, MONDAY + 2 * DAY + 9 * HOUR + 20 * 60_000)];
    const [quinn] = findAlwaysOnCandidates(leases, period).candidates;
    assert.deepEqual(quinn && [quinn.dayShare, quinn.averageHoursPerActiveDay, quinn.totalHours], [0.6667, 4, 8.33]);
  });

  test('leases that ended before the period count neither hours nor as leases; grants before it do count', () => {
    const before = held('rita', MONDAY - 2 * DAY, MONDAY - DAY);
    const into = held('rita', MONDAY - 2 * HOUR, MONDAY + 8 * HOUR);
    const [rita] = findAlwaysOnCandidates([before, into, ...daily('rita', [1, 2, 3, 4, 7, 8])], TWO_WEEKS).candidates;
    assert.deepEqual(rita && [rita.leases, rita.activeDays, rita.totalHours, rita.firstGrantedAt], [7, 7, 8 + 48, '2026-11-01T22:00:00.000Z']);
  });

  test('a period with no whole working day has no candidates', () => {
    const weekend = { since: new Date(MONDAY + 5 * DAY), now: new Date(MONDAY + 7 * DAY) };
    assert.deepEqual(findAlwaysOnCandidates(daily('sam', [5, 6], 0, 24), weekend), {
      period: { since: '2026-11-07T00:00:00.000Z', until: '2026-11-09T00:00:00.000Z' },
      parameters: DEFAULT_USAGE_PATTERN_OPTIONS,
      workingDays: 0,
      candidates: [],
    });
  });

  test('bad options are refused with every problem named', () => {
    assert.throws(
      () => findAlwaysOnCandidates([], { since: TWO_WEEKS.now, now: TWO_WEEKS.now }, { timeZone: 'Mars/Olympus', workdays: [0, 8], minHoursPerDay: 0, minDayShare: 1.5 }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidInputError);
        assert.equal(
          error.message,
          'timeZone: "Mars/Olympus" is not a time zone (e.g. UTC, Europe/Berlin); workdays: name one or more ISO weekdays, 1 (Monday) to 7 (Sunday); ' +
            'minHoursPerDay: must be more than 0 and at most 24, got 0; minDayShare: must be between 0 and 1, got 1.5; ' +
            'since: the period must start before it ends (since 2026-11-16T00:00:00.000Z, now 2026-11-16T00:00:00.000Z)',
        );
        return true;
      },
    );
  });

  test('time zones are recognised by Intl, in any case, and reported in their canonical spelling', () => {
    assert.deepEqual(['UTC', 'Europe/Berlin', 'Mars/Olympus', '', 'europe/berlin'].map(isTimeZone), [true, true, false, false, true]);
    assert.equal(findAlwaysOnCandidates([], TWO_WEEKS, { timeZone: 'europe/berlin' }).parameters.timeZone, 'Europe/Berlin');
  });
});

describe('always-on candidates: properties', () => {
  const principals = ['alice', 'bob', 'carol'];
  /** Leases within three weeks around the period (some starting before it, some running past now). */
  const leaseArb = fc.record({
    principal: fc.constantFrom(...principals),
    role: fc.constantFrom('db-admins', 'ssh-prod'),
    startHour: fc.integer({ min: -7 * 24, max: 14 * 24 }),
    hours: fc.integer({ min: 1, max: 40 }),
  });
  const optionsArb: fc.Arbitrary<Partial<UsagePatternOptions>> = fc.record({
    minHoursPerDay: fc.integer({ min: 1, max: 24 }),
    minDayShare: fc.constantFrom(0, 0.2, 0.5, 0.6, 1),
  });
  const build = (specs: readonly { principal: string; role: string; startHour: number; hours: number }[], shift = 0) =>
    specs.map((s, i) => ({ ...held(s.principal, MONDAY + shift + s.startHour * HOUR, MONDAY + shift + (s.startHour + s.hours) * HOUR, {}, s.role), id: LeaseId(`p-${i}`) }));

  test('shifting every lease and the period by whole weeks changes only the dates', () => {
    fc.assert(
      fc.property(fc.array(leaseArb, { maxLength: 30 }), optionsArb, fc.integer({ min: -60, max: 60 }), (specs, options, weeks) => {
        const shift = weeks * WEEK;
        const base = findAlwaysOnCandidates(build(specs), TWO_WEEKS, options);
        const shifted = findAlwaysOnCandidates(build(specs, shift), { since: new Date(MONDAY + shift), now: new Date(MONDAY + 2 * WEEK + shift) }, options);
        const withoutDates = (r: typeof base) => ({ ...r, period: undefined, candidates: r.candidates.map((c) => ({ ...c, firstGrantedAt: undefined, lastGrantedAt: undefined })) });
        assert.deepEqual(withoutDates(shifted), withoutDates(base));
        assert.deepEqual(
          shifted.candidates.map((c) => Date.parse(c.firstGrantedAt) - shift),
          base.candidates.map((c) => Date.parse(c.firstGrantedAt)),
        );
      }),
      { numRuns: 200 },
    );
  });

  test('the order of the leases does not matter, and splitting a lease in two changes only the lease count', () => {
    fc.assert(
      fc.property(fc.array(leaseArb, { minLength: 1, maxLength: 30 }), optionsArb, fc.nat(), (specs, options, pick) => {
        const leases = build(specs);
        const base = findAlwaysOnCandidates(leases, TWO_WEEKS, options);
        assert.deepEqual(findAlwaysOnCandidates([...leases].reverse(), TWO_WEEKS, options), base);
        const index = pick % leases.length;
        const whole = leases[index]!;
        const middle = new Date((whole.grantedAt!.getTime() + whole.expiresAt.getTime()) / 2);
        const split = [...leases.slice(0, index), { ...whole, expiresAt: middle }, { ...whole, id: LeaseId('split'), grantedAt: middle }, ...leases.slice(index + 1)];
        const after = findAlwaysOnCandidates(split, TWO_WEEKS, options);
        // A half that ends before the period is not counted, so the first grant in it may move too.
        const withoutCounts = (r: typeof base) => r.candidates.map((c) => ({ ...c, leases: 0, firstGrantedAt: '', lastGrantedAt: '' }));
        assert.deepEqual(withoutCounts(after), withoutCounts(base));
      }),
      { numRuns: 200 },
    );
  });
});
