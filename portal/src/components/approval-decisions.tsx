// The decisions already taken on a request: who approved or denied it, when, and what they said.
import { formatTime } from '../format.ts';
import type { ApprovalView } from '../types.ts';
import { StateBadge } from './access-state-badge.tsx';

export function DecisionList({ approvals, me }: { readonly approvals: readonly ApprovalView[]; readonly me?: string }) {
  if (approvals.length === 0) return <p class="approval-none">No decisions yet.</p>;
  return (
    <ul class="approval-decisions">
      {approvals.map((a) => (
        <li key={`${a.approver}-${a.at}`}>
          <strong>{a.approver === me ? `${a.approver} (you)` : a.approver}</strong>{' '}
          {a.decision === 'approve' ? <StateBadge state="active" label="approved" /> : a.decision === 'deny' ? <StateBadge state="denied" label="denied" /> : <StateBadge state="done" label={a.decision} />}{' '}
          <span class="approval-when">on {formatTime(a.at)}</span>
          {a.comment ? <q class="approval-comment">{a.comment}</q> : <span class="approval-comment approval-comment--none">no comment</span>}
        </li>
      ))}
    </ul>
  );
}
