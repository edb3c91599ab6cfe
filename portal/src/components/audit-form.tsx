// The audit search form. It starts from the filters in the page address and hands back new ones on
// "Search"; the server's messages about a filter appear at that filter.
import { useState } from 'preact/hooks';
import type { ApiError } from '../api.ts';
import { AUDIT_EVENT_TYPES, isIsoInstant, isoToLocalInput, linkTimeWords, localInputToIso, type AuditFilterName, type AuditFilters } from './audit-filters.ts';
import { Field } from './field.tsx';
import { ErrorNotice } from './notice.tsx';

const GROUPS: readonly { readonly label: string; readonly prefixes: readonly string[] }[] = [
  { label: 'Requests and approvals', prefixes: ['request.', 'approval.'] },
  { label: 'Leases', prefixes: ['lease.'] },
  { label: 'Sessions', prefixes: ['session.'] },
  { label: 'Sign-in and tokens', prefixes: ['auth.'] },
  { label: 'Reconciler', prefixes: ['reconcile.'] },
];

/** The filters with a field in the form (requestId and leaseId only come from links). */
const FORM_FIELDS: readonly AuditFilterName[] = ['principal', 'role', 'type', 'since', 'until'];

/** The server names a query field either plainly or under "query". */
export function filterMessage(error: ApiError | undefined, name: AuditFilterName): string | undefined {
  return error?.fieldMessage(name) ?? error?.fieldMessage(`query.${name}`);
}

/** A time filter: a datetime-local picker, which also keeps a relative time ("24h") that came in a link. */
function TimeField({ id, label, value, error, onChange }: { readonly id: string; readonly label: string; readonly value: string; readonly error: string | undefined; readonly onChange: (value: string) => void }) {
  const [local, setLocal] = useState(isoToLocalInput(value));
  const [relative, setRelative] = useState(value !== '' && !isIsoInstant(value) ? value : '');
  const hint = relative ? `From the link: ${linkTimeWords(relative)}. Pick a time to replace it.` : 'In your time zone. Empty: no limit.';
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      {(a11y) => (
        <input
          {...a11y}
          type="datetime-local"
          step={1}
          value={local}
          onInput={(e) => {
            const next = e.currentTarget.value;
            setLocal(next);
            setRelative('');
            onChange(localInputToIso(next));
          }}
        />
      )}
    </Field>
  );
}

export function AuditForm({ filters, error, busy, onSearch }: { readonly filters: AuditFilters; readonly error: ApiError | undefined; readonly busy: boolean; readonly onSearch: (filters: AuditFilters) => void }) {
  const [draft, setDraft] = useState<AuditFilters>(filters);
  const set = (name: AuditFilterName) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));
  // A type list typed into a link ("lease.granted,lease.revoked") stays choosable.
  const extraType = draft.type !== '' && !(AUDIT_EVENT_TYPES as readonly string[]).includes(draft.type) ? draft.type : undefined;
  const general = error && !FORM_FIELDS.some((name) => filterMessage(error, name)) ? error : undefined;

  return (
    <form
      class="card audit-form"
      role="search"
      aria-labelledby="audit-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSearch({ ...draft, principal: draft.principal.trim(), role: draft.role.trim() });
      }}
    >
      <h2 id="audit-form-title">Search events</h2>
      <ErrorNotice error={general} title="The search was refused" />
      {error && !general ? (
        <p class="notice notice--error" role="alert">
          The search was refused: check the filters marked below.
        </p>
      ) : null}
      {draft.requestId || draft.leaseId ? (
        <p>
          Only events of {draft.requestId ? `request ${draft.requestId}` : ''}
          {draft.requestId && draft.leaseId ? ' and ' : ''}
          {draft.leaseId ? `lease ${draft.leaseId}` : ''}, as the link asked.
        </p>
      ) : null}
      <div class="inline-fields">
        <Field id="audit-principal" label="Principal" hint="Who acted, or whom it was about." error={filterMessage(error, 'principal')}>
          {(a11y) => <input {...a11y} type="text" autoComplete="off" value={draft.principal} onInput={(e) => set('principal')(e.currentTarget.value)} />}
        </Field>
        <Field id="audit-role" label="Role" hint="e.g. domain-admins" error={filterMessage(error, 'role')}>
          {(a11y) => <input {...a11y} type="text" autoComplete="off" value={draft.role} onInput={(e) => set('role')(e.currentTarget.value)} />}
        </Field>
        <Field id="audit-type" label="Event type" hint="As listed in docs/audit-events.md." error={filterMessage(error, 'type')}>
          {(a11y) => (
            <select {...a11y} value={draft.type} onChange={(e) => set('type')(e.currentTarget.value)}>
              <option value="">Any event</option>
              {extraType ? <option value={extraType}>{extraType.split(',').join(', ')}</option> : null}
              {GROUPS.map((group) => (
                <optgroup key={group.label} label={group.label}>
                  {AUDIT_EVENT_TYPES.filter((type) => group.prefixes.some((p) => type.startsWith(p))).map((type) => (
                    <option key={type} value={type}>
                      {type}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          )}
        </Field>
      </div>
      <div class="inline-fields">
        <TimeField id="audit-since" label="From" value={filters.since} error={filterMessage(error, 'since')} onChange={set('since')} />
        <TimeField id="audit-until" label="Until (not including)" value={filters.until} error={filterMessage(error, 'until')} onChange={set('until')} />
      </div>
      <div class="actions">
        <button type="submit" class="button" disabled={busy}>
          {busy ? 'Searching…' : 'Search'}
        </button>
        <a class="button button--secondary" href="/audit">
          Clear the filters
        </a>
      </div>
    </form>
  );
}
