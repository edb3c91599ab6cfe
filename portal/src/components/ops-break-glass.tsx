// Break-glass leases nobody has reviewed: the access was granted at once, and someone must now say whether
// its use was justified (POST /v1/leases/:id/review). The server decides who may review; a refusal of access
// that is still live also revokes it.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { formatTime } from '../format.ts';
import type { LeaseView } from '../types.ts';
import { Field } from './field.tsx';
import { ErrorNotice, SuccessNotice } from './notice.tsx';
import { OpsStateBadge } from './ops-badge.tsx';

type Verdict = 'accepted' | 'refused';

function ReviewCard({ lease, onReviewed }: { readonly lease: LeaseView; readonly onReviewed: (lease: LeaseView) => Promise<void> }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState<Verdict | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const live = lease.state === 'active' || lease.state === 'granting';
  const whose = `${lease.principal}'s use of ${lease.role}`;

  const review = async (verdict: Verdict) => {
    setBusy(verdict);
    setError(undefined);
    try {
      const result = await api.post<{ lease: LeaseView }>(`/v1/leases/${encodeURIComponent(lease.id)}/review`, {
        verdict,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      await onReviewed(result.lease);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, 'portal', String(caught)));
      setBusy(undefined);
    }
  };
  const commentError = error?.fieldMessage('comment');
  const general = error && !commentError ? error : undefined;
  const id = `review-${lease.id}`;

  return (
    <li class="card" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {lease.role} for {lease.principal}
      </h3>
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <OpsStateBadge state={lease.state} />
        </dd>
        <dt>Granted</dt>
        <dd>{formatTime(lease.grantedAt)}</dd>
        <dt>{live ? 'Ends' : 'Ended'}</dt>
        <dd>{formatTime(live ? lease.expiresAt : (lease.revokedAt ?? lease.expiresAt))}</dd>
        <dt>Details</dt>
        <dd>
          <a href={`/leases/${lease.id}`}>Lease {lease.id}</a>, <a href={`/requests/${lease.requestId}`}>request and its reason</a>
        </dd>
      </dl>
      <ErrorNotice error={general} title="The review was not recorded" />
      <Field id={`${id}-comment`} label="Review comment" hint={live ? 'Refusing also ends this access now.' : 'Kept in the audit trail.'} error={commentError}>
        {(a11y) => <textarea {...a11y} rows={2} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="button" class="button" disabled={busy !== undefined} onClick={() => void review('accepted')}>
          {busy === 'accepted' ? 'Accepting…' : `Accept ${whose}`}
        </button>
        <button type="button" class="button button--danger" disabled={busy !== undefined} onClick={() => void review('refused')}>
          {busy === 'refused' ? 'Refusing…' : `Refuse ${whose}`}
        </button>
      </div>
    </li>
  );
}

export function OpsBreakGlass({ leases, onChange }: { readonly leases: readonly LeaseView[]; readonly onChange: () => Promise<void> }) {
  const [done, setDone] = useState<LeaseView | undefined>(undefined);
  const reviewed = async (lease: LeaseView) => {
    setDone(lease);
    await onChange();
  };
  return (
    <section aria-labelledby="ops-break-glass-title">
      <h2 id="ops-break-glass-title">Break-glass use to review</h2>
      {done ? (
        <SuccessNotice>
          <p>
            You {done.review?.verdict ?? 'reviewed'} {done.principal}'s use of {done.role}
            {done.review?.verdict === 'refused' && done.state !== 'active' ? `; the lease is ${done.state.replace(/_/g, ' ')}` : ''}.
          </p>
        </SuccessNotice>
      ) : null}
      {leases.length === 0 ? (
        <p>No break-glass use waits for review.</p>
      ) : (
        <ul class="cards">
          {leases.map((lease) => (
            <ReviewCard key={lease.id} lease={lease} onReviewed={reviewed} />
          ))}
        </ul>
      )}
    </section>
  );
}
