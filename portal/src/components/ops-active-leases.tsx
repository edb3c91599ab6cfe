// Everyone's live access: who holds which role, since when, and the time left ticking down.
import { formatTime } from '../format.ts';
import type { LeaseView } from '../types.ts';
import { Countdown } from './countdown.tsx';
import { OpsStateBadge } from './ops-badge.tsx';

export function OpsActiveLeases({ leases, onEnded }: { readonly leases: readonly LeaseView[]; readonly onEnded: () => void }) {
  return (
    <section aria-labelledby="ops-active-title">
      <h2 id="ops-active-title">Active leases</h2>
      {leases.length === 0 ? (
        <p>Nobody holds a role through jitd right now.</p>
      ) : (
        <div class="table-wrap">
          <table class="ops-table">
            <caption>
              {leases.length} active {leases.length === 1 ? 'lease' : 'leases'}, soonest end first
            </caption>
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">Role</th>
                <th scope="col">Granted</th>
                <th scope="col">Ends</th>
                <th scope="col">Time left</th>
                <th scope="col">Lease</th>
              </tr>
            </thead>
            <tbody>
              {[...leases]
                .sort((a, b) => (a.expiresAt ?? '').localeCompare(b.expiresAt ?? ''))
                .map((lease) => (
                  <tr key={lease.id}>
                    <td>{lease.principal}</td>
                    <td>{lease.role}</td>
                    <td class="ops-when">{lease.grantedAt ? formatTime(lease.grantedAt) : <OpsStateBadge state={lease.state} />}</td>
                    <td class="ops-when">{formatTime(lease.expiresAt)}</td>
                    <td>{lease.expiresAt ? <Countdown expiresAt={lease.expiresAt} onZero={onEnded} /> : '—'}</td>
                    <td>
                      <a href={`/leases/${lease.id}`} aria-label={`Lease ${lease.id}: ${lease.role} for ${lease.principal}`}>
                        {lease.id}
                      </a>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
