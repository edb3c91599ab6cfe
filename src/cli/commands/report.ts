// jitd report: figures computed from the lease history (admins and auditors). `always-on` lists principals whose
// use of a role looks like standing access; the definition is in docs/reports.md.
import type { Command } from 'commander';
import type { AlwaysOnReportResult } from '../../engine/usage-report.ts';
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
export function alwaysOnText(report: AlwaysOnReportResult): string {
  const p = report.parameters;
  const lines = [
    `Always-on candidates from ${when(report.period.since)} to ${when(report.period.until)}: ${report.workingDays} working days (${weekdayText(p.workdays)}, ${p.timeZone}); ` +
      `active = at least ${p.minHoursPerDay}h held that day; candidate = active on at least ${Math.round(p.minDayShare * 100)}% of them.`,
  ];
  if (report.truncated) {
    lines.push(`Incomplete: more leases than one read returns for ${report.truncatedRoles.join(', ')}; the oldest were left out (try a shorter --since).`);
  }
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
    .description('reports computed from the lease history, for admins and auditors (always-on: use that looks like standing access)');
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
      const body = await client.get<AlwaysOnReportResult>('/v1/reports/always-on', {
        since: opts.since,
        timeZone: opts.timeZone,
        workdays: opts.workdays,
        minHours: opts.minHours,
        minDayShare: opts.minDayShare,
      });
      emit(format, body, () => alwaysOnText(body));
    });
}
