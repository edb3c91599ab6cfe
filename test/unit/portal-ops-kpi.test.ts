// The KPI page's pure parts: series as chart data and the sentence that describes a chart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chartData, chartSummary, countOf, dayToUnixSeconds, msToSeconds } from '../../portal/src/components/kpi-series.ts';

test('a UTC day becomes the Unix seconds of its start', () => {
  assert.equal(dayToUnixSeconds('1970-01-02'), 86_400);
  assert.equal(dayToUnixSeconds('2026-11-24'), Date.UTC(2026, 10, 24) / 1000);
});

test('chart data is the days, then one array per line, gaps kept as null', () => {
  assert.deepEqual(chartData(['1970-01-01', '1970-01-02'], [{ label: 'a', values: [1, null] }, { label: 'b', values: [null, 2] }]), [
    [0, 86_400],
    [1, null],
    [null, 2],
  ]);
});

test("a chart's description names the span and, per line, the first, last and highest value", () => {
  const days = ['2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20'];
  assert.equal(
    chartSummary('Standing holders', days, [{ label: 'Standing holders', values: [null, 9, 10, 3] }]),
    'Standing holders per UTC day, 2026-11-17 to 2026-11-20. Standing holders: 9 on 2026-11-18, 3 on 2026-11-20, highest 10.',
  );
  assert.equal(
    chartSummary('JIT utilization', days, [{ label: 'Utilization', values: [null, null, 50, null] }], (v) => `${v}%`),
    'JIT utilization per UTC day, 2026-11-17 to 2026-11-20. Utilization: 50% on 2026-11-19.',
  );
  assert.equal(chartSummary('Waits', ['2026-11-24'], [{ label: 'Manual', values: [null] }]), 'Waits per UTC day, 2026-11-24. Manual: no data.');
  assert.equal(chartSummary('Waits', [], []), 'Waits per UTC day, no days.');
});

test('waits are charted in seconds and counts read "n of total"', () => {
  assert.equal(msToSeconds(1500), 1.5);
  assert.equal(msToSeconds(null), null);
  assert.equal(countOf(19, 20), '19 of 20');
});
