// One call a button starts: which one runs (so its button is disabled), and the server's refusal to show.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';

export interface Action {
  /** The name of the call that runs now, if any. */
  readonly busy: string | undefined;
  readonly error: ApiError | undefined;
  /** Runs `call` unless another runs; resolves to its result, or undefined when it was refused (see `error`). */
  readonly run: <T>(name: string, call: () => Promise<T>) => Promise<T | undefined>;
  readonly clear: () => void;
}

export function asApiError(caught: unknown): ApiError {
  return caught instanceof ApiError ? caught : new ApiError(0, 'portal', String(caught));
}

export function useAction(): Action {
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const run = async <T,>(name: string, call: () => Promise<T>): Promise<T | undefined> => {
    // Disabling the focused button drops focus to the page; it goes back once the button is enabled again.
    const started = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    setBusy(name);
    setError(undefined);
    try {
      return await call();
    } catch (caught) {
      setError(asApiError(caught));
      return undefined;
    } finally {
      setBusy(undefined);
      setTimeout(() => {
        const lost = document.activeElement === null || document.activeElement === document.body;
        if (lost && started?.isConnected) started.focus();
      }, 0);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}


/** Puts focus on the field the server's message is about, once that message is shown. */
export function useFocusOnError(error: unknown, target: () => HTMLElement | null | undefined): void {
  useEffect(() => {
    if (error) target()?.focus();
  }, [error]);
}
