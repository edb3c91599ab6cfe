// The requester withdraws a pending or scheduled request.
import type { ComponentChildren } from 'preact';
import { api } from '../api.ts';
import type { RequestView } from '../types.ts';
import { useAction } from './access-action.tsx';
import { ErrorNotice } from './notice.tsx';

export function CancelRequest({ request, onDone }: { readonly request: RequestView; readonly onDone: (outcome: ComponentChildren) => void }) {
  const action = useAction();
  const cancel = async () => {
    const result = await action.run('cancel', () => api.post<{ request: RequestView }>(`/v1/requests/${request.id}/cancel`, {}));
    if (result) onDone(<p class="notice-title">Your request for {request.role} is {result.request.state}.</p>);
  };
  return (
    <>
      <ErrorNotice error={action.error} title="The request was not cancelled" />
      <button type="button" class="button button--secondary" disabled={action.busy !== undefined} onClick={() => void cancel()}>
        {action.busy ? 'Cancelling…' : 'Cancel request'}
        <span class="visually-hidden">
          {' '}
          for {request.role} ({request.id})
        </span>
      </button>
    </>
  );
}
