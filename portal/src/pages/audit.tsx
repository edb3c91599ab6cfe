// The audit trail: search every event jitd recorded (GET /v1/audit), newest first, page back through older
// ones, export exactly what the filters match, and verify the hash chain. The filters live in the page
// address, so a search can be linked and survives a reload.
import { useLocation } from 'preact-iso';
import { useEffect, useRef } from 'preact/hooks';
import { AuditForm } from '../components/audit-form.tsx';
import { auditExportPath, auditPagePath, filtersFromQuery, type AuditFilters } from '../components/audit-filters.ts';
import { useAuditSearch } from '../components/audit-search.ts';
import { AuditTable } from '../components/audit-table.tsx';
import { AuditVerify } from '../components/audit-verify.tsx';
import { Loading } from '../components/notice.tsx';
import { Page } from '../components/page.tsx';

function described(filters: AuditFilters): string {
  const parts = [
    filters.principal ? `involving ${filters.principal}` : '',
    filters.role ? `about ${filters.role}` : '',
    filters.type ? `of type ${filters.type.split(',').join(', ')}` : '',
    filters.requestId ? `of request ${filters.requestId}` : '',
    filters.leaseId ? `of lease ${filters.leaseId}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? ` ${parts.join(', ')}` : '';
}

export function AuditPage() {
  const { query, route } = useLocation();
  const filters = filtersFromQuery(query);
  const pagePath = auditPagePath(filters);
  const search = useAuditSearch(filters);
  const searchFor = (next: AuditFilters) => {
    const path = auditPagePath(next);
    if (path === pagePath) void search.reload();
    else route(path);
  };
  const count = search.events.length;
  // When the last older page arrives its button goes away: keep keyboard focus on the page, at the count.
  const countLine = useRef<HTMLParagraphElement>(null);
  const pagedBack = useRef(false);
  useEffect(() => {
    if (pagedBack.current && search.loading === undefined && search.next === undefined) countLine.current?.focus();
    if (search.loading === undefined) pagedBack.current = false;
  }, [search.loading, search.next]);
  const caption = `${count} ${count === 1 ? 'event' : 'events'}${described(filters)}, newest first`;

  return (
    <Page title="Audit trail" intro="Every change jitd made, in a hash chain that shows any later edit. Times are in your time zone.">
      <AuditForm key={pagePath} filters={filters} error={search.error} busy={search.loading !== undefined} onSearch={searchFor} />
      <section aria-labelledby="audit-results-title">
        <h2 id="audit-results-title">Events</h2>
        <div class="actions audit-actions">
          <a class="button button--secondary" href={auditExportPath(filters)} download="jitd-audit.jsonl">
            Export these events
          </a>
          <AuditVerify />
        </div>
        <p class="hint">The export holds every event these filters match, as JSON lines that can be checked without jitd.</p>
        {search.loading === 'first' ? <Loading what="events" /> : null}
        <p role="status" class="audit-count" tabIndex={-1} ref={countLine}>
          {search.loading === undefined && !search.error ? (count === 0 ? 'No events match these filters.' : `Showing ${caption}.`) : ''}
        </p>
        {count > 0 ? <AuditTable events={search.events} caption={caption} /> : null}
        {search.next !== undefined && count > 0 ? (
          <div class="actions">
            <button
              type="button"
              class="button button--secondary"
              disabled={search.loading !== undefined}
              onClick={() => {
                pagedBack.current = true;
                void search.older();
              }}
            >
              {search.loading === 'older' ? 'Loading older events…' : 'Older events'}
            </button>
          </div>
        ) : null}
      </section>
    </Page>
  );
}
