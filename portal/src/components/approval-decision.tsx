// An approver's decision on a pending request: an optional comment (a denial needs one; the server says so),
// then Approve or Deny. The server decides who may; its refusal is shown under the comment.
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatTime } from '../format.ts';
import type { LeaseView, RequestView } from '../types.ts';
import { useAction, useFocusOnError } from './access-action.tsx';
import { Field } from './field.tsx';
import { ErrorNotice } from './notice.tsx';

interface Decided {
  readonly request: RequestView;
  readonly lease?: LeaseView;
}

/** What an approval led to, in words with links. */
function approvedWords(decided: Decided): ComponentChildren {
  const { request, lease } = decided;
  const whose = `${request.principal}'s request for ${request.role}`;
  if (request.extendsLease && lease && request.state === 'approved') {
    return (
      <>
        <p class="notice-title">
          Approved {request.duration} more for {request.principal}: {request.role} now ends at {formatTime(lease.expiresAt)}.
        </p>
        <p>
          <a href={`/leases/${lease.id}`}>See the lease</a>.
        </p>
      </>
    );
  }
  if (lease && !request.extendsLease) {
    return (
      <>
        <p class="notice-title">
          Approved {whose}: {request.principal} now holds {request.role}.
        </p>
        <p>
          It ends at {formatTime(lease.expiresAt)}. <a href={`/leases/${lease.id}`}>See the lease</a>.
        </p>
      </>
    );
  }
  if (request.state === 'pending') {
    return (
      <>
        <p class="notice-title">Your approval of {whose} is recorded.</p>
        <p>
          It still waits for more approvals. <a href={`/requests/${request.id}`}>Follow request {request.id}</a>.
        </p>
      </>
    );
  }
  if (request.state === 'approved' && request.startAt) {
    return (
      <>
        <p class="notice-title">Approved {whose}.</p>
        <p>
          It will be granted at {formatTime(request.startAt)}. <a href={`/requests/${request.id}`}>See request {request.id}</a>.
        </p>
      </>
    );
  }
  return (
    <>
      <p class="notice-title">
        Approved {whose}; it is now {request.state}.
      </p>
      <p>
        {request.outcomeNote ? `${request.outcomeNote}. ` : ''}
        <a href={`/requests/${request.id}`}>See request {request.id}</a>.
      </p>
    </>
  );
}

export function DecisionForm({ request, onDone }: { readonly request: RequestView; readonly onDone: (outcome: ComponentChildren) => void }) {
  const [comment, setComment] = useState('');
  const action = useAction();
  const id = `comment-${request.id}`;
  const whose = `${request.principal}'s request for ${request.role}`;
  // Two requests may share person and role (a request and an extension): the id tells them apart.
  const named = `${whose} (${request.id})`;

  const approve = async () => {
    const trimmed = comment.trim();
    const decided = await action.run('approve', () => api.post<Decided>(`/v1/requests/${request.id}/approve`, trimmed ? { comment: trimmed } : {}));
    if (!decided) return;
    setComment('');
    onDone(approvedWords(decided));
  };
  const deny = async () => {
    // Sent as typed, even empty: the server says when a denial needs a comment.
    const decided = await action.run('deny', () => api.post<Decided>(`/v1/requests/${request.id}/deny`, { comment: comment.trim() }));
    if (!decided) return;
    setComment('');
    onDone(
      <>
        <p class="notice-title">Denied {whose}.</p>
        <p>
          The request is {decided.request.state}. <a href={`/requests/${request.id}`}>See request {request.id}</a>.
        </p>
      </>,
    );
  };

  // A missing comment is about the field; a refusal (not an approver, already decided) is about the request.
  const error = action.error?.fieldMessage('comment');
  const refusal = action.error && error === undefined ? action.error : undefined;
  const field = useRef<HTMLTextAreaElement>(null);
  useFocusOnError(error === undefined ? undefined : action.error, () => field.current);
  return (
    <form class="approval-decision" aria-label={`Decide on ${named}`} onSubmit={(e) => e.preventDefault()} noValidate>
      <ErrorNotice error={refusal} title="Not decided" />
      {error ? (
        <p class="visually-hidden" role="alert">
          Not decided: {error}
        </p>
      ) : null}
      <Field id={id} label="Comment" hint={`Optional when approving; a denial needs one. ${request.principal} sees it, and it is kept in the audit trail.`} error={error}>
        {(a11y) => <textarea {...a11y} ref={field} rows={2} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="button" class="button" disabled={action.busy !== undefined} onClick={() => void approve()}>
          {action.busy === 'approve' ? 'Approving…' : 'Approve'}
          <span class="visually-hidden"> {named}</span>
        </button>
        <button type="button" class="button button--danger" disabled={action.busy !== undefined} onClick={() => void deny()}>
          {action.busy === 'deny' ? 'Denying…' : 'Deny'}
          <span class="visually-hidden"> {named}</span>
        </button>
      </div>
    </form>
  );
}
