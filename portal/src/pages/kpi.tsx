// KPIs: how well jitd does its job over a period (GET /v1/reports/kpi; definitions in docs/kpis.md).
// The period is in the page address (?since=7d) so a view can be linked.
import { useLocation } from 'preact-iso';
import { api } from '../api.ts';
import { Field } from '../components/field.tsx';
import { ApprovalTile, RevocationTile, StandingTile, UtilizationTile } from '../components/kpi-tiles.tsx';
import { ErrorNotice, Loading } from '../components/notice.tsx';
import { Page } from '../components/page.tsx';
import { formatTime } from '../format.ts';
import type { KpiReport } from '../types.ts';
import { useLoad } from '../use-load.ts';

const PERIODS = [
  { since: '7d', label: 'Last 7 days' },
  { since: '30d', label: 'Last 30 days' },
  { since: '90d', label: 'Last 90 days' },
] as const;
const DEFAULT_SINCE = '30d';

function TopRoles({ roles }: { readonly roles: KpiReport['topRoles'] }) {
  if (roles.length === 0) return <p>Nobody requested a role in this period.</p>;
  return (
    // Focusable so that keyboard users can scroll it on a narrow screen (it has no links of its own).
    <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="kpi-roles-caption">
      <table class="kpi-day-table">
        <caption id="kpi-roles-caption">Roles by number of requests in the period, most first</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col" class="num">
              Requests
            </th>
          </tr>
        </thead>
        <tbody>
          {roles.map((r) => (
            <tr key={r.role}>
              <th scope="row">{r.role}</th>
              <td class="num">{r.requests}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function KpiPage() {
  const { query, route } = useLocation();
  const since = PERIODS.some((p) => p.since === query.since) ? query.since! : DEFAULT_SINCE;
  const report = useLoad(() => api.get<KpiReport>(`/v1/reports/kpi?since=${encodeURIComponent(since)}`), [since]);
  const data = report.data;
  const choose = (value: string) => route(value === DEFAULT_SINCE ? '/kpi' : `/kpi?since=${encodeURIComponent(value)}`, true);

  return (
    <Page title="KPIs" intro="How well jitd does its job, computed from the leases, the requests and the reconciler's counts.">
      <form class="kpi-period" onSubmit={(e) => e.preventDefault()}>
        <Field id="kpi-since" label="Period" hint="The charts show one point per UTC day.">
          {(a11y) => (
            <select {...a11y} value={since} onChange={(e) => choose(e.currentTarget.value)}>
              {PERIODS.map((p) => (
                <option key={p.since} value={p.since}>
                  {p.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <ErrorNotice error={report.error} title="The KPIs could not be read" />
      {report.loading ? <Loading what="the KPIs" /> : null}
      {data ? (
        <>
          <p>
            From {formatTime(data.period.since)} to {formatTime(data.period.until)}.
          </p>
          <section aria-labelledby="kpi-figures-title">
            <h2 id="kpi-figures-title">Key figures</h2>
            <ul class="kpis kpi-tiles">
              <StandingTile kpi={data.standingAccess} />
              <UtilizationTile kpi={data.utilization} />
              <ApprovalTile kpi={data.approvalTime} />
              <RevocationTile kpi={data.revocation} />
            </ul>
          </section>
          <section aria-labelledby="kpi-roles-title">
            <h2 id="kpi-roles-title">Top requested roles</h2>
            <TopRoles roles={data.topRoles} />
          </section>
          <section aria-labelledby="kpi-always-on-title">
            <h2 id="kpi-always-on-title">Always-on candidates</h2>
            <p>
              <strong data-kpi="always-on-candidates">{data.alwaysOnCandidates}</strong>{' '}
              {data.alwaysOnCandidates === 1 ? 'pair of person and role looks' : 'pairs of person and role look'} like standing access: the role was held for at least 4 hours
              on 60% or more of the working days (UTC, Monday to Friday). For the list, see <code>jitd report always-on</code>.
            </p>
          </section>
        </>
      ) : null}
    </Page>
  );
}
