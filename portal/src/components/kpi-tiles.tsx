// The four KPIs of docs/kpis.md, each as a tile. Every headline number carries a data-kpi hook so the
// browser end-to-end test can read it; the definitions are the doc's, in one sentence each.
import { Fragment } from 'preact';
import { formatPercent, formatWait } from '../format.ts';
import type { ApprovalStats, KpiReport } from '../types.ts';
import { KpiChart } from './kpi-chart.tsx';
import { countOf, msToSeconds } from './kpi-series.ts';
import { KpiTile } from './kpi-tile.tsx';

const percent = (value: number) => formatPercent(value);
const seconds = (value: number) => formatWait(value * 1000);
const days = <T extends { readonly day: string }>(series: readonly T[]) => series.map((entry) => entry.day);
const orDash = (value: number | null) => (value === null ? '—' : String(value));

export function StandingTile({ kpi }: { readonly kpi: KpiReport['standingAccess'] }) {
  return (
    <KpiTile
      id="kpi-standing"
      title="Standing access reduction"
      definition="Standing holders are people in a role's target with no live lease; the reduction compares their number now with the reconciler's first inventory ((first − now) / first), and is negative when there are more now."
      chart={<KpiChart what="Standing holders" unit="holders" days={days(kpi.series)} lines={[{ label: 'Standing holders', values: kpi.series.map((e) => e.standing) }]} />}
      table={{ caption: 'Standing holders at the end of each day', columns: ['Standing holders'], rows: kpi.series.map((e) => ({ day: e.day, cells: [orDash(e.standing)] })) }}
    >
      <p class="kpi-value" data-kpi="standing-reduction">
        {formatPercent(kpi.reductionPercent)}
      </p>
      <p>
        Standing holders: <strong>{kpi.baseline}</strong> at the first inventory, <strong>{kpi.current}</strong> now.
      </p>
    </KpiTile>
  );
}

export function UtilizationTile({ kpi }: { readonly kpi: KpiReport['utilization'] }) {
  return (
    <KpiTile
      id="kpi-utilization"
      title="JIT utilization"
      definition="Grants through jitd in the period as a share of those grants plus the standing holders (the most seen per role); it rises both when standing holders are removed and when jitd is used more."
      chart={<KpiChart what="JIT utilization" unit="%" range={[0, 100]} show={percent} days={days(kpi.series)} lines={[{ label: 'Utilization', values: kpi.series.map((e) => e.utilizationPercent) }]} />}
      table={{
        caption: 'Grants, standing holders and utilization per day',
        columns: ['Grants', 'Standing holders', 'Utilization'],
        rows: kpi.series.map((e) => ({ day: e.day, cells: [String(e.jitGrants), String(e.standingHolders), formatPercent(e.utilizationPercent)] })),
      }}
    >
      <p class="kpi-value" data-kpi="utilization">
        {formatPercent(kpi.utilizationPercent)}
      </p>
      <p>
        <strong>{kpi.jitGrants}</strong> {kpi.jitGrants === 1 ? 'grant' : 'grants'} through jitd, <strong>{kpi.standingHolders}</strong> standing{' '}
        {kpi.standingHolders === 1 ? 'holder' : 'holders'}.
      </p>
    </KpiTile>
  );
}

const MODES = [
  { key: 'auto', label: 'Automatic', hook: 'approval-auto-median' },
  { key: 'manual', label: 'Approved by people', hook: 'approval-manual-median' },
  { key: 'break_glass', label: 'Break-glass', hook: undefined },
] as const;

function waitCells(stats: ApprovalStats): string[] {
  return [String(stats.count), formatWait(stats.medianMs), formatWait(stats.p90Ms)];
}

export function ApprovalTile({ kpi }: { readonly kpi: KpiReport['approvalTime'] }) {
  return (
    <KpiTile
      id="kpi-approval"
      title="Approval time"
      definition="The wait from the request (or its scheduled start) to the confirmed grant, for leases granted in the period, by how they were approved: median and 90th percentile (nearest rank)."
      chart={
        <KpiChart
          what="Median wait for a grant"
          unit="seconds"
          show={seconds}
          days={days(kpi.series)}
          lines={MODES.map((mode) => ({ label: mode.label, values: kpi.series.map((e) => msToSeconds(e[mode.key].medianMs)) }))}
        />
      }
      table={{
        caption: 'Grants and waits per day, by approval mode',
        columns: MODES.flatMap((mode) => [`${mode.label}: grants`, `${mode.label}: median`, `${mode.label}: p90`]),
        rows: kpi.series.map((e) => ({ day: e.day, cells: MODES.flatMap((mode) => waitCells(e[mode.key])) })),
      }}
    >
      <dl class="facts kpi-facts">
        {MODES.map((mode) => {
          const stats = kpi[mode.key];
          return (
            <Fragment key={mode.key}>
              <dt>{mode.label}</dt>
              <dd>
                median <strong data-kpi={mode.hook}>{formatWait(stats.medianMs)}</strong>, p90 <strong>{formatWait(stats.p90Ms)}</strong> ({stats.count}{' '}
                {stats.count === 1 ? 'grant' : 'grants'})
              </dd>
            </Fragment>
          );
        })}
      </dl>
    </KpiTile>
  );
}

function share(count: number, total: number, pct: number | null): string {
  return total === 0 ? '—' : `${formatPercent(pct)} (${countOf(count, total)})`;
}

export function RevocationTile({ kpi }: { readonly kpi: KpiReport['revocation'] }) {
  return (
    <KpiTile
      id="kpi-revocation"
      title="Revocation at expiry"
      definition="Of the leases that should have ended by themselves at expiry in the period: how many were revoked on the first try, confirmed within 1 s and within 1 min of expiry, and how many are still failing now."
      chart={
        <KpiChart
          what="Revocations at expiry"
          unit="%"
          range={[0, 100]}
          show={percent}
          days={days(kpi.series)}
          lines={[
            { label: 'First try', values: kpi.series.map((e) => e.firstTryPercent) },
            { label: 'Within 1 s', values: kpi.series.map((e) => e.within1sPercent) },
            { label: 'Within 1 min', values: kpi.series.map((e) => e.within1mPercent) },
          ]}
        />
      }
      table={{
        caption: 'Leases that expired each day, and how their revocation went',
        columns: ['Leases', 'First try', 'Within 1 s', 'Within 1 min', 'Still failing'],
        rows: kpi.series.map((e) => ({
          day: e.day,
          cells: [String(e.total), share(e.firstTry, e.total, e.firstTryPercent), share(e.within1s, e.total, e.within1sPercent), share(e.within1m, e.total, e.within1mPercent), share(e.stillFailing, e.total, e.stillFailingPercent)],
        })),
      }}
    >
      <p class="kpi-value">
        <span data-kpi="revocation-first-try">{formatPercent(kpi.firstTryPercent)}</span> <span class="kpi-value-words">on the first try</span>
      </p>
      <dl class="facts kpi-facts">
        <dt>Leases</dt>
        <dd>
          <strong data-kpi="revocation-total">{kpi.total}</strong> ended at expiry, {kpi.firstTry} on the first try
        </dd>
        <dt>Within 1 s</dt>
        <dd>{share(kpi.within1s, kpi.total, kpi.within1sPercent)}</dd>
        <dt>Within 1 min</dt>
        <dd>{share(kpi.within1m, kpi.total, kpi.within1mPercent)}</dd>
        <dt>Still failing</dt>
        <dd>{share(kpi.stillFailing, kpi.total, kpi.stillFailingPercent)}</dd>
      </dl>
    </KpiTile>
  );
}
