// The reconciler compares who really holds each managed target with the leases that explain it. A holder
// without a lease is standing access — what jitd exists to remove. It is reported (audit event, metric,
// API); with `enforce: true` on the role it is also removed.
import { PrincipalId } from '../core/ids.ts';
import type { Role } from '../core/role.ts';
import type { Holder } from '../connectors/connector.ts';
import type { StandingAccessCount } from '../store/store.ts';
import type { EngineDeps } from './deps.ts';
import { record } from './record.ts';
import { connectorFor, describeError } from './target-ops.ts';

export interface StandingAccessFinding {
  readonly role: string;
  readonly connector: string;
  readonly holder: string;
  readonly raw: string;
  readonly firstSeenAt: string;
  readonly removed: boolean;
}

export interface ReconcileReport {
  readonly at: string;
  readonly findings: readonly StandingAccessFinding[];
  readonly errors: readonly { readonly role: string; readonly error: string }[];
}

/** An unchanged count is kept again after this long, so the history shows the reconciler was looking. */
const KEEP_UNCHANGED_MS = 3_600_000;

const targetKey = (role: Pick<Role, 'connector' | 'target'>) => `${role.connector}\u0000${JSON.stringify(role.target)}`;

export class Reconciler {
  private readonly deps: EngineDeps;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;
  /** finding key → when first seen, so that one standing holder is one audit event, not one per pass. */
  private readonly known = new Map<string, string>();
  last: ReconcileReport | undefined;
  /** The counts last kept per role: unchanged counts are kept again only hourly, so the history stays small. */
  private readonly kept = new Map<string, { standing: number; leased: number; at: number }>();

  constructor(deps: EngineDeps, intervalMs: number) {
    this.deps = deps;
    this.intervalMs = intervalMs;
  }

  start(): void {
    const loop = () => {
      this.current = this.run()
        .catch((error: unknown) => this.deps.log.error({ err: error }, 'reconcile pass failed'))
        .finally(() => {
          this.timer = setTimeout(loop, this.intervalMs);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.current;
    clearTimeout(this.timer);
  }

  /** Removes a standing holder and reads back; a holder that does not map to a principal cannot be removed. */
  private async remove(role: Role, holder: Holder, errors: { role: string; error: string }[]): Promise<boolean> {
    if (!holder.mapped) {
      errors.push({ role: role.name, error: `cannot remove standing holder ${holder.raw}: it does not match the connector's principal mapping` });
      return false;
    }
    const ref = { principal: PrincipalId(holder.principal), target: role.target };
    try {
      const connector = connectorFor(this.deps, role);
      await connector.revoke(ref);
      if (await connector.holds(ref)) throw new Error('the removal reported success but reading the target back still shows access');
      return true;
    } catch (error) {
      errors.push({ role: role.name, error: `removing standing holder ${holder.raw}: ${describeError(error)}` });
      return false;
    }
  }

  /** One pass over every role. */
  async run(): Promise<ReconcileReport> {
    const now = this.deps.clock.now();
    const findings: StandingAccessFinding[] = [];
    const errors: { role: string; error: string }[] = [];
    // Read the targets first, then the leases: a grant in flight commits its lease before touching the
    // target, so any holder seen here is explained by a lease read afterwards.
    const inspected: { role: Role; holders: readonly Holder[] }[] = [];
    const uninspected = new Set<string>();
    for (const role of this.deps.roles.values()) {
      try {
        inspected.push({ role, holders: await connectorFor(this.deps, role).inspect(role.target) });
      } catch (error) {
        uninspected.add(role.name);
        errors.push({ role: role.name, error: describeError(error) });
        this.deps.log.warn({ role: role.name, error: describeError(error) }, "reconcile: could not inspect the role's target");
      }
    }
    const leased = new Set((await this.deps.store.listLiveLeases()).map((lease) => `${targetKey(lease)}\u0000${lease.principal}`));
    const seen = new Set<string>();
    const counts: StandingAccessCount[] = [];
    for (const { role, holders } of inspected) {
      let standing = 0;
      let withLease = 0;
      for (const holder of holders) {
        if (holder.mapped && leased.has(`${targetKey(role)}\u0000${holder.principal}`)) {
          withLease += 1;
          continue;
        }
        const key = `${role.name}\u0000${holder.raw}`;
        const firstSeenAt = this.known.get(key) ?? now.toISOString();
        const data = { connector: role.connector, role: role.name, target: role.target, holder: holder.principal, raw: holder.raw };
        // The finding is on record before anything is removed.
        if (!this.known.has(key)) await record(this.deps, { events: [{ type: 'reconcile.standing_access_found', at: now, actor: 'system', data }] });
        this.known.set(key, firstSeenAt);
        const removed = role.enforce && (await this.remove(role, holder, errors));
        if (removed) {
          await record(this.deps, { events: [{ type: 'reconcile.standing_access_removed', at: this.deps.clock.now(), actor: 'system', data }] });
          this.known.delete(key);
        } else {
          standing += 1;
          seen.add(key);
        }
        findings.push({ role: role.name, connector: role.connector, holder: holder.principal, raw: holder.raw, firstSeenAt, removed });
      }
      this.deps.metrics.standingHolders.set({ role: role.name }, standing);
      const kept = this.kept.get(role.name);
      if (!kept || kept.standing !== standing || kept.leased !== withLease || now.getTime() - kept.at >= KEEP_UNCHANGED_MS) {
        counts.push({ role: role.name, at: now, standing, leased: withLease });
      }
    }
    await this.deps.store.recordStandingAccess(counts);
    for (const c of counts) this.kept.set(c.role, { standing: c.standing, leased: c.leased, at: c.at.getTime() });
    // Forget findings that are gone; keep those of roles that could not be inspected this time.
    for (const key of this.known.keys()) {
      if (!seen.has(key) && !uninspected.has(key.slice(0, key.indexOf('\u0000')))) this.known.delete(key);
    }
    this.last = { at: now.toISOString(), findings, errors };
    return this.last;
  }
}
