// What waits for my decision, oldest first: each request with what the approver needs to judge it, and
// approve / deny right there. Polled, so new requests appear and decided ones leave.
import type { ComponentChildren } from 'preact';
import { api } from '../api.ts';
import { OutcomeNotice, useOutcome } from '../components/access-outcome.tsx';
import { DecisionForm } from '../components/approval-decision.tsx';
import { DecisionList } from '../components/approval-decisions.tsx';
import { ErrorNotice, Loading } from '../components/notice.tsx';
import { Page } from '../components/page.tsx';
import { approvalProgress, formatAge, formatTime } from '../format.ts';
import type { PendingApproval } from '../types.ts';
import { useLoad } from '../use-load.ts';

const POLL_MS = 15_000;

function PendingCard({ request, now, onDone }: { readonly request: PendingApproval; readonly now: number; readonly onDone: (outcome: ComponentChildren) => void }) {
  return (
    <li class="card access-card approval-card">
      <h3>
        {request.extendsLease ? `More time on ${request.role}` : request.role} for {request.principal}
      </h3>
      <dl class="facts access-facts">
        <dt>Requester</dt>
        <dd>{request.principal}</dd>
        <dt>Role</dt>
        <dd>{request.role}</dd>
        <dt>Why</dt>
        <dd>{request.reason ?? '—'}</dd>
        {request.ticket ? (
          <>
            <dt>Ticket</dt>
            <dd>{request.ticket}</dd>
          </>
        ) : null}
        <dt>{request.extendsLease ? 'More time' : 'Duration'}</dt>
        <dd>{request.duration}</dd>
        <dt>Waiting</dt>
        <dd>{formatAge(request.createdAt, now)}</dd>
        <dt>Decide by</dt>
        <dd>{formatTime(request.approvalDeadline)}</dd>
        <dt>Approvals</dt>
        <dd>{approvalProgress(request.approvalsRequired, request.approvals)}</dd>
        {request.extendsLease ? (
          <>
            <dt>Extends</dt>
            <dd>
              <a href={`/leases/${request.extendsLease}`}>lease {request.extendsLease}</a>
            </dd>
          </>
        ) : null}
        {request.limitExceeded ? (
          <>
            <dt>Usage limit</dt>
            <dd>{request.limitExceeded}</dd>
          </>
        ) : null}
      </dl>
      {request.approvals.length > 0 ? (
        <>
          <h4 class="approval-so-far">Decisions so far</h4>
          <DecisionList approvals={request.approvals} />
        </>
      ) : null}
      <p>
        <a href={`/requests/${request.id}`}>See request {request.id}</a>
      </p>
      <DecisionForm request={request} onDone={onDone} />
    </li>
  );
}

export function ApprovalsPage() {
  const pending = useLoad(() => api.get<{ requests: PendingApproval[] }>('/v1/approvals/pending').then((r) => r.requests), [], { everyMs: POLL_MS });
  const { outcome, announce } = useOutcome();
  const done = (body: ComponentChildren) => {
    announce(body);
    void pending.reload();
  };
  const requests = pending.data;
  const now = Date.now();

  return (
    <Page title="Approvals" intro="Requests that wait for your decision, oldest first.">
      <OutcomeNotice outcome={outcome} />
      <ErrorNotice error={pending.error} title="What waits for you could not be read" />
      {pending.loading && !requests ? <Loading what="what waits for you" /> : null}
      {requests && requests.length === 0 ? <p>Nothing waits for you.</p> : null}
      {requests && requests.length > 0 ? (
        <section aria-labelledby="waiting-title">
          <h2 id="waiting-title">
            {requests.length} {requests.length === 1 ? 'request waits' : 'requests wait'} for you
          </h2>
          <ul class="cards approval-cards">
            {requests.map((request) => (
              <PendingCard key={request.id} request={request} now={now} onDone={done} />
            ))}
          </ul>
        </section>
      ) : null}
    </Page>
  );
}
