// Commits a change set and writes one log line per audit event it produced, so the log and the audit
// trail tell the same story.
import type { AuditEvent } from '../core/audit-event.ts';
import type { ChangeSet } from '../store/store.ts';
import type { EngineDeps } from './deps.ts';

export async function record(deps: Pick<EngineDeps, 'store' | 'log'>, change: ChangeSet): Promise<readonly AuditEvent[]> {
  const events = await deps.store.commit(change);
  for (const event of events) {
    const level = event.type.endsWith('_failed') || event.type.startsWith('reconcile.') ? 'warn' : 'info';
    deps.log[level](
      { event: event.type, seq: event.seq, requestId: event.requestId, leaseId: event.leaseId, actor: event.actor, ...event.data },
      event.type,
    );
  }
  return events;
}
