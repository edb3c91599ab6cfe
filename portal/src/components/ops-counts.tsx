// The operations summary: how many leases are in each live state and what needs someone's attention.
import type { StatusView } from '../types.ts';

interface Count {
  readonly label: string;
  readonly value: number;
  /** Counts that mean someone should act are marked in words, not only by colour. */
  readonly attention?: boolean;
}

function countsOf(status: StatusView): readonly Count[] {
  const c = status.counts ?? {};
  const n = (key: string) => c[key] ?? 0;
  return [
    { label: 'Active leases', value: n('active') },
    { label: 'Being granted', value: n('granting') },
    { label: 'Being revoked', value: n('revoking') },
    { label: 'Revocations failed', value: n('revoke_failed'), attention: true },
    { label: 'Revocations overdue', value: n('overdueRevocations'), attention: true },
    { label: 'Break-glass to review', value: n('unreviewedBreakGlass') || status.unreviewedBreakGlass.length, attention: true },
    { label: 'Requests waiting for approval', value: status.pending.length },
    { label: 'Scheduled requests', value: status.scheduled.length },
  ];
}

export function OpsCounts({ status }: { readonly status: StatusView }) {
  return (
    <section aria-labelledby="ops-counts-title">
      <h2 id="ops-counts-title">Summary</h2>
      <ul class="ops-counts">
        {countsOf(status).map((count) => (
          <li key={count.label} class={`ops-count${count.attention && count.value > 0 ? ' ops-count--attention' : ''}`}>
            <span class="ops-count-value">{count.value}</span>
            <span class="ops-count-label">
              {count.label}
              {count.attention && count.value > 0 ? <strong class="ops-count-flag"> (needs attention)</strong> : null}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
