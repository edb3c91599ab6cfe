// Where jitd's time goes. Not part of `npm run bench`: this runs jitd *inside* this process (startJitd with
// the benchmark's config, a settable clock and the scheduler driven by hand) so that the store and the
// connector can be wrapped with timers without changing jitd. It reports:
//   1. config load: time and RSS growth of loading a jitd.yaml with one token identity per benchmark user;
//   2. grant and release through HTTP: round trip vs. time in store commits and LDAP operations;
//   3. mass expiry: N leases made due at the same instant, then scheduler ticks until all are revoked, with
//      each tick's time split into finding due work, reading requests, commits and LDAP operations;
//   4. the SQLite commit floor on this disk: one-row transactions with synchronous=FULL vs NORMAL;
//   5. the LDAP floor of the mass revocation: the same removals done with ldapts alone.
// Usage: node_modules/.bin/node bench/diagnose.ts [--mass N] [--grants N] [--out FILE]
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.ts';
import { PrincipalId } from '../src/core/ids.ts';
import type { Caller } from '../src/engine/caller.ts';
import { startJitd, type RunningJitd } from '../src/serve/start-jitd.ts';
import { startSlapd } from '../test/fixtures/slapd.ts';
import { ApiClient } from './api-client.ts';
import { cleanup, cleanupOnSignals, onCleanup } from './cleanup.ts';
import { ldapBenchConnector, writeBenchConfig, type BenchRole } from './jitd-server.ts';
import { LdapWitness, RawTargetClient } from './ldap-witness.ts';
import { sampleProcess } from './proc-stats.ts';
import { phase } from './progress.ts';
import { writeJson } from './report.ts';
import { round, summarize } from './stats.ts';

interface OpTotal {
  count: number;
  ms: number;
  maxMs: number;
}

/** Accumulated time per named operation; wrapping replaces a method on a live object with a timed one. */
class OpTimers {
  private totals = new Map<string, OpTotal>();
  /** Every commit: how many audit events it carried and how long it took. */
  commits: { events: number; rows: number; ms: number }[] = [];

  add(name: string, ms: number): void {
    const t = this.totals.get(name) ?? { count: 0, ms: 0, maxMs: 0 };
    t.count += 1;
    t.ms += ms;
    t.maxMs = Math.max(t.maxMs, ms);
    this.totals.set(name, t);
  }

  wrap<T extends object>(target: T, key: keyof T & string, name: string): void {
    const original = target[key] as unknown as (...args: unknown[]) => Promise<unknown>;
    const wrapped = async (...args: unknown[]): Promise<unknown> => {
      const t0 = performance.now();
      try {
        return await original.apply(target, args);
      } finally {
        this.add(name, performance.now() - t0);
      }
    };
    (target as Record<string, unknown>)[key] = wrapped;
  }

  ms(name: string): number {
    return this.totals.get(name)?.ms ?? 0;
  }

  snapshot(): Record<string, { count: number; total_ms: number; mean_ms: number; max_ms: number }> {
    return Object.fromEntries(
      [...this.totals].map(([name, t]) => [name, { count: t.count, total_ms: round(t.ms, 1), mean_ms: round(t.ms / t.count), max_ms: round(t.maxMs, 1) }]),
    );
  }

  reset(): void {
    this.totals = new Map();
    this.commits = [];
  }
}

function instrument(jitd: RunningJitd, timers: OpTimers): void {
  const store = jitd.deps.store;
  const commit = store.commit.bind(store);
  (store as { commit: typeof store.commit }).commit = async (change) => {
    const t0 = performance.now();
    try {
      return await commit(change);
    } finally {
      const ms = performance.now() - t0;
      timers.add('store.commit', ms);
      const rows = (change.insertRequests?.length ?? 0) + (change.insertLeases?.length ?? 0) + (change.updateRequests?.length ?? 0) + (change.updateLeases?.length ?? 0);
      timers.commits.push({ events: change.events.length, rows, ms });
    }
  };
  for (const key of ['findDueWork', 'getRequest', 'getLease'] as const) timers.wrap(store, key, `store.${key}`);
  for (const connector of jitd.deps.connectors.values()) {
    for (const key of ['grant', 'revoke', 'holds'] as const) timers.wrap(connector, key, `ldap.${key}`);
  }
}

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mass: { type: 'string' }, grants: { type: 'string' }, out: { type: 'string' } } });
  const mass = Number(values.mass ?? 5000);
  const grants = Number(values.grants ?? 300);
  const groups = 10;
  cleanupOnSignals();
  const result: Record<string, unknown> = { started_at: new Date().toISOString() };

  phase('starting slapd and writing the benchmark config');
  const slapd = await startSlapd({ users: [] });
  onCleanup('slapd', () => slapd.destroy());
  const uids = Array.from({ length: Math.max(mass, grants) }, (_, i) => `u${String(i + 1).padStart(5, '0')}`);
  await slapd.addUsers(uids);
  const role = async (cn: string): Promise<BenchRole> => ({ name: cn, groupDn: await slapd.addGroup(cn, [slapd.placeholderDn]) });
  const latency = await role('latency');
  const massRoles: BenchRole[] = [];
  for (let g = 0; g < groups; g++) massRoles.push(await role(`mass-${String(g).padStart(2, '0')}`));
  const dir = await mkdtemp(join(tmpdir(), 'jitd-diagnose-'));
  onCleanup('temp dir', () => rm(dir, { recursive: true, force: true }));
  const file = await writeBenchConfig({ connector: ldapBenchConnector(slapd), principals: uids, roles: [latency, ...massRoles], batchSize: Math.max(5000, mass) }, dir);

  // 1. Config load.
  const rss0 = sampleProcess(process.pid)!;
  const t0 = performance.now();
  const loaded = await loadConfig(file.configPath);
  const loadMs = performance.now() - t0;
  const rss1 = sampleProcess(process.pid)!;
  if (!loaded.config) throw new Error(`the generated config does not load: ${JSON.stringify(loaded.issues.slice(0, 3))}`);
  result['config_load'] = {
    token_identities: uids.length + 1,
    ms: round(loadMs, 1),
    rss_growth_mb: round(rss1.rssMb - rss0.rssMb, 1),
    peak_rss_growth_mb: round(rss1.peakRssMb - rss0.peakRssMb, 1),
  };
  phase(`1. config load: ${uids.length + 1} token identities in ${round(loadMs, 0)} ms, RSS +${round(rss1.rssMb - rss0.rssMb, 1)} MB`);

  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  const jitd = await startJitd(loaded.config, { clock, background: false, log: pino({ level: 'warn' }) });
  onCleanup('jitd (in process)', () => jitd.close());
  const timers = new OpTimers();
  instrument(jitd, timers);

  // 2. Grant and release through HTTP.
  phase(`2. grant/release breakdown over HTTP (${grants} sequential, after 30 warm-up)`);
  const api = new ApiClient(jitd.url, 4);
  onCleanup('API client', () => api.close());
  const rows: { rtt: number; commit: number; grant: number; holds: number; releaseRtt: number; releaseCommit: number; revoke: number; releaseHolds: number; reads: number }[] = [];
  for (let i = 0; i < grants + 30; i++) {
    const token = file.tokens.get(uids[i % uids.length]!)!;
    timers.reset();
    const a = performance.now();
    const lease = await api.requestRole(token, latency.name, '1h');
    const rtt = performance.now() - a;
    const grantSide = { commit: timers.ms('store.commit'), grant: timers.ms('ldap.grant'), holds: timers.ms('ldap.holds') };
    timers.reset();
    const b = performance.now();
    await api.release(token, lease.id);
    const releaseRtt = performance.now() - b;
    if (i >= 30) {
      rows.push({
        rtt,
        ...grantSide,
        releaseRtt,
        releaseCommit: timers.ms('store.commit'),
        revoke: timers.ms('ldap.revoke'),
        releaseHolds: timers.ms('ldap.holds'),
        reads: timers.ms('store.getLease') + timers.ms('store.getRequest'),
      });
    }
  }
  const p50 = (pick: (r: (typeof rows)[number]) => number) => summarize(rows.map(pick)).p50;
  const grantBreakdown = {
    round_trip_ms_p50: p50((r) => r.rtt),
    two_commits_ms_p50: p50((r) => r.commit),
    ldap_add_ms_p50: p50((r) => r.grant),
    ldap_compare_ms_p50: p50((r) => r.holds),
    rest_ms_p50: p50((r) => r.rtt - r.commit - r.grant - r.holds),
  };
  const releaseBreakdown = {
    round_trip_ms_p50: p50((r) => r.releaseRtt),
    reads_ms_p50: p50((r) => r.reads),
    two_commits_ms_p50: p50((r) => r.releaseCommit),
    ldap_delete_ms_p50: p50((r) => r.revoke),
    ldap_compare_ms_p50: p50((r) => r.releaseHolds),
    rest_ms_p50: p50((r) => r.releaseRtt - r.reads - r.releaseCommit - r.revoke - r.releaseHolds),
  };
  result['grant'] = grantBreakdown;
  result['release'] = releaseBreakdown;
  console.log('grant   (p50 ms):', JSON.stringify(grantBreakdown));
  console.log('release (p50 ms):', JSON.stringify(releaseBreakdown));

  // 3. Mass expiry with every lease due at the same instant.
  phase(`3. mass expiry: creating ${mass} leases in process (16 at a time)`);
  let next = 0;
  const caller = (uid: string): Caller => ({ principal: { id: PrincipalId(uid), groups: ['bench'] }, isAdmin: false, isAuditor: false });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < mass) {
        const i = next++;
        await jitd.broker.requestAccess(caller(uids[i]!), massRoles[i % groups]!.name, { durationMs: 60_000, reason: 'diagnose' });
      }
    }),
  );
  phase('   moving the clock past every expiry and running scheduler ticks by hand');
  offsetMs = 61_000;
  const slapdPid = Number(readFileSync(`${slapd.dir}/slapd.pid`, 'utf8').trim());
  const slapdCpu = () => sampleProcess(slapdPid)?.cpuSeconds ?? Number.NaN;
  const ticks: Record<string, unknown>[] = [];
  for (let n = 0; n < 100; n++) {
    timers.reset();
    const cpu0 = cpuSeconds();
    const slapd0 = slapdCpu();
    const w0 = performance.now();
    const report = await jitd.scheduler.tick();
    const wall = performance.now() - w0;
    const cpu = cpuSeconds() - cpu0;
    const slapdCpuS = slapdCpu() - slapd0;
    if (report.expired === 0 && report.revoked === 0 && report.revokeFailed === 0) break;
    const big = [...timers.commits].sort((x, y) => y.ms - x.ms).slice(0, 3).map((c) => ({ events: c.events, rows: c.rows, ms: round(c.ms, 1) }));
    const sequential = timers.ms('store.findDueWork') + timers.ms('store.getRequest') + timers.ms('store.commit');
    const tick = {
      expired: report.expired,
      revoked: report.revoked,
      revoke_failed: report.revokeFailed,
      wall_ms: round(wall, 1),
      cpu_ms: round(cpu * 1000, 1),
      slapd_cpu_ms: round(slapdCpuS * 1000, 1),
      find_due_work_ms: round(timers.ms('store.findDueWork'), 1),
      get_request_ms: round(timers.ms('store.getRequest'), 1),
      commits_ms: round(timers.ms('store.commit'), 1),
      largest_commits: big,
      ldap_and_rest_ms: round(wall - sequential, 1),
      ops: timers.snapshot(),
    };
    ticks.push(tick);
    console.log(`tick ${n + 1}:`, JSON.stringify({ ...tick, ops: undefined }));
  }
  const witness = await LdapWitness.open(slapd);
  onCleanup('LDAP reader', () => witness.close());
  const left = (await Promise.all(massRoles.map((r) => witness.memberCount(r.groupDn)))).reduce((a, b) => a + b, 0);
  result['mass_expiry'] = { count: mass, groups, memberships_left: left, ticks };

  // 5 (printed before 4). What slapd alone needs for the same removals: every member added back, then removed
  // and read back (delete + compare, as jitd's checked change does), 16 at a time, over one connection (as
  // jitd's connector) and over 16 connections.
  const members = uids.slice(0, mass).map((uid, i) => ({ group: massRoles[i % groups]!.groupDn, dn: slapd.userDn(uid) }));
  const rawFloor: Record<string, unknown> = {};
  for (const connections of [1, 16]) {
    const clients = await Promise.all(Array.from({ length: connections }, () => RawTargetClient.open(slapd)));
    const runAll = async (op: (c: RawTargetClient, m: (typeof members)[number]) => Promise<unknown>) => {
      let k = 0;
      await Promise.all(
        Array.from({ length: 16 }, async (_, w) => {
          while (k < members.length) {
            const m = members[k++]!;
            await op(clients[w % connections]!, m);
          }
        }),
      );
    };
    await runAll((c, m) => c.addMember(m.group, m.dn));
    const s0 = slapdCpu();
    const w0 = performance.now();
    await runAll(async (c, m) => {
      await c.removeMember(m.group, m.dn);
      if (await witness.isMember(m.group, m.dn)) throw new Error(`${m.dn} still in ${m.group}`);
    });
    const wall = performance.now() - w0;
    rawFloor[`connections_${connections}`] = { wall_ms: round(wall, 1), per_second: round((members.length / wall) * 1000, 1), slapd_cpu_ms: round((slapdCpu() - s0) * 1000, 1) };
    await Promise.all(clients.map((c) => c.close()));
  }
  result['raw_ldap_removal_floor'] = rawFloor;
  console.log(`raw ldapts delete + compare of ${mass} members, 16 at a time:`, JSON.stringify(rawFloor));

  // 4. The commit floor of SQLite on this disk.
  phase('4. SQLite one-row commits on this disk: synchronous=FULL vs NORMAL (WAL)');
  const floor: Record<string, number> = {};
  for (const sync of ['FULL', 'NORMAL']) {
    const db = new Database(join(dir, `floor-${sync}.sqlite`));
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${sync}`);
    db.exec('create table t (id integer primary key, v text)');
    const insert = db.prepare('insert into t (v) values (?)');
    const write = db.transaction((v: string) => insert.run(v));
    const n = 1000;
    const s = performance.now();
    for (let i = 0; i < n; i++) write('x'.repeat(300));
    floor[`commit_ms_${sync.toLowerCase()}`] = round((performance.now() - s) / n);
    db.close();
  }
  result['sqlite_floor'] = floor;
  console.log('sqlite one-row commit (ms):', JSON.stringify(floor));

  const out = await writeJson(values.out ?? 'bench/results/diagnose.json', result);
  console.log(`JSON: ${out}`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`diagnose failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
