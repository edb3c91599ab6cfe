// A lease's state as a badge: the word carries the meaning, the colour only repeats it.
import { stateLabel } from '../format.ts';

const KIND: Readonly<Record<string, 'active' | 'pending' | 'failed' | 'done'>> = {
  active: 'active',
  granting: 'pending',
  revoking: 'pending',
  revoke_failed: 'failed',
  grant_failed: 'failed',
};

export function OpsStateBadge({ state }: { readonly state: string }) {
  return <span class={`badge badge--${KIND[state] ?? 'done'}`}>{stateLabel(state)}</span>;
}
