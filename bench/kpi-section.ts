// The kpi section of `npm run bench`: no servers and no jitd process. The store jitd opens (openSqliteStore, its
// migrations) in a temp folder, filled through the store API with a month of history (bench/kpi-history.ts), then
// the KPI report (src/engine/kpi-report.ts) and the always-on report (src/engine/usage-report.ts) over those 30
// days, each timed over --kpi-runs runs after a warm-up, with the rows they read. Once per --kpi-leases count.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KpiReport } from '../src/core/kpi.ts';
import type { AlwaysOnReport } from '../src/core/usage-pattern.ts';
import { kpiReport } from '../src/engine/kpi-report.ts';
import { alwaysOnReport } from '../src/engine/usage-report.ts';
import { openSqliteStore } from '../src/store/sqlite/open.ts';
import { cleanup, onCleanup } from './cleanup.ts';
import { countingStore, type CountingStore, type ReadCounts } from './counting-store.ts';
import type { ReportMemory } from './kpi-report-memory.ts';
import { ALWAYS_ON_PRINCIPALS, buildHistory, fillStore, HISTORY_DAYS, HISTORY_NOW, historyRoles, PRINCIPALS, type FillResult } from './kpi-history.ts';
import type { BenchOptions } from './options.ts';
import { counter, phase } from './progress.ts';
import { ms, section, type Row, type SectionResult } from './report.ts';
import { round, summarize, type Summary } from './stats.ts';

const PERIOD_MS = HISTORY_DAYS * 86_400_000;
/** Unmeasured runs of each report first: JIT compilation, SQLite's page cache and prepared statements warm up. */
export const KPI_WARMUP_RUNS = 2;

interface TimedReport<R> {
  readonly ms: Summary;
  /** The process's CPU time (user + system) per run: less disturbed than wall time when other work shares the cores. */
  readonly cpuMs: Summary;
  /** What the last run read (every run reads the same). */
  readonly reads: ReadCounts;
  readonly last: R;
}

interface HistoryResult {
  readonly fill: FillResult;
  readonly fillSeconds: number;
  readonly storeMb: number;
  readonly kpi: TimedReport<KpiReport>;
  readonly alwaysOn: TimedReport<AlwaysOnReport>;
  /** Building, filling and measuring this history. */
  readonly seconds: number;
  /** One kpiReport in a fresh process on the same store. */
  readonly memory: ReportMemory;
}

async function timeReport<R>(label: string, counting: CountingStore, runs: number, run: () => Promise<R>): Promise<TimedReport<R>> {
  const total = KPI_WARMUP_RUNS + runs;
  const progress = counter(`${label} (incl. ${KPI_WARMUP_RUNS} warm-up)`, total);
  const samples: number[] = [];
  const cpuSamples: number[] = [];
  let last: R | undefined;
  let reads: ReadCounts | undefined;
  for (let i = 0; i < total; i++) {
    counting.reset();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    last = await run();
    const cpu = process.cpuUsage(cpu0);
    if (i >= KPI_WARMUP_RUNS) {
      samples.push(performance.now() - t0);
      cpuSamples.push((cpu.user + cpu.system) / 1000);
    }
    reads = counting.counts();
    progress.tick(i + 1);
  }
  progress.end();
  return { ms: summarize(samples), cpuMs: summarize(cpuSamples), reads: reads!, last: last! };
}

/** Builds the history and writes it; the history itself is garbage once this returns. */
async function fill(store: Parameters<typeof fillStore>[0], leases: number): Promise<FillResult> {
  const history = buildHistory(leases);
  const progress = counter('leases committed', leases);
  const result = await fillStore(store, history, (done) => progress.tick(done));
  progress.end(`${result.commits} commits; ${result.requests - result.leases} requests without a lease; ${result.counts} reconciler counts`);
  return result;
}

const fileMb = (path: string) => {
  try {
    return statSync(path).size / 1024 ** 2;
  } catch {
    return 0;
  }
};

async function measureHistory(leases: number, options: BenchOptions): Promise<HistoryResult> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'jitd-bench-kpi-'));
  onCleanup(`kpi store folder ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'jitd.sqlite');
  const store = await openSqliteStore(path);
  onCleanup('kpi store', () => store.close());
  const roles = historyRoles();
  phase(`kpi: ${leases} leases over ${HISTORY_DAYS} days (${roles.size} roles, ${PRINCIPALS} principals), written through the store API into ${path}`);
  const t0 = performance.now();
  const filled = await fill(store, leases);
  const fillSeconds = (performance.now() - t0) / 1000;
  const storeMb = fileMb(path) + fileMb(`${path}-wal`);

  const counting = countingStore(store);
  const deps = { store: counting.store, roles, clock: { now: () => HISTORY_NOW } };
  phase(`kpi: kpiReport and alwaysOnReport over the ${HISTORY_DAYS} days, ${KPI_WARMUP_RUNS} warm-up + ${options.kpiRuns} runs each`);
  const kpi = await timeReport('kpiReport', counting, options.kpiRuns, () => kpiReport(deps, { now: HISTORY_NOW, periodMs: PERIOD_MS }));
  const alwaysOn = await timeReport('alwaysOnReport', counting, options.kpiRuns, () => alwaysOnReport(deps, { periodMs: PERIOD_MS }));
  phase('kpi: one kpiReport in a fresh process, for its memory');
  const memory = JSON.parse(execFileSync(process.execPath, [new URL('kpi-report-memory.ts', import.meta.url).pathname, path], { encoding: 'utf8' })) as ReportMemory;
  phase('kpi: closing and removing the store');
  await cleanup();
  return { fill: filled, fillSeconds, storeMb, kpi, alwaysOn, seconds: (performance.now() - started) / 1000, memory };
}

const pair = (s: Summary) => `${ms(s.p50)} / ${ms(s.p90)}`;
const pct = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(1)} %`);
const reads = (r: ReadCounts) => `${r.totalRows} rows in ${Object.values(r.calls).reduce((a, b) => a + b, 0)} reads`;

function rows(results: readonly HistoryResult[], options: BenchOptions): Row[] {
  return results.flatMap((r) => {
    const k = r.kpi.last;
    const n = r.fill.leases;
    return [
      section(`KPI report: ${n} leases over ${HISTORY_DAYS} days, ${historyRoles().size} roles, ${PRINCIPALS} principals (SQLite, ${options.kpiRuns} runs)`),
      { figure: 'fill through the store API (requests + leases, reconciler counts)', value: `${r.fillSeconds.toFixed(2)} s` },
      { figure: 'store file size (database + WAL)', value: `${r.storeMb.toFixed(1)} MB` },
      { figure: `kpiReport, ${HISTORY_DAYS}-day period, median / p90`, value: pair(r.kpi.ms) },
      { figure: 'kpiReport CPU time, median / p90', value: pair(r.kpi.cpuMs) },
      { figure: 'kpiReport reads (leases, requests, counts, always-on)', value: reads(r.kpi.reads) },
      { figure: 'distinct leases kpiReport read', value: `${r.kpi.reads.distinctLeases}/${n}`, target: 'all', met: r.kpi.reads.distinctLeases === n },
      { figure: `alwaysOnReport, ${HISTORY_DAYS}-day period, median / p90`, value: pair(r.alwaysOn.ms) },
      { figure: 'alwaysOnReport CPU time, median / p90', value: pair(r.alwaysOn.cpuMs) },
      { figure: 'alwaysOnReport reads (leases of each role, page by page)', value: reads(r.alwaysOn.reads) },
      { figure: 'distinct leases alwaysOnReport read', value: `${r.alwaysOn.reads.distinctLeases}/${n}`, target: 'all', met: r.alwaysOn.reads.distinctLeases === n },
      { figure: `always-on candidates (${ALWAYS_ON_PRINCIPALS} principals seeded as always on)`, value: String(r.alwaysOn.last.candidates.length) },
      { figure: 'KPIs: standing reduction, utilization, first-try revocations', value: `${pct(k.standingAccess.reductionPercent)}, ${pct(k.utilization.utilizationPercent)}, ${pct(k.revocation.firstTryPercent)}` },
      { figure: 'one kpiReport in a fresh process: RSS with the store open → peak', value: `${r.memory.openedRssMb.toFixed(1)} → ${r.memory.peakRssMb.toFixed(1)} MB` },
      { figure: 'this history: build, fill and measure', value: `${r.seconds.toFixed(1)} s` },
    ];
  });
}

function json(results: readonly HistoryResult[], options: BenchOptions) {
  return {
    period_days: HISTORY_DAYS,
    roles: historyRoles().size,
    principals: PRINCIPALS,
    warmup_runs: KPI_WARMUP_RUNS,
    runs: options.kpiRuns,
    histories: results.map((r) => ({
      leases: r.fill.leases,
      requests: r.fill.requests,
      standing_access_counts: r.fill.counts,
      commits: r.fill.commits,
      fill_s: round(r.fillSeconds, 2),
      store_mb: round(r.storeMb, 1),
      kpi_report_ms: r.kpi.ms,
      kpi_report_cpu_ms: r.kpi.cpuMs,
      kpi_report_reads: r.kpi.reads,
      always_on_report_ms: r.alwaysOn.ms,
      always_on_report_cpu_ms: r.alwaysOn.cpuMs,
      always_on_report_reads: r.alwaysOn.reads,
      always_on_candidates: r.alwaysOn.last.candidates.length,
      kpis: {
        standing_access_reduction_percent: r.kpi.last.standingAccess.reductionPercent,
        jit_utilization_percent: r.kpi.last.utilization.utilizationPercent,
        jit_grants: r.kpi.last.utilization.jitGrants,
        approval_median_ms: { auto: r.kpi.last.approvalTime.auto.medianMs, manual: r.kpi.last.approvalTime.manual.medianMs, break_glass: r.kpi.last.approvalTime.break_glass.medianMs },
        revocations: { total: r.kpi.last.revocation.total, first_try: r.kpi.last.revocation.firstTry, within_1s: r.kpi.last.revocation.within1s, within_1m: r.kpi.last.revocation.within1m, still_failing: r.kpi.last.revocation.stillFailing },
      },
      kpi_report_fresh_process_rss_mb: { opened: round(r.memory.openedRssMb, 1), peak: round(r.memory.peakRssMb, 1) },
      seconds: round(r.seconds, 1),
    })),
  };
}

/** Runs the kpi section once per --kpi-leases count, smallest first; each store is removed before the next. */
export async function runKpiSection(options: BenchOptions): Promise<SectionResult<ReturnType<typeof json>>> {
  const results: HistoryResult[] = [];
  for (const leases of [...options.kpiLeases].sort((a, b) => a - b)) results.push(await measureHistory(leases, options));
  return { rows: rows(results, options), json: json(results, options) };
}
