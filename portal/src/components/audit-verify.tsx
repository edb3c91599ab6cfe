// "Verify the chain": jitd recomputes every audit event's hash (GET /v1/audit/verify) and names the first
// event that was edited, deleted or moved. The head it reports is worth copying somewhere else
// (docs/audit-events.md, "Anchor the head elsewhere").
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { AuditVerifyResult } from '../types.ts';
import { ErrorNotice, SuccessNotice } from './notice.tsx';

export function AuditVerify() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<AuditVerifyResult | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const verify = async () => {
    setBusy(true);
    setResult(undefined);
    setError(undefined);
    try {
      setResult(await api.get<AuditVerifyResult>('/v1/audit/verify'));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, 'portal', String(caught)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <button type="button" class="button button--secondary" disabled={busy} onClick={() => void verify()}>
        {busy ? 'Verifying the chain…' : 'Verify the chain'}
      </button>
      <ErrorNotice error={error} title="The chain could not be verified" />
      {result?.ok ? (
        <SuccessNotice>
          <p class="notice-title">
            The audit chain is intact: {result.count} {result.count === 1 ? 'event' : 'events'} checked.
          </p>
          {result.head ? (
            <p>
              Newest event #{result.head.seq}, hash <code class="audit-hash">{result.head.hash}</code>. Keep a copy of it elsewhere to detect a rewrite
              later.
            </p>
          ) : null}
        </SuccessNotice>
      ) : null}
      {result && !result.ok ? (
        <div class="notice notice--error" role="alert">
          <p class="notice-title">The audit chain is broken{result.problem ? ` at event #${result.problem.seq}` : ''}.</p>
          <p>{result.problem?.message ?? 'jitd did not say where.'}</p>
        </div>
      ) : null}
    </>
  );
}
