// What an action just did, announced at the top of the page. The button that started it may be gone after the
// reload (a released lease's card, a decided request), so focus moves to the message rather than being lost.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { SuccessNotice } from './notice.tsx';

export interface Outcome {
  /** Counts announcements, so the same words twice still take focus. */
  readonly seq: number;
  readonly body: ComponentChildren;
}

export function useOutcome(): { readonly outcome: Outcome | undefined; readonly announce: (body: ComponentChildren) => void } {
  const [outcome, setOutcome] = useState<Outcome | undefined>(undefined);
  return { outcome, announce: (body) => setOutcome((last) => ({ seq: (last?.seq ?? 0) + 1, body })) };
}

export function OutcomeNotice({ outcome }: { readonly outcome: Outcome | undefined }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (outcome) box.current?.focus();
  }, [outcome?.seq]);
  if (!outcome) return null;
  return (
    <div ref={box} tabIndex={-1} class="access-outcome">
      <SuccessNotice>{outcome.body}</SuccessNotice>
    </div>
  );
}
