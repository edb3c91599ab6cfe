// jitd report: figures computed from the lease history (admins and auditors). `always-on` lists principals whose
// use of a role looks like standing access; the definition is in docs/reports.md. `kpi` shows the four KPIs;
// their definitions are in docs/kpis.md.
import type { Command } from 'commander';
import { formatDuration } from '../../core/duration.ts';
import type { KpiReport } from '../../core/kpi.ts';
import type { AlwaysOnReport } from '../../core/usage-pattern.ts';
import { contextOf } from '../context.ts';
import { emit, table, when } from '../output.ts';

const WEEKDAY_NAMES = ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** ISO weekdays as people read them: [1,2,3,4,5] → "Mon-Fri", [1,3,6,7] → "Mon, Wed, Sat-Sun". */
export function weekdayText(days: readonly number[]): string {
  const runs: number[][] = [];
  for (const day of days) {
    const run = runs.at(-1);
    if (run !== undefined && run.at(-1) === day - 1) run.push(day);
    else runs.push([day]);
  }
  return runs.map((run) => (run.length === 1 ? WEEKDAY_NAMES[run[0]!] : `${WEEKDAY_NAMES[run[0]!]}-${WEEKDAY_NAMES[run.at(-1)!]}`)).join(', ');
}

/** The report as text: what was measured, then the table (or a line saying there is nobody). */
export function alwaysOnText(report: AlwaysOnReport): string {
  const p = report.parameters;
  const lines = [
    `Always-on candidates from ${when(report.period.since)} to ${when(report.period.until)}: ${report.workingDays} working days (${weekdayText(p.workdays)}, ${p.timeZone}); ` +
      `active = at least ${p.minHoursPerDay}h held that day; candidate = active on at least ${Math.round(p.minDayShare * 100)}% of them.`,
  ];
  lines.push(
    report.candidates.length === 0
      ? 'No always-on candidates.'
      : table(
          ['PRINCIPAL', 'ROLE', 'ACTIVE DAYS', 'SHARE', 'AVG H/DAY', 'LEASES'],
          report.candidates.map((c) => [c.principal, c.role, `${c.activeDays}/${c.workingDays}`, `${Math.round(c.dayShare * 100)}%`, c.averageHoursPerActiveDay.toFixed(1), String(c.leases)]),
        ),
  );
  return lines.join('\n');
}

/** A percentage with one decimal, or n/a. */
function pct(value: number | null): string {
  return value === null ? 'n/a' : `${value.toFixed(1)}%`;
}

const ms = (value: number | null): string => (value === null ? 'n/a' : formatDuration(value));
const indent = (text: string): string => text.replace(/^/gm, '  ');

/** The KPI report as text: one block per KPI, then the top roles and the always-on count. */
export function kpiText(report: KpiReport): string {
  const s = report.standingAccess;
  const u = report.utilization;
  const r = report.revocation;
  const lines = [`KPIs from ${when(report.period.since)} to ${when(report.period.until)} (definitions: docs/kpis.md)`, ''];
  lines.push(
    s.reductionPercent === null ? 'Standing access reduction: n/a (no standing access at first inventory)' : `Standing access reduction: ${pct(s.reductionPercent)}`,
    `  holders without a lease: ${s.baseline} at first inventory, ${s.current} now`,
  );
  lines.push(
    `JIT utilization: ${pct(u.utilizationPercent)}`,
    `  ${u.jitGrants} grant${u.jitGrants === 1 ? '' : 's'} through jitd, ${u.standingHolders} standing holder${u.standingHolders === 1 ? '' : 's'} (the most the reconciler saw per role)`,
  );
  lines.push(
    'Approval time, request to grant:',
    indent(
      table(
        ['MODE', 'GRANTS', 'MEDIAN', 'P90'],
        (['auto', 'manual', 'break_glass'] as const).map((mode) => {
          const a = report.approvalTime[mode];
          return [mode, String(a.count), ms(a.medianMs), ms(a.p90Ms)];
        }),
      ),
    ),
  );
  lines.push(
    `Revocation at expiry: ${r.total} lease${r.total === 1 ? '' : 's'}`,
    indent(
      table(
        ['OUTCOME', 'LEASES', 'SHARE'],
        [
          ['first try', String(r.firstTry), pct(r.firstTryPercent)],
          ['within 1s', String(r.within1s), pct(r.within1sPercent)],
          ['within 1m', String(r.within1m), pct(r.within1mPercent)],
          ['still failing', String(r.stillFailing), pct(r.stillFailingPercent)],
        ],
      ),
    ),
  );
  lines.push(
    report.topRoles.length === 0
      ? 'Top requested roles: none'
      : `Top requested roles:\n${indent(table(['ROLE', 'REQUESTS'], report.topRoles.map((t) => [t.role, String(t.requests)])))}`,
  );
  lines.push(`Always-on candidates: ${report.alwaysOnCandidates} (jitd report always-on lists them)`);
  return lines.join('\n');
}

interface AlwaysOnFlags {
  since?: string;
  timeZone?: string;
  workdays?: string;
  minHours?: string;
  minDayShare?: string;
}

export function registerReportCommands(program: Command): void {
  const report = program
    .command('report')
    .description('reports computed from the lease history, for admins and auditors (always-on: use that looks like standing access; kpi: the four KPIs)');
  report
    .command('always-on')
    .description('principals who held a role on most working days for most of the day (definition: docs/reports.md)')
    .option('--since <duration>', 'how far back the period starts, e.g. 7d, 30d (default 30d, at most 366d)')
    .option('--time-zone <zone>', 'IANA time zone whose calendar days count, e.g. Europe/Berlin (default UTC)')
    .option('--workdays <days>', 'comma-separated ISO weekdays, 1 = Monday … 7 = Sunday (default 1,2,3,4,5)')
    .option('--min-hours <hours>', 'hours held for a working day to count as active (default 4)')
    .option('--min-day-share <share>', 'share of working days that must be active, 0 to 1 (default 0.6)')
    .action(async (opts: AlwaysOnFlags, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<AlwaysOnReport>('/v1/reports/always-on', {
        since: opts.since,
        timeZone: opts.timeZone,
        workdays: opts.workdays,
        minHours: opts.minHours,
        minDayShare: opts.minDayShare,
      });
      emit(format, body, () => alwaysOnText(body));
    });
  report
    .command('kpi')
    .description('standing access reduction, JIT utilization, approval time and revocation success (definitions: docs/kpis.md)')
    .option('--since <duration>', 'how far back the period starts, e.g. 7d, 30d (default 30d, at most 366d)')
    .action(async (opts: { since?: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<KpiReport>('/v1/reports/kpi', { since: opts.since });
      emit(format, body, () => kpiText(body));
    });
}
