// An admin ends someone's lease now, saying why (the server requires the reason and says so).
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { LeaseView } from '../types.ts';
import { useAction, useFocusOnError } from './access-action.tsx';
import { Field } from './field.tsx';
import { ErrorNotice } from './notice.tsx';

export function RevokeForm({ lease, onDone }: { readonly lease: LeaseView; readonly onDone: (outcome: ComponentChildren) => void }) {
  const [reason, setReason] = useState('');
  const action = useAction();
  const submit = async (event: Event) => {
    event.preventDefault();
    // Sent as typed, even empty: the server says a revocation needs a reason.
    const result = await action.run('revoke', () => api.post<{ lease: LeaseView }>(`/v1/leases/${lease.id}/revoke`, { reason: reason.trim() }));
    if (!result) return;
    setReason('');
    onDone(
      result.lease.state === 'revoked' ? (
        <p class="notice-title">
          You revoked {lease.role} from {lease.principal}: the access is gone.
        </p>
      ) : (
        <p class="notice-title">
          You revoked {lease.role} from {lease.principal}; the target has not confirmed it yet ({result.lease.state.replace(/_/g, ' ')}) and jitd keeps trying.
        </p>
      ),
    );
  };
  const fieldError = action.error?.fieldMessage('reason');
  const field = useRef<HTMLInputElement>(null);
  useFocusOnError(fieldError === undefined ? undefined : action.error, () => field.current);
  return (
    <form class="card access-form access-revoke" aria-labelledby="revoke-title" onSubmit={(e) => void submit(e)} noValidate>
      <h2 id="revoke-title">Revoke now</h2>
      <p>As an admin you can end this access at once.</p>
      <ErrorNotice error={fieldError === undefined ? action.error : undefined} title="Not revoked" />
      {fieldError ? (
        <p class="visually-hidden" role="alert">
          Not revoked: {fieldError}
        </p>
      ) : null}
      <Field id={`revoke-reason-${lease.id}`} label="Reason" required hint="Why it ends early; kept in the audit trail." error={fieldError}>
        {(a11y) => <input {...a11y} ref={field} type="text" autoComplete="off" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="button button--danger" disabled={action.busy !== undefined}>
          {action.busy ? 'Revoking…' : `Revoke ${lease.role} from ${lease.principal} now`}
        </button>
      </div>
    </form>
  );
}
