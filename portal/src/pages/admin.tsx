// Operations: everyone's live access and what needs attention (failed revocations, break-glass to review,
// standing access), from GET /v1/status, refreshed every 15 seconds. For admins and auditors.
import { ApiError, api } from '../api.ts';
import { ErrorNotice, Loading } from '../components/notice.tsx';
import { OpsActiveLeases } from '../components/ops-active-leases.tsx';
import { OpsBreakGlass } from '../components/ops-break-glass.tsx';
import { OpsCounts } from '../components/ops-counts.tsx';
import { OpsRevocations } from '../components/ops-revocations.tsx';
import { OpsStanding } from '../components/ops-standing.tsx';
import { Page } from '../components/page.tsx';
import { formatTime } from '../format.ts';
import { useMe } from '../session.ts';
import type { StatusView } from '../types.ts';
import { useLoad } from '../use-load.ts';

const EVERY_MS = 15_000;

// /v1/status answers everyone, but only with their own leases (scope "own"); this page is about everyone's.
const NOT_FOR_YOU = new ApiError(403, 'forbidden', 'The operations view is for admins and auditors. Your own access is under "My access".');

export function AdminPage() {
  const me = useMe();
  const status = useLoad(() => api.get<StatusView>('/v1/status'), [], { everyMs: EVERY_MS });
  const data = status.data;
  const reload = () => status.reload();

  return (
    <Page title="Operations" intro="Everyone's access through jitd right now, and what needs someone's attention. Refreshed every 15 seconds.">
      <ErrorNotice error={status.error} title="The status could not be read" />
      {status.loading && !data ? <Loading what="the status" /> : null}
      {data?.scope === 'own' ? <ErrorNotice error={NOT_FOR_YOU} /> : null}
      {data?.scope === 'all' ? (
        <>
          <p class="ops-updated">As of {formatTime(data.at)}.</p>
          <OpsCounts status={data} />
          <OpsRevocations leases={data.revoking} canRetry={me.admin} onChange={reload} />
          <OpsBreakGlass leases={data.unreviewedBreakGlass} onChange={reload} />
          <OpsActiveLeases leases={data.active} onEnded={() => void reload()} />
          <OpsStanding standing={data.standingAccess} />
        </>
      ) : null}
    </Page>
  );
}
