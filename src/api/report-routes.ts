// Reports computed from the lease history (admins and auditors only). Scopes per route: route-scopes.ts.
// Definitions: docs/reports.md (always-on), docs/kpis.md (KPIs).
import { z } from 'zod';
import { formatDuration, tryParseDuration } from '../core/duration.ts';
import { ForbiddenError } from '../core/errors.ts';
import { isTimeZone } from '../core/usage-pattern.ts';
import { canSeeAll } from '../engine/caller.ts';
import { kpiReport, type KpiReportDeps } from '../engine/kpi-report.ts';
import { alwaysOnReport, type UsageReportDeps } from '../engine/usage-report.ts';
import { route, type Route } from './route.ts';

export type ReportDeps = UsageReportDeps & KpiReportDeps;

export const DEFAULT_REPORT_PERIOD = '30d';
/** Bounds how much history one report reads: each reads every lease of its period, page by page. */
export const MAX_REPORT_PERIOD_MS = 366 * 86_400_000;

/** A number from the query string: '' is not 0, and anything outside [min, max] (or equal to an excluded min) is refused. */
function numberText(min: number, max: number, minIncluded: boolean, expected: string) {
  return z.string().transform((text, ctx) => {
    const value = text.trim() === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(value) || value > max || value < min || (!minIncluded && value === min)) {
      ctx.addIssue({ code: 'custom', message: `must be ${expected}, got "${text}"` });
      return z.NEVER;
    }
    return value;
  });
}

/** How far back a report's period starts, in ms: a duration, 30d unless given, at most 366d. */
const sinceText = z
  .string()
  .default(DEFAULT_REPORT_PERIOD)
  .transform((text, ctx) => {
    const ms = tryParseDuration(text);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (e.g. 7d, 30d, 90d)` });
    else if (ms > MAX_REPORT_PERIOD_MS) ctx.addIssue({ code: 'custom', message: `at most ${formatDuration(MAX_REPORT_PERIOD_MS)}, got ${text}` });
    return ms ?? z.NEVER;
  });

export const alwaysOnQuery = z.strictObject({
  since: sinceText,
  timeZone: z
    .string()
    .refine(isTimeZone, { error: (issue) => `"${String(issue.input)}" is not a time zone (e.g. UTC, Europe/Berlin)` })
    .optional(),
  workdays: z
    .string()
    .transform((text, ctx) => {
      const days = text.split(',').map((d) => d.trim());
      if (days.some((d) => !/^[1-7]$/.test(d))) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a list of ISO weekdays from 1 (Monday) to 7 (Sunday), e.g. 1,2,3,4,5` });
        return z.NEVER;
      }
      return days.map(Number);
    })
    .optional(),
  minHours: numberText(0, 24, false, 'a number of hours more than 0 and at most 24').optional(),
  minDayShare: numberText(0, 1, true, 'a number from 0 to 1').optional(),
});
type AlwaysOnQuery = z.output<typeof alwaysOnQuery>;

export const kpiQuery = z.strictObject({ since: sinceText });
type KpiQuery = z.output<typeof kpiQuery>;

export function reportRoutes(deps: ReportDeps): readonly Route[] {
  return [
    route<undefined, AlwaysOnQuery>({
      method: 'GET',
      url: '/v1/reports/always-on',
      tag: 'reports',
      summary:
        'Principals whose use of a role looks like standing access: active (≥ minHours held) on at least minDayShare of the working days since (default 30d, 4h, 0.6, UTC, Monday-Friday); admins and auditors',
      query: alwaysOnQuery,
      handler: async ({ caller, query }) => {
        if (!canSeeAll(caller)) throw new ForbiddenError('the always-on report requires the admin or auditor role');
        const report = await alwaysOnReport(deps, {
          periodMs: query.since,
          options: {
            ...(query.timeZone === undefined ? {} : { timeZone: query.timeZone }),
            ...(query.workdays === undefined ? {} : { workdays: query.workdays }),
            ...(query.minHours === undefined ? {} : { minHoursPerDay: query.minHours }),
            ...(query.minDayShare === undefined ? {} : { minDayShare: query.minDayShare }),
          },
        });
        return { body: report };
      },
    }),
    route<undefined, KpiQuery>({
      method: 'GET',
      url: '/v1/reports/kpi',
      tag: 'reports',
      summary:
        'The four KPIs over the period since (default 30d): standing access reduction, JIT utilization, approval time by mode, revocation at expiry; with a series per UTC day, the top requested roles and the always-on candidate count (definitions: docs/kpis.md); admins and auditors',
      query: kpiQuery,
      handler: async ({ caller, query }) => {
        if (!canSeeAll(caller)) throw new ForbiddenError('the KPI report requires the admin or auditor role');
        return { body: await kpiReport(deps, { now: deps.clock.now(), periodMs: query.since }) };
      },
    }),
  ];
}
