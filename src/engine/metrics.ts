// Prometheus metrics. Counters and histograms are fed by the engine as things happen; lease gauges are
// read from the store at scrape time, so they are true even right after a restart.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { KpiReport } from '../core/kpi.ts';
import type { LeaseCounts } from '../store/store.ts';
import { kpiGaugeValues, type KpiGaugeValues } from './kpi-report.ts';

export interface EngineMetrics {
  readonly registry: Registry;
  readonly grants: Counter<'role' | 'outcome'>;
  readonly revocations: Counter<'role' | 'outcome'>;
  readonly grantLatency: Histogram<'role'>;
  readonly revocationLag: Histogram<'role'>;
  readonly standingHolders: Gauge<'role'>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** KPIs over 30 days are a heavier read than the counts: one report serves the scrapes of this long. */
const KPI_CACHE_MS = 60_000;

export function createEngineMetrics(readCounts: () => Promise<LeaseCounts>, readKpis?: () => Promise<KpiReport>): EngineMetrics {
  const registry = new Registry();
  // prom-client collects all metrics of a scrape concurrently, so each gauge reads the counts itself; the
  // reads of one scrape share one store query. (Setting one gauge from another's collect raced: it showed
  // the previous scrape's value.)
  let inFlight: Promise<LeaseCounts> | undefined;
  const counts = () =>
    (inFlight ??= readCounts().finally(() => {
      inFlight = undefined;
    }));
  new Gauge({
    name: 'jitd_leases',
    help: 'Leases by state',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      for (const [state, count] of Object.entries((await counts()).byState)) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'jitd_revocations_overdue',
    help: 'Revocations not confirmed within scheduler.overdueAfter of being due',
    registers: [registry],
    async collect() {
      this.set((await counts()).overdueRevocations);
    },
  });
  new Gauge({
    name: 'jitd_breakglass_unreviewed',
    help: 'Break-glass leases nobody has reviewed yet',
    registers: [registry],
    async collect() {
      this.set((await counts()).unreviewedBreakGlass);
    },
  });
  if (readKpis) registerKpiGauges(registry, readKpis);
  return {
    registry,
    grants: new Counter({ name: 'jitd_grants_total', help: 'Grant attempts by outcome (granted, failed)', labelNames: ['role', 'outcome'] as const, registers: [registry] }),
    revocations: new Counter({
      name: 'jitd_revocations_total',
      help: 'Revocation attempts by outcome (revoked, failed)',
      labelNames: ['role', 'outcome'] as const,
      registers: [registry],
    }),
    grantLatency: new Histogram({
      name: 'jitd_grant_latency_seconds',
      help: 'From request to grant confirmed in the target',
      labelNames: ['role'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    revocationLag: new Histogram({
      name: 'jitd_revocation_lag_seconds',
      help: 'From lease expiry to revocation confirmed in the target',
      labelNames: ['role'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    standingHolders: new Gauge({
      name: 'jitd_standing_access_holders',
      help: 'Holders of a managed target without a lease, as last seen by the reconciler',
      labelNames: ['role'] as const,
      registers: [registry],
    }),
  };
}

/** The four KPIs as gauges (docs/kpis.md#in-metrics), from one report shared by the gauges for KPI_CACHE_MS. */
function registerKpiGauges(registry: Registry, readKpis: () => Promise<KpiReport>): void {
  let cached: { at: number; values: Promise<KpiGaugeValues> } | undefined;
  const kpis = (): Promise<KpiGaugeValues> => {
    if (!cached || Date.now() - cached.at >= KPI_CACHE_MS) {
      const values = readKpis().then(kpiGaugeValues);
      // A failed read is not kept: the next scrape tries again.
      values.catch(() => {
        cached = undefined;
      });
      cached = { at: Date.now(), values };
    }
    return cached.values;
  };
  new Gauge({
    name: 'jitd_kpi_standing_access_reduction_percent',
    help: 'Holders of managed targets without a lease, now versus at the first inventory, as a percentage reduction (NaN: none at the first inventory)',
    registers: [registry],
    async collect() {
      this.set((await kpis()).standingAccessReductionPercent);
    },
  });
  new Gauge({
    name: 'jitd_kpi_jit_utilization_percent',
    help: 'Grants through jitd in the last 30 days, as a percentage of those grants plus the standing holders the reconciler saw (NaN: neither)',
    registers: [registry],
    async collect() {
      this.set((await kpis()).jitUtilizationPercent);
    },
  });
  new Gauge({
    name: 'jitd_kpi_approval_seconds',
    help: 'From request (or scheduled start) to grant over the last 30 days, nearest-rank median and p90 by approval mode (absent: no grants)',
    labelNames: ['mode', 'quantile'] as const,
    registers: [registry],
    async collect() {
      const values = await kpis();
      this.reset();
      for (const sample of values.approvalSeconds) this.set(sample.labels, sample.value);
    },
  });
  new Gauge({
    name: 'jitd_kpi_revocations',
    help: 'Leases that reached their expiry in the last 30 days, by outcome: first_try, within_1s, within_1m (cumulative), still_failing, total',
    labelNames: ['outcome'] as const,
    registers: [registry],
    async collect() {
      for (const sample of (await kpis()).revocations) this.set(sample.labels, sample.value);
    },
  });
}
