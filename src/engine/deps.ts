// What the engine needs from the world, passed in explicitly (time and randomness included) so that
// tests and benchmarks can drive it.
import type { Logger } from 'pino';
import type { RetryPolicy } from '../core/backoff.ts';
import type { ConnectorName, RoleName } from '../core/ids.ts';
import type { Role } from '../core/role.ts';
import type { Connector } from '../connectors/connector.ts';
import type { Store } from '../store/store.ts';
import type { EngineMetrics } from './metrics.ts';
import type { NotificationPlan } from './notification-plan.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface EngineSettings {
  /** How long a worker owns a target operation before another may take it over. */
  readonly claimMs: number;
  readonly retry: RetryPolicy;
  readonly overdueAfterMs: number;
  readonly batchSize: number;
  /** Target operations run at once per scheduler tick. */
  readonly concurrency: number;
}

export interface EngineDeps {
  readonly store: Store;
  readonly connectors: ReadonlyMap<ConnectorName, Connector>;
  readonly roles: ReadonlyMap<RoleName, Role>;
  readonly clock: Clock;
  readonly random: () => number;
  readonly newId: (prefix: string) => string;
  readonly log: Logger;
  readonly metrics: EngineMetrics;
  readonly settings: EngineSettings;
  /** Who is told what (outbox messages committed with each change); nobody when absent. */
  readonly notify?: NotificationPlan;
}
