// An admin's "retry now" for a revocation that is failing (or still waiting for its first attempt): the same
// attempt the scheduler makes — claim the lease, then attemptRevocation and commit its outcome (runRevocation) —
// only now instead of at nextAttemptAt. The claim is committed with `lease.retry_requested` (who asked); the
// attempt then writes exactly the scheduler's events (lease.revoked, or lease.revoke_failed with the new error
// and attempt count); a failure leaves the lease to the scheduler's backoff as before.
import { ConflictError, ForbiddenError, NotFoundError } from '../core/errors.ts';
import { LeaseId } from '../core/ids.ts';
import { claimLease, type Lease } from '../core/lease.ts';
import type { Caller } from './caller.ts';
import type { EngineDeps } from './deps.ts';
import { record } from './record.ts';
import { runRevocation } from './target-ops.ts';

export async function retryRevocation(deps: EngineDeps, caller: Caller, leaseId: string): Promise<Lease> {
  if (!caller.isAdmin) throw new ForbiddenError('only admins can retry a revocation');
  const lease = await deps.store.getLease(LeaseId(leaseId));
  if (!lease) throw new NotFoundError(`no lease ${leaseId}`);
  if (lease.state !== 'revoking' && lease.state !== 'revoke_failed') {
    throw new ConflictError(`lease ${lease.id} is ${lease.state}: only a lease whose revocation is in progress or failing (revoking, revoke_failed) can be retried`);
  }
  const now = deps.clock.now();
  // Someone holds the claim: their attempt is running now, and a second one at the same time would race it.
  if (lease.claimedUntil !== undefined && lease.claimedUntil.getTime() > now.getTime()) {
    throw new ConflictError(`lease ${lease.id} is being revoked by another worker right now (claimed until ${lease.claimedUntil.toISOString()}); look at it again in a moment`);
  }
  const claimed = claimLease(lease, new Date(now.getTime() + deps.settings.claimMs));
  try {
    await record(deps, {
      updateLeases: [claimed],
      events: [
        {
          type: 'lease.retry_requested',
          at: now,
          actor: caller.principal.id,
          leaseId: lease.id,
          requestId: lease.requestId,
          data: { attempts: lease.attempts, ...(lease.lastError === undefined ? {} : { lastError: lease.lastError }) },
        },
      ],
    });
  } catch (error) {
    if (error instanceof ConflictError) throw new ConflictError(`lease ${lease.id} changed while the retry was starting (the scheduler or another admin took it); look at it again`);
    throw error;
  }
  deps.log.info({ leaseId: lease.id, by: caller.principal.id, attempts: lease.attempts }, 'revocation retry requested');
  return runRevocation(deps, claimed);
}
