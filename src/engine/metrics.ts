// Prometheus metrics. Counters and histograms are fed by the engine as things happen; lease gauges are
// read from the store at scrape time, so they are true even right after a restart.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LeaseCounts } from '../store/store.ts';

export interface EngineMetrics {
  readonly registry: Registry;
  readonly grants: Counter<'role' | 'outcome'>;
  readonly revocations: Counter<'role' | 'outcome'>;
  readonly grantLatency: Histogram<'role'>;
  readonly revocationLag: Histogram<'role'>;
  readonly standingHolders: Gauge<'role'>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createEngineMetrics(readCounts: () => Promise<LeaseCounts>): EngineMetrics {
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
