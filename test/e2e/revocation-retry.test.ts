// An admin's "retry now" for a failing revocation, against a real slapd that is stopped and started again:
// the retry runs the scheduler's attempt at once, reports a new failure as such (200, the new error and attempt
// count), and revokes once the directory is back. The scheduler's own retries are pushed an hour away
// (retry.initialDelay 1h), so every attempt after the first one here is the admin's.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startJitdProcess, waitForFailingRevocation, type JitdProcess, type LeaseJson } from '../fixtures/jitd-process.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';

interface EventJson {
  readonly seq: number;
  readonly type: string;
  readonly actor: string;
  readonly data: Record<string, unknown>;
}

describe('retrying a failing revocation now', () => {
  let slapd: Slapd;
  let jitd: JitdProcess;
  const isMember = async () => (await slapd.members(jitd.groupDn)).includes(slapd.userDn('alice'));
  const retryOverHttp = (who: 'alice' | 'bob' | 'dave', leaseId: string) =>
    fetch(`${jitd.url}/v1/leases/${encodeURIComponent(leaseId)}/retry`, { method: 'POST', headers: { authorization: `Bearer ${jitd.tokens[who]}` } });
  const eventsOf = async (leaseId: string) =>
    (await jitd.json<{ events: EventJson[] }>('dave', ['audit', '--lease', leaseId, '--oldest-first', '--limit', '1000'])).events;

  before(async () => {
    slapd = await startSlapd();
    jitd = await startJitdProcess({ slapd, ldapTimeout: '1s', scheduler: { retry: { initialDelay: '1h', maxDelay: '1h' } } });
  });
  after(async () => {
    await jitd?.stop();
    await slapd?.destroy();
  });

  test('while slapd is down the retry fails again and says so; once it is back the retry revokes, with the scheduler\'s audit events', async () => {
    const { lease } = await jitd.json<{ lease: LeaseJson }>('alice', ['request', 'domain-admins', '--for', '2s', '--reason', 'retry test']);
    assert.equal(await isMember(), true);
    await slapd.stop();
    const failing = await waitForFailingRevocation(jitd, lease.id, 1);
    assert.ok(failing, 'the scheduler tried once at expiry and failed');
    assert.equal(failing.attempts, 1, 'the scheduler does not try again within the hour');

    const failedAgain = await jitd.cli('bob', ['retry', lease.id, '-o', 'json']);
    assert.equal(failedAgain.code, 7, `a retry that fails exits 7: ${failedAgain.stderr}`);
    const again = (JSON.parse(failedAgain.stdout) as { lease: LeaseJson }).lease;
    assert.equal(again.state, 'revoke_failed');
    assert.equal(again.attempts, 2);
    assert.match(again.lastError ?? '', /^test-ldap: .*(ECONNREFUSED|connect)/i);
    assert.ok(again.nextAttemptAt && Date.parse(again.nextAttemptAt) > Date.now() + 30 * 60_000, 'the scheduler keeps its backoff');

    const text = await jitd.cli('bob', ['retry', lease.id]);
    assert.equal(text.code, 7);
    assert.match(text.stdout, new RegExp(`^Retried ${lease.id}: the revocation failed again \\(attempt 3\\): test-ldap: `));
    assert.match(text.stdout, /^jitd keeps retrying; next attempt \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\.$/m);

    const failures = (await eventsOf(lease.id)).filter((e) => e.type === 'lease.revoke_failed');
    assert.deepEqual(
      failures.map((e) => [e.actor, e.data.attempts]),
      [
        ['system', 1],
        ['system', 2],
        ['system', 3],
      ],
      'each retry wrote the same lease.revoke_failed event a scheduler attempt writes',
    );
    const asked = (await eventsOf(lease.id)).filter((e) => e.type === 'lease.retry_requested');
    assert.deepEqual(
      asked.map((e) => [e.actor, e.data.attempts]),
      [
        ['bob', 1],
        ['bob', 2],
      ],
      'who asked for each retry is in the audit trail',
    );

    await slapd.start();
    assert.equal(await isMember(), true, 'alice is still a member while no attempt has succeeded');
    const response = await retryOverHttp('bob', lease.id);
    assert.equal(response.status, 200);
    const revoked = ((await response.json()) as { lease: LeaseJson }).lease;
    assert.equal(revoked.state, 'revoked');
    assert.ok(revoked.revokeConfirmedAt);
    assert.equal(await isMember(), false, 'the retry removed alice from the group in slapd');
    const last = (await eventsOf(lease.id)).at(-1);
    assert.deepEqual([last?.type, last?.actor, last?.data.attempts, last?.data.reason], ['lease.revoked', 'system', 4, 'expired']);
  });

  test('only admins may retry: the holder and an auditor get 403 and nothing is attempted', async () => {
    const { lease } = await jitd.json<{ lease: LeaseJson }>('alice', ['request', 'domain-admins', '--for', '2s', '--reason', 'forbidden retry']);
    await slapd.stop();
    try {
      const failing = await waitForFailingRevocation(jitd, lease.id, 1);
      assert.ok(failing);
      for (const who of ['alice', 'dave'] as const) {
        const response = await retryOverHttp(who, lease.id);
        assert.equal(response.status, 403);
        assert.deepEqual(await response.json(), { error: { kind: 'forbidden', message: 'only admins can retry a revocation' } });
      }
      const cli = await jitd.cli('alice', ['retry', lease.id]);
      assert.equal(cli.code, 4);
      assert.equal(cli.stderr, 'jitd: only admins can retry a revocation\n');
      assert.equal((await jitd.json<{ lease: LeaseJson }>('bob', ['show', lease.id])).lease.attempts, 1, 'no attempt was made');
    } finally {
      await slapd.start();
    }
    const cleaned = await jitd.cli('bob', ['retry', lease.id]);
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.match(cleaned.stdout, new RegExp(`^Retried ${lease.id}: revoked; alice no longer holds domain-admins\\.`));
  });

  test('a lease that is not being revoked cannot be retried: 409 naming its state, and 404 for an unknown lease', async () => {
    const { lease } = await jitd.json<{ lease: LeaseJson }>('alice', ['request', 'domain-admins', '--for', '1h', '--reason', 'active lease']);
    const active = await retryOverHttp('bob', lease.id);
    assert.equal(active.status, 409);
    assert.deepEqual(await active.json(), {
      error: { kind: 'conflict', message: `lease ${lease.id} is active: only a lease whose revocation is in progress or failing (revoking, revoke_failed) can be retried` },
    });
    const released = await jitd.json<{ lease: LeaseJson }>('alice', ['release', lease.id]);
    assert.equal(released.lease.state, 'revoked');
    const cli = await jitd.cli('bob', ['retry', lease.id]);
    assert.equal(cli.code, 6);
    assert.equal(cli.stderr, `jitd: lease ${lease.id} is revoked: only a lease whose revocation is in progress or failing (revoking, revoke_failed) can be retried\n`);
    const unknown = await retryOverHttp('bob', 'lease-nope');
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: { kind: 'not_found', message: 'no lease lease-nope' } });
    assert.ok(await eventually(async () => !(await isMember()), 1000));
  });

  test('jitd retry --help says what it does', async () => {
    const help = await jitd.cli(undefined, ['retry', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: jitd retry \[options\] <lease>$/m);
    const words = help.stdout.replace(/\s+/g, ' ');
    assert.match(words, /admin: attempt a failing revocation now instead of waiting for the next scheduled retry/);
    assert.match(words, /When it fails again the lease shows the new error and attempt count, the command exits 7/);
  });
});
