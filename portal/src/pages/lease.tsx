// One lease, everything the API knows about it: its timeline, its state, and what the viewer may do with it
// (the holder: release or extend; someone else: review a break-glass use; an admin: revoke now).
import type { ComponentChildren } from 'preact';
import { useRoute } from 'preact-iso';
import { api } from '../api.ts';
import { LeaseActions } from '../components/access-lease-actions.tsx';
import { OutcomeNotice, useOutcome } from '../components/access-outcome.tsx';
import { ReviewForm } from '../components/access-review.tsx';
import { RevokeForm } from '../components/access-revoke.tsx';
import { StateBadge } from '../components/access-state-badge.tsx';
import { Countdown } from '../components/countdown.tsx';
import { ErrorNotice, Loading } from '../components/notice.tsx';
import { Page } from '../components/page.tsx';
import { endReasonLabel, formatTime, isLiveLease } from '../format.ts';
import { useMe } from '../session.ts';
import type { LeaseView } from '../types.ts';
import { useLoad } from '../use-load.ts';

const POLL_MS = 15_000;
const ZERO_RECHECK_MS = 2_500;

function Fact({ term, children }: { readonly term: string; readonly children: ComponentChildren }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function LeaseFacts({ lease, me }: { readonly lease: LeaseView; readonly me: string }) {
  const ended = lease.revokeReason !== undefined || lease.revokedAt !== undefined;
  return (
    <dl class="facts access-facts">
      <Fact term="Lease">{lease.id}</Fact>
      <Fact term="Holder">{lease.principal === me ? `${lease.principal} (you)` : lease.principal}</Fact>
      <Fact term="Role">{lease.role}</Fact>
      <Fact term="Connector">{lease.connector}</Fact>
      <Fact term="Duration">{lease.duration}</Fact>
      <Fact term="Requested">{formatTime(lease.requestedAt)}</Fact>
      <Fact term="Granted">{formatTime(lease.grantedAt)}</Fact>
      <Fact term="Confirmed in the target">{formatTime(lease.grantConfirmedAt)}</Fact>
      <Fact term={isLiveLease(lease.state) ? 'Ends' : 'Was due to end'}>{formatTime(lease.expiresAt)}</Fact>
      {lease.timeLeft ? <Fact term="Time left">{lease.timeLeft}</Fact> : null}
      {ended ? (
        <>
          <Fact term="Ended because">{endReasonLabel(lease.revokeReason)}</Fact>
          <Fact term="Removal started">{formatTime(lease.revokeRequestedAt)}</Fact>
          <Fact term="Removed">{formatTime(lease.revokedAt)}</Fact>
          <Fact term="Removal confirmed">{formatTime(lease.revokeConfirmedAt)}</Fact>
        </>
      ) : null}
      {lease.attempts > 0 ? <Fact term="Attempts on the target">{String(lease.attempts)}</Fact> : null}
      {lease.lastError ? <Fact term="Last error">{lease.lastError}</Fact> : null}
      {lease.nextAttemptAt ? <Fact term="Next attempt">{formatTime(lease.nextAttemptAt)}</Fact> : null}
      {lease.reviewRequired ? (
        <Fact term="Review">
          {lease.review ? (
            <>
              {lease.review.verdict} by {lease.review.by} on {formatTime(lease.review.at)}
              {lease.review.comment ? <>: <q>{lease.review.comment}</q></> : null}
            </>
          ) : (
            'break-glass use, not reviewed yet'
          )}
        </Fact>
      ) : null}
      <Fact term="Request">
        <a href={`/requests/${lease.requestId}`}>{lease.requestId}</a>
      </Fact>
    </dl>
  );
}

export function LeasePage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const me = useMe();
  const loaded = useLoad(() => api.get<{ lease: LeaseView }>(`/v1/leases/${encodeURIComponent(id)}`).then((r) => r.lease), [id], { everyMs: POLL_MS });
  const { outcome, announce } = useOutcome();
  // At zero jitd revokes within about a second: read now, and once more when the revocation has likely landed.
  const atZero = () => {
    void loaded.reload();
    setTimeout(() => void loaded.reload(), ZERO_RECHECK_MS);
  };
  const done = (body: Parameters<typeof announce>[0]) => {
    announce(body);
    void loaded.reload();
  };
  const lease = loaded.data;
  const live = lease !== undefined && isLiveLease(lease.state);
  const holder = lease?.principal === me.principal;

  return (
    <Page title={lease ? `Lease of ${lease.role} for ${lease.principal}` : `Lease ${id}`}>
      <OutcomeNotice outcome={outcome} />
      <ErrorNotice error={loaded.error} title="This lease could not be read" />
      {loaded.loading && !lease ? <Loading what={`lease ${id}`} /> : null}
      {lease ? (
        <>
          <div class="card">
            <p class="access-lease-state">
              <StateBadge state={lease.state} />
              {live && lease.expiresAt ? (
                <>
                  {' '}
                  <Countdown expiresAt={lease.expiresAt} onZero={atZero} /> <span aria-hidden="true">left</span>
                </>
              ) : null}
            </p>
            <LeaseFacts lease={lease} me={me.principal} />
            {holder && lease.state === 'active' ? <LeaseActions lease={lease} onDone={done} /> : null}
          </div>
          {lease.reviewRequired && !lease.review && !holder ? <ReviewForm lease={lease} onDone={done} /> : null}
          {me.admin && live ? <RevokeForm lease={lease} onDone={done} /> : null}
          <p>
            <a href="/access">Back to my access</a>
          </p>
        </>
      ) : null}
    </Page>
  );
}
