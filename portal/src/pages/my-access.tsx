// My access: what I hold now (with a live countdown, release and extend), what waits for approvers or for
// its start time, and what ended lately. Polled, so a grant someone else approves appears by itself.
import { api, query } from '../api.ts';
import { CancelRequest } from '../components/access-cancel-request.tsx';
import { LeaseActions } from '../components/access-lease-actions.tsx';
import { OutcomeNotice, useOutcome } from '../components/access-outcome.tsx';
import { StateBadge } from '../components/access-state-badge.tsx';
import { Countdown } from '../components/countdown.tsx';
import { ErrorNotice, Loading } from '../components/notice.tsx';
import { Page } from '../components/page.tsx';
import { endReasonLabel, formatTime, whoApproves } from '../format.ts';
import { useMe } from '../session.ts';
import type { LeaseView, RequestView, RoleView } from '../types.ts';
import { useLoad } from '../use-load.ts';

const POLL_MS = 15_000;
const ZERO_RECHECK_MS = 2_500;
const LIVE_STATES = 'granting,active';
const ENDED_STATES = 'revoking,revoke_failed,revoked';

interface MyAccess {
  readonly live: readonly LeaseView[];
  readonly requests: readonly RequestView[];
  readonly history: readonly LeaseView[];
  readonly roles: readonly RoleView[];
}

/** Always filtered to the signed-in person: for admins and auditors the API would list everyone's. */
async function loadMyAccess(principal: string): Promise<MyAccess> {
  const [live, requests, history, roles] = await Promise.all([
    api.get<{ leases: LeaseView[] }>(`/v1/leases${query({ state: LIVE_STATES, principal })}`),
    api.get<{ requests: RequestView[] }>(`/v1/requests${query({ state: 'pending,approved', principal })}`),
    api.get<{ leases: LeaseView[] }>(`/v1/leases${query({ state: ENDED_STATES, principal, limit: 10 })}`),
    api.get<{ roles: RoleView[] }>('/v1/roles'),
  ]);
  return { live: live.leases, requests: requests.requests, history: history.leases, roles: roles.roles };
}

function LeaseCard({ lease, onDone, onZero }: { readonly lease: LeaseView; readonly onDone: Parameters<typeof LeaseActions>[0]['onDone']; readonly onZero: () => void }) {
  const headingId = `lease-${lease.id}-title`;
  return (
    <li class="card access-card access-lease">
      <h3 id={headingId}>
        {lease.role} <StateBadge state={lease.state} />
      </h3>
      {lease.expiresAt ? (
        <p class="access-time-left">
          <Countdown expiresAt={lease.expiresAt} onZero={onZero} /> <span aria-hidden="true">left</span>
        </p>
      ) : null}
      <dl class="facts access-facts">
        <dt>Granted</dt>
        <dd>{formatTime(lease.grantedAt)}</dd>
        <dt>Ends</dt>
        <dd>{formatTime(lease.expiresAt)}</dd>
        <dt>Duration</dt>
        <dd>{lease.duration}</dd>
        {lease.reviewRequired ? (
          <>
            <dt>Review</dt>
            <dd>{lease.review ? `${lease.review.verdict} by ${lease.review.by}` : 'break-glass: reviewed after the fact'}</dd>
          </>
        ) : null}
      </dl>
      <p>
        <a href={`/leases/${lease.id}`}>
          Details of {lease.role}
          <span class="visually-hidden"> lease {lease.id}</span>
        </a>
      </p>
      {lease.state === 'active' ? <LeaseActions lease={lease} onDone={onDone} /> : <p>Being granted in the target…</p>}
    </li>
  );
}

function WaitingCard({ request, role, onDone }: { readonly request: RequestView; readonly role: RoleView | undefined; readonly onDone: Parameters<typeof CancelRequest>[0]['onDone'] }) {
  const headingId = `request-${request.id}-title`;
  const scheduled = request.state === 'approved';
  return (
    <li class="card access-card access-request">
      <h3 id={headingId}>
        {request.extendsLease ? `More time on ${request.role}` : request.role}{' '}
        <StateBadge state={request.state} label={scheduled ? 'scheduled' : 'waits for approval'} />
      </h3>
      <dl class="facts access-facts">
        {scheduled ? (
          <>
            <dt>Starts</dt>
            <dd>{formatTime(request.startAt)}</dd>
          </>
        ) : (
          <>
            <dt>Approvers</dt>
            <dd>{whoApproves(request, role)}</dd>
            <dt>Decide by</dt>
            <dd>{formatTime(request.approvalDeadline)}</dd>
          </>
        )}
        <dt>{request.extendsLease ? 'More time' : 'Duration'}</dt>
        <dd>{request.duration}</dd>
        {request.reason ? (
          <>
            <dt>Why</dt>
            <dd>{request.reason}</dd>
          </>
        ) : null}
        {request.limitExceeded ? (
          <>
            <dt>Usage limit</dt>
            <dd>{request.limitExceeded}</dd>
          </>
        ) : null}
        <dt>Asked</dt>
        <dd>{formatTime(request.createdAt)}</dd>
      </dl>
      <p>
        <a href={`/requests/${request.id}`}>Follow request {request.id}</a>
        {request.extendsLease ? (
          <>
            {' '}
            · <a href={`/leases/${request.extendsLease}`}>the lease it extends</a>
          </>
        ) : null}
      </p>
      <div class="actions">
        <CancelRequest request={request} onDone={onDone} />
      </div>
    </li>
  );
}

function History({ leases }: { readonly leases: readonly LeaseView[] }) {
  if (leases.length === 0) return <p>Nothing has ended yet.</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption>Your last {leases.length === 1 ? 'ended lease' : `${leases.length} ended leases`}, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Ended</th>
            <th scope="col">Why</th>
            <th scope="col">Lease</th>
          </tr>
        </thead>
        <tbody>
          {leases.map((lease) => (
            <tr key={lease.id}>
              <th scope="row">{lease.role}</th>
              <td>
                <StateBadge state={lease.state} />
              </td>
              <td class="access-nowrap">{formatTime(lease.revokedAt ?? lease.revokeRequestedAt)}</td>
              <td>{endReasonLabel(lease.revokeReason)}</td>
              <td>
                <a href={`/leases/${lease.id}`}>{lease.id}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function MyAccessPage() {
  const me = useMe();
  const mine = useLoad(() => loadMyAccess(me.principal), [me.principal], { everyMs: POLL_MS });
  const { outcome, announce } = useOutcome();
  // At zero jitd revokes within about a second: read now, and once more when the revocation has likely landed.
  const atZero = () => {
    void mine.reload();
    setTimeout(() => void mine.reload(), ZERO_RECHECK_MS);
  };
  const done = (body: Parameters<typeof announce>[0]) => {
    announce(body);
    void mine.reload();
  };
  const data = mine.data;
  const roleNamed = (name: string) => data?.roles.find((r) => r.name === name);
  const pending = data?.requests.filter((r) => r.state === 'pending') ?? [];
  // An approved request without a lease waits for its start time; with one, it is already in "Active".
  const scheduled = data?.requests.filter((r) => r.state === 'approved' && r.startAt !== undefined && r.leaseId === undefined) ?? [];

  return (
    <Page title="My access" intro="What you hold now, what waits, and what ended lately. Access ends by itself when its time is up.">
      <OutcomeNotice outcome={outcome} />
      <ErrorNotice error={mine.error} title="Your access could not be read" />
      {mine.loading && !data ? <Loading what="your access" /> : null}
      {data ? (
        <>
          <section aria-labelledby="active-title">
            <h2 id="active-title">Active now</h2>
            {data.live.length === 0 ? (
              <p>
                You hold no role right now. <a href="/">Request access</a>.
              </p>
            ) : (
              <ul class="cards">
                {data.live.map((lease) => (
                  <LeaseCard key={lease.id} lease={lease} onDone={done} onZero={atZero} />
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="waiting-title">
            <h2 id="waiting-title">Waiting for approval</h2>
            {pending.length === 0 ? (
              <p>No request of yours waits for approvers.</p>
            ) : (
              <ul class="cards">
                {pending.map((request) => (
                  <WaitingCard key={request.id} request={request} role={roleNamed(request.role)} onDone={done} />
                ))}
              </ul>
            )}
          </section>
          {scheduled.length > 0 ? (
            <section aria-labelledby="scheduled-title">
              <h2 id="scheduled-title">Scheduled</h2>
              <ul class="cards">
                {scheduled.map((request) => (
                  <WaitingCard key={request.id} request={request} role={roleNamed(request.role)} onDone={done} />
                ))}
              </ul>
            </section>
          ) : null}
          <section aria-labelledby="history-title">
            <h2 id="history-title">Recent history</h2>
            <History leases={data.history} />
          </section>
        </>
      ) : null}
    </Page>
  );
}
