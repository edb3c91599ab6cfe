// One KPI: its figures, the one-sentence definition (docs/kpis.md), a chart over the period and the same
// numbers as a table for whoever cannot use the chart.
import type { ComponentChildren } from 'preact';

export interface DayTable {
  readonly caption: string;
  /** Column headings after "Day (UTC)". */
  readonly columns: readonly string[];
  readonly rows: readonly { readonly day: string; readonly cells: readonly string[] }[];
}

export function KpiDayTable({ id, table }: { readonly id: string; readonly table: DayTable }) {
  // Focusable so that keyboard users can scroll it on a narrow screen (it has no links of its own).
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-labelledby={`${id}-caption`}>
      <table class="kpi-day-table">
        <caption id={`${id}-caption`}>{table.caption}</caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            {table.columns.map((column) => (
              <th key={column} scope="col" class="num">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row) => (
            <tr key={row.day}>
              <th scope="row">{row.day}</th>
              {row.cells.map((cell, i) => (
                <td key={i} class="num">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface KpiTileProps {
  readonly id: string;
  readonly title: string;
  /** The figures for the whole period. */
  readonly children: ComponentChildren;
  readonly definition: string;
  readonly chart: ComponentChildren;
  readonly table: DayTable;
}

export function KpiTile({ id, title, children, definition, chart, table }: KpiTileProps) {
  return (
    <li class="card kpi-tile" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      {children}
      <p class="kpi-definition">{definition}</p>
      {chart}
      <details class="kpi-table">
        <summary>
          Show as table<span class="visually-hidden">: {title.toLowerCase()} per day</span>
        </summary>
        <KpiDayTable id={`${id}-table`} table={table} />
      </details>
    </li>
  );
}
