// Running a lease's target operation and recording its outcome. Each operation is a checked change: after
// the connector reports success, the target is read back, and only a read-back that agrees counts.
import type { AuditEventDraft } from '../core/audit-event.ts';
import { ConflictError } from '../core/errors.ts';
import { confirmGrant, confirmRevocation, failGrant, failRevocation, type Lease } from '../core/lease.ts';
import type { OutboxMessage } from '../core/outbox.ts';
import type { AccessRequest } from '../core/request.ts';
import { ConnectorError, type Connector } from '../connectors/connector.ts';
import type { EngineDeps } from './deps.ts';
import { record } from './record.ts';

export function connectorFor(deps: Pick<EngineDeps, 'connectors'>, lease: Pick<Lease, 'connector'>): Connector {
  const connector = deps.connectors.get(lease.connector);
  if (!connector) {
    // The lease names a connector that is no longer configured: nothing can act on it.
    throw new ConnectorError(lease.connector, `connector ${lease.connector} is not configured; its leases cannot be changed`, { retryable: true });
  }
  return connector;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type GrantOutcome = { readonly ok: true; readonly request: AccessRequest; readonly lease: Lease } | { readonly ok: false; readonly request: AccessRequest; readonly lease: Lease; readonly error: unknown };

/** Grants in the target, reads back, and commits `active` — or `grant_failed` → revoking when anything fails. */
export async function runGrant(deps: EngineDeps, request: AccessRequest, lease: Lease): Promise<GrantOutcome> {
  try {
    const connector = connectorFor(deps, lease);
    const result = await connector.grant({
      principal: lease.principal,
      target: lease.target,
      leaseId: lease.id,
      expiresAt: lease.expiresAt,
      ...(request.grantInput ? { input: request.grantInput } : {}),
    });
    const grantedAt = deps.clock.now();
    if (!(await connector.holds({ principal: lease.principal, target: lease.target, ...(result?.record ? { record: result.record } : {}) }))) {
      throw new ConnectorError(lease.connector, 'the grant reported success but reading the target back does not show it', { retryable: true });
    }
    const t = confirmGrant(request, lease, {
      grantedAt,
      confirmedAt: deps.clock.now(),
      ...(result?.record ? { record: result.record } : {}),
      ...(result?.audit ? { audit: result.audit } : {}),
      ...(result?.endsAt ? { endsAt: result.endsAt } : {}),
    });
    await record(deps, { updateRequests: [t.request], updateLeases: [t.lease], events: t.events });
    deps.metrics.grants.inc({ role: lease.role, outcome: 'granted' });
    deps.metrics.grantLatency.observe({ role: lease.role }, (t.lease.grantConfirmedAt!.getTime() - lease.requestedAt.getTime()) / 1000);
    return { ok: true, request: t.request, lease: t.lease };
  } catch (error) {
    if (error instanceof ConflictError) throw error;
    deps.metrics.grants.inc({ role: lease.role, outcome: 'failed' });
    const now = deps.clock.now();
    const t = failGrant(request, lease, describeError(error), now, new Date(now.getTime() + deps.settings.claimMs));
    await record(deps, { updateRequests: [t.request], updateLeases: [t.lease], events: t.events });
    return { ok: false, request: t.request, lease: t.lease, error };
  }
}

/**
 * Grants, and when the grant fails, cleans up at once (the target may have applied part of it); the scheduler
 * retries a cleanup that does not commit. The caller learns why the grant failed, not how the cleanup went.
 */
export async function grantOrCleanUp(deps: EngineDeps, request: AccessRequest, lease: Lease): Promise<GrantOutcome> {
  const outcome = await runGrant(deps, request, lease);
  if (!outcome.ok) {
    await runRevocation(deps, outcome.lease).catch((error: unknown) =>
      deps.log.warn({ leaseId: outcome.lease.id, error: describeError(error) }, 'cleanup after a failed grant did not commit; the scheduler will finish it'),
    );
  }
  return outcome;
}

export interface RevocationOutcome {
  readonly lease: Lease;
  readonly events: readonly AuditEventDraft[];
  /** The security contacts' warning, on a lease's first failed attempt (the lease shows the later ones). */
  readonly outbox: readonly OutboxMessage[];
}

/**
 * Takes access away in the target and reads back; returns the lease as `revoked`, or `revoke_failed` with the
 * error and the time of the next attempt — not yet committed, so that a caller with many can commit them
 * together. Never throws for target problems: they are recorded on the lease.
 */
export async function attemptRevocation(deps: EngineDeps, lease: Lease): Promise<RevocationOutcome> {
  const ref = { principal: lease.principal, target: lease.target, ...(lease.grantRecord ? { record: lease.grantRecord } : {}) };
  try {
    const connector = connectorFor(deps, lease);
    await connector.revoke(ref);
    const revokedAt = deps.clock.now();
    if (await connector.holds(ref)) {
      throw new ConnectorError(lease.connector, 'the revocation reported success but reading the target back still shows access', { retryable: true });
    }
    const outcome = confirmRevocation(lease, { revokedAt, confirmedAt: deps.clock.now() });
    deps.metrics.revocations.inc({ role: lease.role, outcome: 'revoked' });
    if (lease.revokeReason === 'expired') {
      deps.metrics.revocationLag.observe({ role: lease.role }, Math.max(0, outcome.lease.revokeConfirmedAt!.getTime() - lease.expiresAt.getTime()) / 1000);
    }
    return { ...outcome, outbox: [] };
  } catch (error) {
    deps.metrics.revocations.inc({ role: lease.role, outcome: 'failed' });
    const now = deps.clock.now();
    const failed = failRevocation(lease, describeError(error), now, deps.settings.retry, deps.random());
    const outbox = failed.lease.attempts === 1 ? ((await deps.notify?.revocationFailing(failed.lease, now)) ?? []) : [];
    return { ...failed, outbox };
  }
}

/** Attempts the revocation and commits its outcome. */
export async function runRevocation(deps: EngineDeps, lease: Lease): Promise<Lease> {
  const outcome = await attemptRevocation(deps, lease);
  await record(deps, { updateLeases: [outcome.lease], insertOutbox: outcome.outbox, events: outcome.events });
  return outcome.lease;
}
