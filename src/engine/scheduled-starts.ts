// Scheduled requests: approved now, granted when their start comes. The scheduler calls this every tick; the
// request row (approved, start due, no lease) is the source of truth, so a restart loses nothing. Opening the
// lease bumps the request's version, so two workers cannot both open one.
import { ConflictError } from '../core/errors.ts';
import { LeaseId } from '../core/ids.ts';
import { newGrantingLease } from '../core/open-request.ts';
import type { EngineDeps } from './deps.ts';
import { record } from './record.ts';
import { describeError, grantOrCleanUp } from './target-ops.ts';

/** Grants the scheduled requests whose start has come; returns how many were started. */
export async function startScheduledRequests(deps: EngineDeps, now: Date, limit: number): Promise<number> {
  let started = 0;
  for (const request of await deps.store.findDueScheduledRequests(now, limit)) {
    const role = deps.roles.get(request.role);
    if (!role) {
      deps.log.error({ requestId: request.id, role: request.role }, 'scheduled request names a role that is no longer configured; it stays approved without a lease');
      continue;
    }
    const leaseId = LeaseId(deps.newId('lease'));
    const opened = { ...request, version: request.version + 1, leaseId };
    const lease = newGrantingLease({ leaseId, request: opened, role, now, claimMs: deps.settings.claimMs });
    try {
      await record(deps, {
        updateRequests: [opened],
        insertLeases: [lease],
        events: [{ type: 'lease.granting', at: now, actor: 'system', requestId: request.id, leaseId, data: { target: lease.target, durationMs: lease.durationMs, scheduledStart: request.startAt?.toISOString() } }],
      });
    } catch (error) {
      if (error instanceof ConflictError) continue; // another worker opened it, or it was cancelled meanwhile
      throw error;
    }
    started++;
    const outcome = await grantOrCleanUp(deps, opened, lease);
    if (!outcome.ok) deps.log.warn({ requestId: request.id, leaseId, error: describeError(outcome.error) }, 'the scheduled grant failed');
  }
  return started;
}
