// One request: what was asked, by whom and why, where it stands, and who has decided what. Approvers decide
// here (notification e-mails link to this page), and the requester can withdraw it while it waits.
import type { ComponentChildren } from 'preact';
import { useRoute } from 'preact-iso';
import { api } from '../api.ts';
import { CancelRequest } from '../components/access-cancel-request.tsx';
import { OutcomeNotice, useOutcome } from '../components/access-outcome.tsx';
import { StateBadge } from '../components/access-state-badge.tsx';
import { DecisionForm } from '../components/approval-decision.tsx';
import { DecisionList } from '../components/approval-decisions.tsx';
import { ErrorNotice, Loading } from '../components/notice.tsx';
import { Page } from '../components/page.tsx';
import { approvalProgress, formatTime } from '../format.ts';
import { useMe } from '../session.ts';
import type { ApprovalView, RequestView } from '../types.ts';
import { useLoad } from '../use-load.ts';

const POLL_MS = 15_000;

interface RequestWithApprovals {
  readonly request: RequestView;
  readonly approvals: readonly ApprovalView[];
}

function Fact({ term, children }: { readonly term: string; readonly children: ComponentChildren }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

const APPROVAL_KINDS: Readonly<Record<string, string>> = {
  auto: 'automatic',
  manual: 'by approvers',
  break_glass: 'break-glass (reviewed afterwards)',
};

/** Approved but not granted yet: it waits for its start time. */
function scheduled(request: RequestView): boolean {
  return request.state === 'approved' && request.startAt !== undefined && request.leaseId === undefined;
}

function decidedByWords(decidedBy: RequestView['decidedBy']): string | undefined {
  if (decidedBy === undefined) return undefined;
  return typeof decidedBy === 'string' ? decidedBy : decidedBy.join(', ');
}

function RequestFacts({ request, approvals, me }: { readonly request: RequestView; readonly approvals: readonly ApprovalView[]; readonly me: string }) {
  const decidedBy = decidedByWords(request.decidedBy);
  return (
    <dl class="facts access-facts">
      <Fact term="Request">{request.id}</Fact>
      <Fact term="Role">{request.role}</Fact>
      <Fact term="Who">{request.principal === me ? `${request.principal} (you)` : request.principal}</Fact>
      <Fact term="Why">{request.reason ?? '—'}</Fact>
      <Fact term="Ticket">{request.ticket ?? '—'}</Fact>
      <Fact term={request.extendsLease ? 'More time' : 'Duration'}>{request.duration}</Fact>
      <Fact term="State">
        <StateBadge state={request.state} label={scheduled(request) ? 'approved, scheduled' : undefined} />
      </Fact>
      <Fact term="Approval">{APPROVAL_KINDS[request.approval] ?? request.approval}</Fact>
      <Fact term="Asked">{formatTime(request.createdAt)}</Fact>
      {request.approvalDeadline ? <Fact term="Decide by">{formatTime(request.approvalDeadline)}</Fact> : null}
      {request.approvalsRequired !== undefined ? <Fact term="Approvals">{approvalProgress(request.approvalsRequired, approvals)}</Fact> : null}
      {request.startAt ? <Fact term="Starts">{formatTime(request.startAt)}</Fact> : null}
      {request.limitExceeded ? <Fact term="Usage limit">{request.limitExceeded}</Fact> : null}
      {request.decidedAt ? <Fact term="Decided">{formatTime(request.decidedAt)}</Fact> : null}
      {decidedBy ? <Fact term="Decided by">{decidedBy}</Fact> : null}
      {request.outcomeNote ? <Fact term="Note">{request.outcomeNote}</Fact> : null}
      {request.extendsLease ? (
        <Fact term="Extends">
          <a href={`/leases/${request.extendsLease}`}>lease {request.extendsLease}</a>
        </Fact>
      ) : null}
      {request.leaseId ? (
        <Fact term="Lease">
          <a href={`/leases/${request.leaseId}`}>{request.leaseId}</a>
        </Fact>
      ) : null}
    </dl>
  );
}

/** What this viewer may do: decide (anyone but the requester, while it is pending), or withdraw it (the requester). */
function Actions({ data, me, onDone }: { readonly data: RequestWithApprovals; readonly me: string; readonly onDone: (outcome: ComponentChildren) => void }) {
  const { request, approvals } = data;
  const mine = request.principal === me;
  const waiting = request.state === 'pending';
  const myDecision = approvals.find((a) => a.approver === me);
  if (mine && (waiting || scheduled(request))) {
    return (
      <section class="card access-form" aria-labelledby="withdraw-title">
        <h2 id="withdraw-title">Withdraw it</h2>
        <p>{waiting ? 'You no longer need it? Cancel the request and the approvers need not decide.' : 'You no longer need it? Cancel it before it starts.'}</p>
        <div class="actions">
          <CancelRequest request={request} onDone={onDone} />
        </div>
      </section>
    );
  }
  if (!waiting || mine) return null;
  if (myDecision) {
    return (
      <p>
        You {myDecision.decision === 'approve' ? 'approved' : 'denied'} this request on {formatTime(myDecision.at)}.
      </p>
    );
  }
  return (
    <section class="card access-form" aria-labelledby="decide-title">
      <h2 id="decide-title">Your decision</h2>
      <DecisionForm request={request} onDone={onDone} />
    </section>
  );
}

export function RequestPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const me = useMe();
  const loaded = useLoad(() => api.get<RequestWithApprovals>(`/v1/requests/${encodeURIComponent(id)}`), [id], { everyMs: POLL_MS });
  const { outcome, announce } = useOutcome();
  const done = (body: ComponentChildren) => {
    announce(body);
    void loaded.reload();
  };
  const data = loaded.data;
  const request = data?.request;
  const title = request ? `${request.extendsLease ? 'More time on' : 'Request for'} ${request.role} by ${request.principal}` : `Request ${id}`;

  return (
    <Page title={title}>
      <OutcomeNotice outcome={outcome} />
      <ErrorNotice error={loaded.error} title="This request could not be read" />
      {loaded.loading && !data ? <Loading what={`request ${id}`} /> : null}
      {data && request ? (
        <>
          <div class="card">
            <RequestFacts request={request} approvals={data.approvals} me={me.principal} />
          </div>
          <Actions data={data} me={me.principal} onDone={done} />
          <section aria-labelledby="decisions-title">
            <h2 id="decisions-title">Decisions</h2>
            {request.approval === 'manual' || data.approvals.length > 0 ? (
              <DecisionList approvals={data.approvals} me={me.principal} />
            ) : (
              <p>Nobody had to decide: {request.approval === 'auto' ? 'the role is granted automatically' : 'break-glass access is reviewed afterwards instead'}.</p>
            )}
          </section>
        </>
      ) : null}
    </Page>
  );
}
