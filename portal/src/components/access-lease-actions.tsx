// What a holder can do with a live lease: release it now, or ask for more time (the role's policy decides:
// extended at once, or an extension request for approvers). The outcome is announced by the page, which reloads.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api.ts';
import { formatTime, messageForField } from '../format.ts';
import type { LeaseView, RequestView } from '../types.ts';
import { useAction, useFocusOnError } from './access-action.tsx';
import { Field } from './field.tsx';
import { ErrorNotice } from './notice.tsx';

const EXTEND_FORM = { main: 'by', fields: ['by', 'reason'] } as const;

function releasedWords(lease: LeaseView): ComponentChildren {
  if (lease.state === 'revoked') return <p class="notice-title">You released {lease.role}: the access is gone.</p>;
  return (
    <>
      <p class="notice-title">You released {lease.role}.</p>
      <p>
        The target has not confirmed it yet ({lease.state.replace(/_/g, ' ')}); jitd keeps trying. <a href={`/leases/${lease.id}`}>Follow the lease</a>.
      </p>
    </>
  );
}

function extendedWords(result: { readonly lease: LeaseView; readonly request?: RequestView }, by: string): ComponentChildren {
  const { lease, request } = result;
  if (request) {
    return (
      <>
        <p class="notice-title">
          Your request for {request.duration} more on {lease.role} waits for approval.
        </p>
        <p>
          {request.limitExceeded ? `${request.limitExceeded}. ` : ''}Until it is approved, {lease.role} still ends at {formatTime(lease.expiresAt)}.{' '}
          <a href={`/requests/${request.id}`}>Follow request {request.id}</a>.
        </p>
      </>
    );
  }
  return (
    <p class="notice-title">
      {lease.role} is extended by {by}: it now ends at {formatTime(lease.expiresAt)}.
    </p>
  );
}

interface ExtendFormProps {
  readonly lease: LeaseView;
  /** Closed without extending: focus goes back to the button that opened it. */
  readonly onCancel: () => void;
  /** Asked: the page announces the outcome (and takes focus there). */
  readonly onDone: (outcome: ComponentChildren) => void;
}

function ExtendForm({ lease, onCancel, onDone }: ExtendFormProps) {
  const [by, setBy] = useState('');
  const [reason, setReason] = useState('');
  const action = useAction();
  const first = useRef<HTMLInputElement>(null);
  const second = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (event: Event) => {
    event.preventDefault();
    const asked = by.trim();
    const result = await action.run('extend', () =>
      api.post<{ lease: LeaseView; request?: RequestView }>(`/v1/leases/${lease.id}/extend`, { by: asked, ...(reason.trim() ? { reason: reason.trim() } : {}) }),
    );
    if (!result) return;
    onDone(extendedWords(result, asked));
  };
  const at = (path: string) => messageForField(action.error, path, EXTEND_FORM);
  const invalid = at('by') !== undefined || at('reason') !== undefined;
  useFocusOnError(action.error, () => (at('by') === undefined && at('reason') !== undefined ? second.current : first.current));
  return (
    <form class="access-extend" aria-label={`Extend ${lease.role}`} onSubmit={(e) => void submit(e)} noValidate>
      {invalid ? (
        <p class="visually-hidden" role="alert">
          Not extended: {[at('by'), at('reason')].filter(Boolean).join('; ')}
        </p>
      ) : null}
      <div class="inline-fields">
        <Field id={`extend-by-${lease.id}`} label="How much longer" hint="e.g. 30m or 1h" error={at('by')}>
          {(a11y) => <input {...a11y} ref={first} type="text" autoComplete="off" value={by} onInput={(e) => setBy(e.currentTarget.value)} />}
        </Field>
        <Field id={`extend-reason-${lease.id}`} label="Why you need more time" error={at('reason')}>
          {(a11y) => <input {...a11y} ref={second} type="text" autoComplete="off" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="button" disabled={action.busy !== undefined}>
          {action.busy ? 'Extending…' : `Extend ${lease.role}`}
        </button>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Keep the current end
        </button>
      </div>
    </form>
  );
}

export function LeaseActions({ lease, onDone }: { readonly lease: LeaseView; readonly onDone: (outcome: ComponentChildren) => void }) {
  const release = useAction();
  const [extending, setExtending] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);

  const releaseNow = async () => {
    const result = await release.run('release', () => api.post<{ lease: LeaseView }>(`/v1/leases/${lease.id}/release`, {}));
    if (result) onDone(releasedWords(result.lease));
  };
  const cancel = () => {
    setExtending(false);
    // Back to the button that opened the form, so keyboard users keep their place.
    setTimeout(() => opener.current?.focus(), 0);
  };
  const extended = (outcome: ComponentChildren) => {
    setExtending(false);
    onDone(outcome);
  };
  return (
    <div class="access-lease-actions">
      <ErrorNotice error={release.error} title={`${lease.role} was not released`} />
      {extending ? (
        <ExtendForm lease={lease} onCancel={cancel} onDone={extended} />
      ) : (
        <div class="actions">
          <button type="button" class="button button--danger" disabled={release.busy !== undefined} onClick={() => void releaseNow()}>
            {release.busy ? 'Releasing…' : `Release ${lease.role}`}
          </button>
          <button ref={opener} type="button" class="button button--secondary" onClick={() => setExtending(true)}>
            Extend {lease.role}
          </button>
        </div>
      )}
    </div>
  );
}
