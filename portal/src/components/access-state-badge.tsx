// A lease's or request's state as a badge: the words carry the meaning, the colour only repeats it.
import { stateBadgeKind, stateLabel } from '../format.ts';

export function StateBadge({ state, label }: { readonly state: string; readonly label?: string }) {
  return <span class={`badge badge--${stateBadgeKind(state)}`}>{label ?? stateLabel(state)}</span>;
}
