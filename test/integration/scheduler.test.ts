// The scheduler in-process, driven tick by tick with a settable clock, against a real slapd: many leases
// expiring together, full batches, retries that wait for their time, and a restart that finds the work.
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { verifyAuditChain } from '../../src/audit/verify.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { JitdConfig } from '../../src/config/types.ts';
import { PrincipalId } from '../../src/core/ids.ts';
import type { Caller } from '../../src/engine/caller.ts';
import { startJitd, type RunningJitd } from '../../src/serve/start-jitd.ts';
import { ldapConnectorEntry, startSlapd, type Slapd } from '../fixtures/slapd.ts';

const USERS = Array.from({ length: 240 }, (_, i) => `user${String(i).padStart(3, '0')}`);
const caller = (id: string): Caller => ({ principal: { id: PrincipalId(id), groups: ['ops'] }, isAdmin: false, isAuditor: false });

describe('the expiry scheduler', () => {
  let slapd: Slapd;
  let config: JitdConfig;
  let now = new Date('2030-01-01T00:00:00Z');
  const clock = { now: () => now };
  const advance = (ms: number) => (now = new Date(now.getTime() + ms));
  let jitd: RunningJitd;
  let group: string;

  before(async () => {
    slapd = await startSlapd({ users: USERS });
    group = await slapd.addGroup('ops-admins', [slapd.placeholderDn]);
    const dir = await mkdtemp(join(tmpdir(), 'jitd-scheduler-'));
    await writeFile(join(dir, 'pw'), slapd.servicePassword);
    const path = join(dir, 'jitd.yaml');
    await writeFile(
      path,
      stringify({
        version: 1,
        server: { listen: '127.0.0.1:0' },
        scheduler: { batchSize: 100, retry: { initialDelay: '10s', maxDelay: '1m', jitter: 0 } },
        reconciler: { enabled: false },
        connectors: {
          dir: ldapConnectorEntry(slapd, 'pw', '1s'),
        },
        roles: { admins: { connector: 'dir', group, maxDuration: '1h', eligible: ['group:ops'], approval: 'auto', requireReason: false } },
      }),
    );
    const loaded = await loadConfig(path);
    assert.deepEqual(loaded.issues, []);
    config = loaded.config!;
    jitd = await startJitd(config, { clock, background: false, log: pino({ level: 'silent' }) });
  });
  after(async () => {
    await jitd?.close();
    await slapd?.destroy();
  });

  test('240 leases expiring together are all revoked, a full batch at a time, with the chain intact', async () => {
    for (const user of USERS) await jitd.broker.requestAccess(caller(user), 'admins', { durationMs: 60_000 });
    assert.equal((await slapd.members(group)).length, USERS.length + 1);
    const early = await jitd.scheduler.tick();
    assert.deepEqual(early, { expired: 0, revoked: 0, revokeFailed: 0, grantsRecovered: 0, requestsExpired: 0, scheduledStarted: 0, more: false }, 'nothing is due before expiry');

    advance(60_000);
    const reports = [];
    for (let report = await jitd.scheduler.tick(); ; report = await jitd.scheduler.tick()) {
      reports.push(report);
      if (!report.more) break;
    }
    assert.deepEqual(
      reports.map((r) => [r.expired, r.revoked, r.more]),
      [
        [100, 100, true],
        [100, 100, true],
        [40, 40, false],
      ],
    );
    assert.deepEqual(await slapd.members(group), [slapd.placeholderDn]);
    const counts = await jitd.deps.store.countLeases(now, 60_000);
    assert.equal(counts.byState.revoked, USERS.length);
    const verified = await verifyAuditChain(jitd.deps.store.readAuditRows(), await jitd.deps.store.auditHead());
    assert.equal(verified.ok, true);
    assert.equal(verified.count, USERS.length * 6, 'created, approved, granting, granted, expired, revoked per lease');
  });

  test('a failed revocation waits for its backoff, and is revoked by the first tick after it once the target is back', async () => {
    const { lease } = await jitd.broker.requestAccess(caller('user000'), 'admins', { durationMs: 5_000 });
    await slapd.stop();
    advance(5_000);
    const failed = await jitd.scheduler.tick();
    assert.deepEqual([failed.expired, failed.revokeFailed], [1, 1]);
    const stored = await jitd.deps.store.getLease(lease!.id);
    assert.equal(stored?.state, 'revoke_failed');
    assert.equal(stored?.attempts, 1);
    assert.equal(stored?.nextAttemptAt?.getTime(), now.getTime() + 10_000, 'first retry after initialDelay (no jitter here)');

    await slapd.start();
    advance(9_000);
    assert.equal((await jitd.scheduler.tick()).revoked, 0, 'not retried before nextAttemptAt');
    advance(1_000);
    assert.equal((await jitd.scheduler.tick()).revoked, 1);
    assert.equal((await jitd.deps.store.getLease(lease!.id))?.state, 'revoked');
    assert.equal((await slapd.members(group)).includes(slapd.userDn('user000')), false);
  });

  test('after a restart, leases that expired while jitd was down are revoked by the first tick', async () => {
    await jitd.broker.requestAccess(caller('user001'), 'admins', { durationMs: 5_000 });
    await jitd.close();
    advance(3_600_000);
    jitd = await startJitd(config, { clock, background: false, log: pino({ level: 'silent' }) });
    const report = await jitd.scheduler.tick();
    assert.deepEqual([report.expired, report.revoked], [1, 1]);
    assert.deepEqual(await slapd.members(group), [slapd.placeholderDn]);
  });
});
