// A KPI's `series` (one entry per UTC day, docs/kpis.md) as chart data, and the sentence that says what the
// chart shows to those who cannot see it. Pure, unit-tested in Node.

/** One line of a chart: a value per day, null where the day has none (drawn as a gap). */
export interface ChartLine {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

/** "2026-11-24" as the Unix seconds of that day's start in UTC (uPlot's time axis counts seconds). */
export function dayToUnixSeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

/** uPlot's data: the days, then one array of values per line. */
export function chartData(days: readonly string[], lines: readonly ChartLine[]): [number[], ...(number | null)[][]] {
  return [days.map(dayToUnixSeconds), ...lines.map((line) => [...line.values])];
}

/** Milliseconds as seconds, for charts of waits; null stays null. */
export function msToSeconds(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}

function describeLine(line: ChartLine, days: readonly string[], show: (value: number) => string): string {
  const points = line.values.flatMap((value, i) => (value === null || days[i] === undefined ? [] : [{ value, day: days[i] }]));
  const first = points[0];
  const last = points.at(-1);
  if (!first || !last) return `${line.label}: no data.`;
  if (points.length === 1) return `${line.label}: ${show(first.value)} on ${first.day}.`;
  const highest = Math.max(...points.map((p) => p.value));
  return `${line.label}: ${show(first.value)} on ${first.day}, ${show(last.value)} on ${last.day}, highest ${show(highest)}.`;
}

/**
 * What a chart shows, as one sentence per line: first and last day with data and the highest value, e.g.
 * "Standing holders per UTC day, 2026-11-17 to 2026-11-24. Standing holders: 9 on 2026-11-17, 3 on 2026-11-24, highest 10."
 */
export function chartSummary(what: string, days: readonly string[], lines: readonly ChartLine[], show: (value: number) => string = String): string {
  const span = days.length === 0 ? 'no days' : days.length === 1 ? days[0] : `${days[0]} to ${days.at(-1)}`;
  return [`${what} per UTC day, ${span}.`, ...lines.map((line) => describeLine(line, days, show))].join(' ');
}

/** "19 of 20": a count and what it is out of. */
export function countOf(count: number, total: number): string {
  return `${count} of ${total}`;
}
