// Revocations that have not gone through: still being retried, failed, or overdue. Admins can make jitd try
// again now instead of waiting for the next scheduled attempt (POST /v1/leases/:id/retry).
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { formatTime } from '../format.ts';
import type { LeaseView } from '../types.ts';
import { ErrorNotice } from './notice.tsx';
import { OpsStateBadge } from './ops-badge.tsx';

interface Outcome {
  readonly lease: LeaseView;
  readonly revoked: boolean;
}

function OutcomeNotice({ outcome }: { readonly outcome: Outcome }) {
  const { lease } = outcome;
  const which = `${lease.role} for ${lease.principal} (lease ${lease.id})`;
  // Focused when shown: the row that held the button may just have gone.
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div ref={ref} tabIndex={-1} role="status" class={`notice ${outcome.revoked ? 'notice--success' : 'notice--warn'}`}>
      {outcome.revoked ? <p>{which}: revoked.</p> : <p>{which}: still failing: {lease.lastError ?? 'no error was recorded'}</p>}
    </div>
  );
}

export function OpsRevocations({ leases, canRetry, onChange }: { readonly leases: readonly LeaseView[]; readonly canRetry: boolean; readonly onChange: () => Promise<void> }) {
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const retry = async (lease: LeaseView) => {
    setBusy(lease.id);
    setOutcome(undefined);
    setError(undefined);
    try {
      const result = await api.post<{ lease: LeaseView }>(`/v1/leases/${encodeURIComponent(lease.id)}/retry`);
      setOutcome({ lease: result.lease, revoked: result.lease.state === 'revoked' });
      await onChange();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, 'portal', String(caught)));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section aria-labelledby="ops-revocations-title">
      <h2 id="ops-revocations-title">Failed and overdue revocations</h2>
      <ErrorNotice error={error} title="The retry was not made" />
      {outcome ? <OutcomeNotice key={`${outcome.lease.id}-${outcome.lease.attempts}`} outcome={outcome} /> : null}
      {leases.length === 0 ? (
        <p>Every revocation has gone through.</p>
      ) : (
        <>
          <p>jitd keeps retrying these by itself{canRetry ? '; "Retry now" tries again at once' : ''}.</p>
          <div class="table-wrap">
            <table class="ops-table">
              <caption>
                {leases.length} {leases.length === 1 ? 'revocation' : 'revocations'} not yet confirmed
              </caption>
              <thead>
                <tr>
                  <th scope="col">Who</th>
                  <th scope="col">Role</th>
                  <th scope="col">State</th>
                  <th scope="col">Since</th>
                  <th scope="col" class="num">Failed attempts</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Next attempt</th>
                  {canRetry ? <th scope="col">Action</th> : null}
                </tr>
              </thead>
              <tbody>
                {leases.map((lease) => (
                  <tr key={lease.id}>
                    <td>{lease.principal}</td>
                    <td>
                      <a href={`/leases/${lease.id}`}>{lease.role}</a>
                    </td>
                    <td>
                      <OpsStateBadge state={lease.state} />
                    </td>
                    <td class="ops-when">{formatTime(lease.revokeRequestedAt)}</td>
                    <td class="num">{lease.attempts}</td>
                    <td class="ops-error-text">{lease.lastError ?? '—'}</td>
                    <td class="ops-when">{formatTime(lease.nextAttemptAt)}</td>
                    {canRetry ? (
                      <td>
                        <button type="button" class="button button--secondary" disabled={busy !== undefined} onClick={() => void retry(lease)}>
                          {busy === lease.id ? 'Retrying…' : 'Retry now'}
                          <span class="visually-hidden">
                            {' '}
                            revoking {lease.role} for {lease.principal}
                          </span>
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
