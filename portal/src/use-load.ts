// Loading data for a page: the value, the server's error, and a reload after an action changed things.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly loading: boolean;
  /** Reads again; the current data stays on screen meanwhile. */
  readonly reload: () => Promise<void>;
}

export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[] = [], options: { everyMs?: number } = {}): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const mine = ++latest.current;
    setLoading(true);
    try {
      const value = await load();
      if (mine === latest.current) {
        setData(value);
        setError(undefined);
      }
    } catch (caught) {
      if (mine === latest.current) setError(caught instanceof ApiError ? caught : new ApiError(0, 'portal', String(caught)));
    } finally {
      if (mine === latest.current) setLoading(false);
    }
  }, deps);
  useEffect(() => {
    void reload();
    if (options.everyMs === undefined) return undefined;
    const timer = setInterval(() => void reload(), options.everyMs);
    return () => clearInterval(timer);
  }, [reload, options.everyMs]);
  return { data, error, loading, reload };
}
