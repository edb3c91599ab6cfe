// The reconciler compares who really holds each managed target with the leases that explain it. A holder
// without a lease is standing access — what jitd exists to remove. It is reported (audit event, metric,
// API); with `enforce: true` on the role it is also removed.
import type { AuditEventDraft } from '../core/audit-event.ts';
import { PrincipalId } from '../core/ids.ts';
import type { Role } from '../core/role.ts';
import type { Holder } from '../connectors/connector.ts';
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

const targetKey = (role: Pick<Role, 'connector' | 'target'>) => `${role.connector}\u0000${JSON.stringify(role.target)}`;

export class Reconciler {
  private readonly deps: EngineDeps;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;
  /** finding key → when first seen, so that one standing holder is one audit event, not one per pass. */
  private readonly known = new Map<string, string>();
  last: ReconcileReport | undefined;

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

  /** One pass over every role. */
  async run(): Promise<ReconcileReport> {
    const now = this.deps.clock.now();
    const findings: StandingAccessFinding[] = [];
    const errors: { role: string; error: string }[] = [];
    const events: AuditEventDraft[] = [];
    const seen = new Set<string>();
    // Read the targets first, then the leases: a grant in flight commits its lease before touching the
    // target, so any holder seen here is explained by a lease read afterwards.
    const inspected: { role: Role; holders: readonly Holder[] }[] = [];
    for (const role of this.deps.roles.values()) {
      try {
        inspected.push({ role, holders: await connectorFor(this.deps, role).inspect(role.target) });
      } catch (error) {
        errors.push({ role: role.name, error: describeError(error) });
        this.deps.log.warn({ role: role.name, error: describeError(error) }, 'reconcile: could not inspect the role\'s target');
      }
    }
    const leased = new Set((await this.deps.store.listLiveLeases()).map((lease) => `${targetKey(lease)}\u0000${lease.principal}`));
    for (const { role, holders } of inspected) {
      let standing = 0;
      for (const holder of holders) {
        if (leased.has(`${targetKey(role)}\u0000${holder.principal}`)) continue;
        const key = `${role.name}\u0000${holder.raw}`;
        const isNew = !this.known.has(key);
        const firstSeenAt = this.known.get(key) ?? now.toISOString();
        let removed = false;
        if (role.enforce) {
          try {
            await connectorFor(this.deps, role).revoke({ principal: PrincipalId(holder.principal), target: role.target });
            removed = true;
          } catch (error) {
            errors.push({ role: role.name, error: `removing standing holder ${holder.raw}: ${describeError(error)}` });
          }
        }
        if (!removed) {
          standing += 1;
          seen.add(key);
          this.known.set(key, firstSeenAt);
        }
        if (removed || isNew) {
          events.push({
            type: removed ? 'reconcile.standing_access_removed' : 'reconcile.standing_access_found',
            at: now,
            actor: 'system',
            data: { connector: role.connector, role: role.name, target: role.target, holder: holder.principal, raw: holder.raw },
          });
        }
        findings.push({ role: role.name, connector: role.connector, holder: holder.principal, raw: holder.raw, firstSeenAt, removed });
      }
      this.deps.metrics.standingHolders.set({ role: role.name }, standing);
    }
    for (const key of this.known.keys()) if (!seen.has(key)) this.known.delete(key);
    if (events.length > 0) await record(this.deps, { events });
    this.last = { at: now.toISOString(), findings, errors };
    return this.last;
  }
}
