// The expiry scheduler. Its source of truth is the lease table, not a timer: every tick asks the store
// what is due (expired leases, revocations to retry, grants abandoned by a worker that died) and does it.
// A restart, or a second instance, therefore loses nothing: it simply finds the same rows.
import { beginRevocation, claimLease, type Lease } from '../core/lease.ts';
import type { AccessRequest } from '../core/request.ts';
import { ConflictError } from '../core/errors.ts';
import type { ChangeSet } from '../store/store.ts';
import { expirePendingRequests } from './approvals.ts';
import type { EngineDeps } from './deps.ts';
import { PollingLoop } from './polling-loop.ts';
import { startScheduledRequests } from './scheduled-starts.ts';
import { record } from './record.ts';
import { attemptRevocation, describeError, runGrant, runRevocation } from './target-ops.ts';

export interface TickReport {
  readonly expired: number;
  readonly revoked: number;
  readonly revokeFailed: number;
  readonly grantsRecovered: number;
  /** Pending requests that reached their approval deadline undecided. */
  readonly requestsExpired: number;
  /** Scheduled requests whose start came: their grants ran. */
  readonly scheduledStarted: number;
  /** A full batch was due: there may be more, so the next tick runs at once. */
  readonly more: boolean;
}

/** Revocation outcomes committed per transaction. */
const REVOCATION_CHUNK = 250;

export class Scheduler {
  private readonly deps: EngineDeps;
  private readonly loop: PollingLoop;

  constructor(deps: EngineDeps, pollIntervalMs: number) {
    this.deps = deps;
    this.loop = new PollingLoop({ pass: async () => (await this.tick()).more, pollIntervalMs, log: deps.log, what: 'scheduler tick' });
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for the tick in progress, so no target operation is cut off half-way. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass over everything due now. Exposed for tests and benchmarks. */
  async tick(): Promise<TickReport> {
    const { store, settings } = this.deps;
    const now = this.deps.clock.now();
    const due = await store.findDueWork(now, settings.batchSize);
    const claimUntil = new Date(now.getTime() + settings.claimMs);

    const started = await this.beginExpiries(due.expired, now, claimUntil);
    const retries = await this.claim(due.revocations, claimUntil);
    const results = await this.revokeAll([...started, ...retries]);
    const recovered = await this.recoverGrants(due.abandonedGrants, now, claimUntil);
    const requestsExpired = await expirePendingRequests(this.deps, now, settings.batchSize);
    const scheduledStarted = await startScheduledRequests(this.deps, now, settings.batchSize);
    return {
      scheduledStarted,
      expired: started.length,
      revoked: results.filter((l) => l.state === 'revoked').length,
      revokeFailed: results.filter((l) => l.state === 'revoke_failed').length,
      grantsRecovered: recovered,
      requestsExpired,
      more: due.expired.length + due.revocations.length + due.abandonedGrants.length >= settings.batchSize || requestsExpired >= settings.batchSize || scheduledStarted >= settings.batchSize,
    };
  }

  /**
   * Runs revocations `concurrency` at a time and commits their outcomes a chunk at a time: one transaction
   * per chunk instead of one per lease is what lets thousands of leases expiring together end within seconds.
   * A crash between a target change and its commit only repeats the (idempotent) revocation.
   */
  private async revokeAll(leases: readonly Lease[]): Promise<Lease[]> {
    const done: Lease[] = [];
    for (let at = 0; at < leases.length; at += REVOCATION_CHUNK) {
      const outcomes = await this.inParallel(leases.slice(at, at + REVOCATION_CHUNK), (lease) => attemptRevocation(this.deps, lease));
      done.push(...(await this.commitEach(outcomes.map((o) => ({ lease: o.lease, change: { updateLeases: [o.lease], insertOutbox: o.outbox, events: o.events } })))));
    }
    return done;
  }

  /**
   * Commits every lease's change in one transaction. When one of them conflicts (someone changed that lease
   * meanwhile: released, or another instance took it), commits the others one by one and leaves that one to
   * its new owner. Returns the leases whose change was committed.
   */
  private async commitEach(items: readonly { lease: Lease; change: ChangeSet }[]): Promise<Lease[]> {
    if (items.length === 0) return [];
    const all: ChangeSet = {
      updateRequests: items.flatMap((i) => i.change.updateRequests ?? []),
      updateLeases: items.flatMap((i) => i.change.updateLeases ?? []),
      insertOutbox: items.flatMap((i) => i.change.insertOutbox ?? []),
      events: items.flatMap((i) => i.change.events),
    };
    try {
      await record(this.deps, all);
      return items.map((i) => i.lease);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    const done: Lease[] = [];
    for (const item of items) {
      try {
        await record(this.deps, item.change);
        done.push(item.lease);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    return done;
  }

  /** Moves expired leases to `revoking` (claimed by us) in one transaction; returns the claimed leases. */
  private async beginExpiries(expired: readonly Lease[], now: Date, claimUntil: Date): Promise<readonly Lease[]> {
    if (expired.length === 0) return [];
    const requests = new Map<string, AccessRequest>();
    for (const lease of expired) {
      const request = await this.deps.store.getRequest(lease.requestId);
      if (request) requests.set(lease.requestId, request);
    }
    const items: { lease: Lease; change: ChangeSet }[] = [];
    for (const lease of expired) {
      const request = requests.get(lease.requestId);
      if (!request) {
        this.deps.log.error({ leaseId: lease.id, requestId: lease.requestId }, 'lease has no request row; skipping it (this is a bug)');
        continue;
      }
      const t = beginRevocation(request, lease, { reason: 'expired', actor: 'system', now, claimUntil });
      items.push({ lease: t.lease, change: { updateRequests: [t.request], updateLeases: [t.lease], events: t.events } });
    }
    return this.commitEach(items);
  }

  /** Claims leases whose revocation is due, so that only this worker runs their target operations now. */
  private async claim(leases: readonly Lease[], claimUntil: Date): Promise<readonly Lease[]> {
    return this.commitEach(
      leases.map((lease) => {
        const claimed = claimLease(lease, claimUntil);
        return { lease: claimed, change: { updateLeases: [claimed], events: [] } };
      }),
    );
  }

  /**
   * A `granting` lease whose claim ran out belongs to a worker that died between committing the lease and
   * confirming the grant. The target may or may not have the grant. Finish the grant if the window is still
   * open (grants are idempotent), otherwise make sure it is gone.
   */
  private async recoverGrants(abandoned: readonly Lease[], now: Date, claimUntil: Date): Promise<number> {
    let count = 0;
    for (const lease of await this.claim(abandoned, claimUntil)) {
      const request = await this.deps.store.getRequest(lease.requestId);
      if (!request) continue;
      try {
        if (lease.expiresAt.getTime() > now.getTime()) {
          const outcome = await runGrant(this.deps, request, lease);
          if (!outcome.ok) await runRevocation(this.deps, outcome.lease);
        } else {
          const t = beginRevocation(request, lease, {
            reason: 'expired',
            actor: 'system',
            now,
            claimUntil,
            note: 'the grant was interrupted and its window closed before it could be completed',
          });
          await record(this.deps, { updateRequests: [t.request], updateLeases: [t.lease], events: t.events });
          await runRevocation(this.deps, t.lease);
        }
        count += 1;
      } catch (error) {
        if (!(error instanceof ConflictError)) this.deps.log.error({ leaseId: lease.id, error: describeError(error) }, 'recovering an interrupted grant failed; will retry');
      }
    }
    return count;
  }

  private async inParallel<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = [];
    let next = 0;
    const worker = async () => {
      while (next < items.length) {
        const item = items[next++]!;
        results.push(await run(item));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.settings.concurrency, items.length) }, worker));
    return results;
  }
}
