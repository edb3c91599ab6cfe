// A KPI's series drawn over time with uPlot. The chart is one image to assistive technology (role="img",
// labelled with what it shows); the numbers themselves are in the "Show as table" next to it. Lines differ
// by dash pattern as well as colour, and the legend names them in text.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartData, chartSummary, type ChartLine } from './kpi-series.ts';

/** Colours with at least 3:1 contrast on white (WCAG 1.4.11), and a dash pattern each. */
const LOOKS: readonly { readonly stroke: string; readonly dash: number[] }[] = [
  { stroke: '#0b57b0', dash: [] },
  { stroke: '#a4161a', dash: [8, 4] },
  { stroke: '#1b6b36', dash: [2, 3] },
];
const INK = '#1b1f24';
const GRID = '#d5dbe2';
const HEIGHT = 180;

export interface KpiChartProps {
  /** What is drawn, e.g. "Standing holders"; starts the chart's spoken summary. */
  readonly what: string;
  readonly days: readonly string[];
  readonly lines: readonly ChartLine[];
  /** How a value is written in the summary, e.g. as a percentage. */
  readonly show?: (value: number) => string;
  /** The y axis' label, e.g. "%" or "seconds". */
  readonly unit: string;
  /** A fixed y range, e.g. [0, 100] for percentages. */
  readonly range?: [number, number];
}

export function KpiChart({ what, days, lines, show, unit, range }: KpiChartProps) {
  const box = useRef<HTMLDivElement>(null);
  // Redraw only when the numbers change, not on every render of the page around it.
  const key = JSON.stringify([days, lines, unit, range]);
  useEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const width = () => Math.max(160, Math.floor(element.clientWidth));
    const chart = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        legend: { show: false },
        // Room for the newest day's point at the right edge and the top value's label.
        padding: [10, 24, 0, 0],
        // Hover read-outs are mouse-only; the table carries the exact numbers for everyone.
        cursor: { show: false },
        // The series are UTC days: label them as such, whatever the reader's zone.
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: { x: { time: true }, y: range ? { range } : {} },
        axes: [
          { stroke: INK, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 } },
          { stroke: INK, grid: { stroke: GRID, width: 1 }, ticks: { stroke: GRID, width: 1 }, label: unit, labelSize: 20, size: 44 },
        ],
        series: [
          {},
          ...lines.map((line, i) => {
            const look = LOOKS[i % LOOKS.length]!;
            return { label: line.label, stroke: look.stroke, dash: look.dash, width: 2, points: { show: true, size: 5, stroke: look.stroke, fill: look.stroke } };
          }),
        ],
      },
      chartData(days, lines),
      element,
    );
    const observer = new ResizeObserver(() => chart.setSize({ width: width(), height: HEIGHT }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [key]);

  return (
    <div class="kpi-figure">
      <div ref={box} class="kpi-chart" role="img" aria-label={chartSummary(what, days, lines, show)} />
      {lines.length > 1 ? (
        // The chart's label already names the lines for assistive technology; this is the sighted key.
        <ul class="kpi-legend" aria-hidden="true">
          {lines.map((line, i) => (
            <li key={line.label}>
              <span class={`kpi-swatch kpi-swatch--${i % LOOKS.length}`} />
              {line.label}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
