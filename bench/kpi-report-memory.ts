// Run as a child process by the kpi section: opens a filled store in a fresh process, runs one KPI report, and prints
// the process's RSS before and at its peak as JSON. A fresh process, because the benchmark's own RSS also holds the
// history it built and every earlier run; this is closer to what one report costs `jitd serve` (its /metrics gauges
// compute one a minute).
import { kpiReport } from '../src/engine/kpi-report.ts';
import { openSqliteStore } from '../src/store/sqlite/open.ts';
import { HISTORY_DAYS, HISTORY_NOW, historyRoles } from './kpi-history.ts';

export interface ReportMemory {
  /** After opening the store, before the report. */
  readonly openedRssMb: number;
  /** The process's peak (VmHWM), reached during the report. */
  readonly peakRssMb: number;
}

const path = process.argv[2];
if (path === undefined) throw new Error('usage: kpi-report-memory.ts STORE_PATH');
const store = await openSqliteStore(path);
const openedRssMb = process.memoryUsage().rss / 1024 ** 2;
await kpiReport({ store, roles: historyRoles() }, { now: HISTORY_NOW, periodMs: HISTORY_DAYS * 86_400_000 });
const result: ReportMemory = { openedRssMb, peakRssMb: process.resourceUsage().maxRSS / 1024 };
await store.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
