// The composition root: from a validated config to a running jitd (store, connectors, engine, scheduler,
// reconciler, HTTP API). `jitd serve`, the demo, the end-to-end tests and the benchmark all start jitd here.
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { Authenticator } from '../api/auth.ts';
import { buildServer } from '../api/server.ts';
import { resolveSecret } from '../config/secrets.ts';
import type { JitdConfig } from '../config/types.ts';
import type { ConnectorName, RoleName } from '../core/ids.ts';
import type { Role } from '../core/role.ts';
import type { Connector } from '../connectors/connector.ts';
import { sessionRecordings } from '../engine/session-recordings.ts';
import { ApprovalDesk } from '../engine/approvals.ts';
import { LeaseDesk } from '../engine/lease-changes.ts';
import { kpiReport, METRICS_KPI_PERIOD_MS } from '../engine/kpi-report.ts';
import { notificationPlan } from '../engine/notification-plan.ts';
import { Notifier } from '../engine/notifier.ts';
import { notificationChannels } from './notification-channels.ts';
import { createConnector, type SecretResolver } from '../connectors/registry.ts';
import { storeMemo } from './store-memo.ts';
import { Broker } from '../engine/broker.ts';
import { systemClock, type Clock, type EngineDeps } from '../engine/deps.ts';
import { newId } from '../engine/ids.ts';
import { createEngineMetrics } from '../engine/metrics.ts';
import { Reconciler } from '../engine/reconciler.ts';
import { Scheduler } from '../engine/scheduler.ts';
import { openSqliteStore } from '../store/sqlite/open.ts';
import { createOidcService, type OidcService } from '../identity/oidc-service.ts';
import type { OidcConfig } from '../config/types.ts';

export const JITD_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface RunningJitd {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly deps: EngineDeps;
  readonly broker: Broker;
  readonly scheduler: Scheduler;
  readonly reconciler: Reconciler;
  readonly notifier: Notifier;
  /** Stops accepting requests, lets the scheduler finish its tick, closes connectors and the store. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly log?: Logger;
  readonly clock?: Clock;
  readonly env?: NodeJS.ProcessEnv;
  /** Start the scheduler and reconciler loops (default true; benchmarks and tests may drive ticks). */
  readonly background?: boolean;
}

/** The OIDC sign-in service for identities.oidc, with the web client's secret read now (a missing secret stops the start). */
async function oidcService(oidc: OidcConfig, secrets: SecretResolver, log: Logger): Promise<OidcService> {
  const clientSecret = oidc.clientSecret === undefined ? undefined : await secrets(oidc.clientSecret).catch((err: unknown) => {
    throw new Error(`identities.oidc.clientSecret: ${(err as Error).message}`, { cause: err });
  });
  return createOidcService({
    settings: {
      issuer: oidc.issuer,
      clientId: oidc.clientId,
      ...(clientSecret === undefined ? {} : { clientSecret }),
      groupsClaim: oidc.groupsClaim,
      displayNameClaim: oidc.displayNameClaim,
      emailClaim: oidc.emailClaim,
      scopes: oidc.scopes,
      allowInsecureHttp: oidc.allowInsecureHttp,
    },
    ...(oidc.cliClientId === undefined ? {} : { cliClientId: oidc.cliClientId }),
    sessionDurationMs: oidc.sessionDurationMs,
    log,
  });
}

export async function startJitd(config: JitdConfig, options: StartOptions = {}): Promise<RunningJitd> {
  const log = options.log ?? pino({ level: config.log.level, base: { service: 'jitd' } });
  const clock = options.clock ?? systemClock;
  await mkdir(dirname(config.store.path), { recursive: true, mode: 0o700 });
  // Secrets in the config are relative to its folder; each is read once, at start.
  const secrets: SecretResolver = (ref) => resolveSecret(ref, dirname(config.source), options.env ?? process.env);
  const oidc = config.identities.oidc === undefined ? undefined : await oidcService(config.identities.oidc, secrets, log);
  const channels = await notificationChannels(config.notifications, secrets);
  const store = await openSqliteStore(config.store.path);
  const connectors = new Map<ConnectorName, Connector>();
  try {
    for (const [name, connectorConfig] of config.connectors) {
      const memo = await storeMemo(store, name, clock);
      connectors.set(name, await createConnector(name, connectorConfig, {
          resolveSecret: secrets,
          memo,
          dataDir: config.dataDir,
          publicUrl: config.server.publicUrl,
          sessionRecordingLimitBytes: config.server.sessionRecordingLimitBytes,
        }));
    }
  } catch (error) {
    await Promise.allSettled([...connectors.values()].map((c) => c.close()));
    await store.close();
    throw error;
  }
  for (const [name, connector] of connectors) {
    // What the target supports (e.g. AD's time-bound membership) decides how grants are made; a target that
    // is down now is asked again on first use, so this only logs.
    connector
      .prepare?.()
      .then(() => log.info({ connector: name, capabilities: connector.capabilities }, 'connector ready'))
      .catch((err: unknown) => log.warn({ connector: name, err: (err as Error).message }, 'could not ask the target what it supports yet'));
  }
  const roles = new Map<RoleName, Role>(config.roles.map((role) => [role.name, role]));
  const metrics = createEngineMetrics(
    () => store.countLeases(clock.now(), config.scheduler.overdueAfterMs),
    () => kpiReport({ store, roles }, { now: clock.now(), periodMs: METRICS_KPI_PERIOD_MS }),
  );
  const deps: EngineDeps = {
    store,
    connectors,
    roles,
    clock,
    random: Math.random,
    newId,
    log,
    metrics,
    settings: {
      claimMs: config.scheduler.grantTimeoutMs,
      retry: config.scheduler.retry,
      overdueAfterMs: config.scheduler.overdueAfterMs,
      batchSize: config.scheduler.batchSize,
      concurrency: 16,
    },
    notify: notificationPlan({ store, connectors, newId }, { config: config.notifications, publicUrl: config.server.publicUrl, identities: config.identities.tokens }),
  };
  const broker = new Broker(deps);
  const notifier = new Notifier(deps, channels, { pollIntervalMs: config.notifications.pollIntervalMs, retry: config.notifications.retry });
  const scheduler = new Scheduler(deps, config.scheduler.pollIntervalMs);
  const reconciler = new Reconciler(deps, config.reconciler.intervalMs);
  const app = buildServer({
    broker,
    reconciler,
    store,
    clock,
    overdueAfterMs: config.scheduler.overdueAfterMs,
    authenticator: new Authenticator({ tokens: config.identities.tokens, authorization: config.authorization, store, clock, log }),
    identity: { newId, publicUrl: config.server.publicUrl, ...(oidc === undefined ? {} : { oidc }) },
    metrics,
    log,
    bodyLimitBytes: config.server.bodyLimitBytes,
    sessions: sessionRecordings(broker),
    approvals: new ApprovalDesk(broker),
    leases: new LeaseDesk(broker),
    sessionRecordingLimitBytes: config.server.sessionRecordingLimitBytes,
    ...(config.server.tls ? { tls: config.server.tls } : {}),
    version: JITD_VERSION,
  });
  await app.listen({ host: config.server.host, port: config.server.port });
  // In the background: an unreachable provider must not keep jitd from serving config and stored tokens.
  oidc?.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `${config.server.tls ? 'https' : 'http'}://${host}:${port}`;
  if (options.background !== false) {
    scheduler.start();
    notifier.start();
    if (config.reconciler.enabled) reconciler.start();
  }
  log.info({ url, version: JITD_VERSION, roles: config.roles.length, connectors: connectors.size, store: config.store.path }, 'jitd started');

  let closing: Promise<void> | undefined;
  return {
    url,
    app,
    deps,
    broker,
    scheduler,
    reconciler,
    notifier,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await scheduler.stop();
        await notifier.stop();
        channels.close();
        await reconciler.stop();
        await Promise.allSettled([...connectors.values()].map((c) => c.close()));
        await store.close();
        log.info('jitd stopped');
      })()),
  };
}
