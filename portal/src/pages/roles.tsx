// Request access: the roles one may ask for, their limits, and the form. The server decides; its own
// messages are shown next to the field they are about.
import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { Field } from '../components/field.tsx';
import { ErrorNotice, Loading, SuccessNotice } from '../components/notice.tsx';
import { Page } from '../components/page.tsx';
import { useLoad } from '../use-load.ts';
import type { LeaseView, RequestView, RoleView } from '../types.ts';

interface Created {
  readonly request: RequestView;
  readonly lease?: LeaseView;
}

function approvalWords(role: RoleView): string {
  if (role.breakGlass) return 'Break-glass: granted at once, approvers and security are told, and the use is reviewed afterwards';
  if (role.approval === 'auto') return 'Granted at once';
  return `Needs approval: ${role.approval}`;
}

function RoleFacts({ role }: { readonly role: RoleView }) {
  return (
    <dl class="facts">
      <dt>Approval</dt>
      <dd>{approvalWords(role)}</dd>
      <dt>Duration</dt>
      <dd>
        {role.defaultDuration} by default, at most {role.maxDuration}
        {role.maxExtendedDuration !== role.maxDuration ? ` (${role.maxExtendedDuration} with extensions)` : ''}
      </dd>
      {role.limits?.maxActivations ? (
        <>
          <dt>Activations</dt>
          <dd>at most {role.limits.maxActivations}</dd>
        </>
      ) : null}
      {role.limits?.maxTotalDuration ? (
        <>
          <dt>Total time</dt>
          <dd>at most {role.limits.maxTotalDuration}</dd>
        </>
      ) : null}
      {role.limits ? (
        <>
          <dt>Past a limit</dt>
          <dd>{role.limits.whenExceeded === 'refuse' ? 'refused' : `needs approval: ${role.limits.whenExceeded}`}</dd>
        </>
      ) : null}
      {role.accessMayOutliveLease ? (
        <>
          <dt>After it ends</dt>
          <dd>
            access may last up to {role.accessMayOutliveLease.upTo}: {role.accessMayOutliveLease.why}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function Outcome({ created }: { readonly created: Created }) {
  const { request, lease } = created;
  if (lease && (lease.state === 'active' || lease.state === 'granting')) {
    return (
      <SuccessNotice>
        <p class="notice-title">You now hold {request.role}.</p>
        <p>
          It ends by itself in {lease.timeLeft ?? lease.duration}. <a href={`/leases/${lease.id}`}>See this access</a> or{' '}
          <a href="/access">all your access</a>.
        </p>
      </SuccessNotice>
    );
  }
  if (request.state === 'pending') {
    return (
      <SuccessNotice>
        <p class="notice-title">Your request for {request.role} waits for approval.</p>
        <p>
          {request.limitExceeded ? `${request.limitExceeded}. ` : ''}The approvers have been told. <a href={`/requests/${request.id}`}>Follow request {request.id}</a>.
        </p>
      </SuccessNotice>
    );
  }
  if (request.startAt && request.state === 'approved') {
    return (
      <SuccessNotice>
        <p class="notice-title">{request.role} is scheduled.</p>
        <p>
          It will be granted at {new Date(request.startAt).toLocaleString()}. <a href={`/requests/${request.id}`}>See request {request.id}</a>.
        </p>
      </SuccessNotice>
    );
  }
  return (
    <SuccessNotice>
      <p class="notice-title">
        Request {request.id} is {request.state}.
      </p>
      <p>
        {request.outcomeNote ?? ''} <a href={`/requests/${request.id}`}>See the request</a>.
      </p>
    </SuccessNotice>
  );
}

function RequestForm({ roles, chosen, onChoose }: { readonly roles: readonly RoleView[]; readonly chosen: string; readonly onChoose: (name: string) => void }) {
  const role = roles.find((r) => r.name === chosen);
  const [duration, setDuration] = useState('');
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const [start, setStart] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [created, setCreated] = useState<Created | undefined>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setCreated(undefined);
    try {
      const startAt = start ? new Date(start).toISOString() : undefined;
      const result = await api.post<Created>('/v1/requests', {
        role: chosen,
        ...(duration.trim() ? { duration: duration.trim() } : {}),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(ticket.trim() ? { ticket: ticket.trim() } : {}),
        ...(startAt ? { startAt } : {}),
      });
      setCreated(result);
      setReason('');
      setTicket('');
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, 'portal', String(caught)));
    } finally {
      setBusy(false);
    }
  };
  // Messages the server tied to one field are shown there; anything else goes above the form.
  const fieldError = (path: string) => error?.fieldMessage(path);
  const fields = ['role', 'duration', 'reason', 'ticket', 'startAt'];
  const general = error && !error.issues.some((issue) => fields.includes(issue.path)) ? error : undefined;

  return (
    <form class="card request-form" onSubmit={(e) => void submit(e)} aria-labelledby="request-form-title" noValidate>
      <h2 id="request-form-title">Ask for a role</h2>
      <ErrorNotice error={general} title="The request was not made" />
      {error && !general ? (
        <p class="notice notice--error" role="alert">
          The request was not made: check the fields marked below.
        </p>
      ) : null}
      {created ? <Outcome created={created} /> : null}
      <Field id="role" label="Role" required error={fieldError('role')}>
        {(a11y) => (
          <select {...a11y} value={chosen} onChange={(e) => onChoose((e.currentTarget as HTMLSelectElement).value)}>
            {roles.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      {role ? (
        <>
          {role.description ? <p class="role-description">{role.description}</p> : null}
          <RoleFacts role={role} />
        </>
      ) : null}
      <Field id="duration" label="For how long" hint={role ? `e.g. 30m, 1h, 1h30m. Empty: ${role.defaultDuration}; at most ${role.maxDuration}.` : 'e.g. 30m, 1h'} error={fieldError('duration')}>
        {(a11y) => <input {...a11y} type="text" inputMode="text" autoComplete="off" value={duration} placeholder={role?.defaultDuration} onInput={(e) => setDuration(e.currentTarget.value)} />}
      </Field>
      <Field id="reason" label="Why you need it" required={role?.requireReason} hint="Kept in the audit trail and shown to approvers." error={fieldError('reason')}>
        {(a11y) => <textarea {...a11y} rows={3} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />}
      </Field>
      {role?.ticketPattern ? (
        <Field id="ticket" label="Ticket" required hint={`Must match ${role.ticketPattern}`} error={fieldError('ticket')}>
          {(a11y) => <input {...a11y} type="text" autoComplete="off" value={ticket} onInput={(e) => setTicket(e.currentTarget.value)} />}
        </Field>
      ) : (
        <Field id="ticket" label="Ticket (optional)" error={fieldError('ticket')}>
          {(a11y) => <input {...a11y} type="text" autoComplete="off" value={ticket} onInput={(e) => setTicket(e.currentTarget.value)} />}
        </Field>
      )}
      <Field id="start" label="Start later (optional)" hint="Empty: now. Up to 30 days ahead, in your time zone." error={fieldError('startAt')}>
        {(a11y) => <input {...a11y} type="datetime-local" value={start} onInput={(e) => setStart(e.currentTarget.value)} />}
      </Field>
      <div class="actions">
        <button type="submit" class="button" disabled={busy || !role}>
          {busy ? 'Requesting…' : role?.breakGlass ? 'Break glass' : 'Request'}
        </button>
      </div>
    </form>
  );
}

export function RolesPage() {
  const { query } = useLocation();
  const roles = useLoad(() => api.get<{ roles: RoleView[] }>('/v1/roles').then((r) => r.roles));
  const eligible = (roles.data ?? []).filter((r) => r.youAreEligible);
  const [chosen, setChosen] = useState<string | undefined>(query.role);
  const current = chosen !== undefined && eligible.some((r) => r.name === chosen) ? chosen : eligible[0]?.name;
  const others = (roles.data ?? []).filter((r) => !r.youAreEligible);

  return (
    <Page title="Request access" intro="Nobody holds admin rights all the time here. Ask for the role you need, for as long as you need it; it is taken away by itself when the time is up.">
      <ErrorNotice error={roles.error} title="Your roles could not be read" />
      {roles.loading && !roles.data ? <Loading what="your roles" /> : null}
      {roles.data && eligible.length === 0 ? <p>There is no role you may request. Ask an administrator to make you eligible.</p> : null}
      {current ? <RequestForm roles={eligible} chosen={current} onChoose={setChosen} /> : null}
      {eligible.length > 0 ? (
        <section aria-labelledby="your-roles">
          <h2 id="your-roles">Roles you may request</h2>
          <ul class="cards">
            {eligible.map((role) => (
              <li key={role.name} class="card">
                <h3>{role.name}</h3>
                {role.description ? <p>{role.description}</p> : null}
                <RoleFacts role={role} />
                <button type="button" class="button button--secondary" onClick={() => { setChosen(role.name); document.getElementById('role')?.focus(); }}>
                  Request {role.name}
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {others.length > 0 ? (
        <section aria-labelledby="other-roles">
          <h2 id="other-roles">Other roles</h2>
          <p>You can see these as an administrator or auditor, but you are not eligible for them.</p>
          <ul class="plain">
            {others.map((role) => (
              <li key={role.name}>
                <strong>{role.name}</strong>: eligible are {role.eligible.join(', ')}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </Page>
  );
}
