// After-the-fact review of a break-glass lease by someone other than its holder: accept the use, or refuse it
// (which ends access that still holds). Who may review is the server's call; its refusal is shown here.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { LeaseView } from '../types.ts';
import { useAction } from './access-action.tsx';
import { Field } from './field.tsx';
import { ErrorNotice } from './notice.tsx';

export function ReviewForm({ lease, onDone }: { readonly lease: LeaseView; readonly onDone: (outcome: ComponentChildren) => void }) {
  const [comment, setComment] = useState('');
  const action = useAction();
  const review = async (verdict: 'accepted' | 'refused') => {
    const trimmed = comment.trim();
    const result = await action.run(verdict, () => api.post<{ lease: LeaseView }>(`/v1/leases/${lease.id}/review`, { verdict, ...(trimmed ? { comment: trimmed } : {}) }));
    if (!result) return;
    setComment('');
    onDone(
      verdict === 'accepted' ? (
        <p class="notice-title">You accepted {lease.principal}'s use of {lease.role}.</p>
      ) : (
        <p class="notice-title">
          You refused {lease.principal}'s use of {lease.role}; the lease is {result.lease.state.replace(/_/g, ' ')}.
        </p>
      ),
    );
  };
  const fieldError = action.error?.fieldMessage('comment');
  return (
    <form class="card access-form access-review" aria-labelledby="review-title" onSubmit={(e) => e.preventDefault()} noValidate>
      <h2 id="review-title">Review this break-glass use</h2>
      <p>{lease.principal} took this access without approval. Say whether the use was justified; refusing it also ends access that still holds.</p>
      <ErrorNotice error={fieldError === undefined ? action.error : undefined} title="Not reviewed" />
      <Field id={`review-comment-${lease.id}`} label="Comment (optional)" hint="Kept in the audit trail." error={fieldError}>
        {(a11y) => <textarea {...a11y} rows={2} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="button" class="button" disabled={action.busy !== undefined} onClick={() => void review('accepted')}>
          {action.busy === 'accepted' ? 'Accepting…' : 'Accept this use'}
        </button>
        <button type="button" class="button button--danger" disabled={action.busy !== undefined} onClick={() => void review('refused')}>
          {action.busy === 'refused' ? 'Refusing…' : 'Refuse this use'}
        </button>
      </div>
    </form>
  );
}
