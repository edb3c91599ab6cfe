// The audit search's state: the first page for the current filters, then older pages appended on demand.
// A newer search wins over an older one still on its way.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import type { AuditEventView, AuditSearchResult } from '../types.ts';
import { auditSearchPath, type AuditFilters } from './audit-filters.ts';

export interface AuditSearch {
  readonly events: readonly AuditEventView[];
  /** The `beforeSeq` of the next older page; undefined when the oldest matching event is shown. */
  readonly next: number | undefined;
  readonly error: ApiError | undefined;
  /** Which page is being read, if any. */
  readonly loading: 'first' | 'older' | undefined;
  readonly older: () => Promise<void>;
  readonly reload: () => Promise<void>;
}

export function useAuditSearch(filters: AuditFilters): AuditSearch {
  const key = auditSearchPath(filters);
  const [events, setEvents] = useState<readonly AuditEventView[]>([]);
  const [next, setNext] = useState<number | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState<'first' | 'older' | undefined>('first');
  const latest = useRef(0);

  const load = useCallback(
    async (beforeSeq?: number) => {
      const mine = ++latest.current;
      setLoading(beforeSeq === undefined ? 'first' : 'older');
      setError(undefined);
      try {
        const page = await api.get<AuditSearchResult>(auditSearchPath(filters, beforeSeq));
        if (mine !== latest.current) return;
        setEvents((shown) => (beforeSeq === undefined ? page.events : [...shown, ...page.events]));
        setNext(page.next);
      } catch (caught) {
        if (mine !== latest.current) return;
        setError(caught instanceof ApiError ? caught : new ApiError(0, 'portal', String(caught)));
        if (beforeSeq === undefined) {
          setEvents([]);
          setNext(undefined);
        }
      } finally {
        if (mine === latest.current) setLoading(undefined);
      }
    },
    [key],
  );

  useEffect(() => {
    void load();
  }, [load]);

  return { events, next, error, loading, older: () => (next === undefined ? Promise.resolve() : load(next)), reload: () => load() };
}
