// The whole loop through the real `jitd serve` process, the real CLI and a real slapd: request → member of
// the LDAP group (checked with ldapsearch) → automatic removal at expiry; release, revoke, views, audit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually, startJitdProcess, type JitdProcess } from '../fixtures/jitd-process.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';

interface LeaseJson {
  id: string;
  state: string;
  principal: string;
  role: string;
  expiresAt: string;
  timeLeftMs: number;
  grantConfirmedAt?: string;
  revokeConfirmedAt?: string;
  revokeReason?: string;
}

describe('jitd serve with the CLI against a real slapd', () => {
  let slapd: Slapd;
  let jitd: JitdProcess;
  const isMember = async (uid: string) => (await slapd.members(jitd.groupDn)).includes(slapd.userDn(uid));

  before(async () => {
    slapd = await startSlapd();
    jitd = await startJitdProcess({ slapd });
  });
  after(async () => {
    await jitd?.stop();
    await slapd?.destroy();
  });

  test('an eligible request is a group member before the command returns, and the text output shows the lease', async () => {
    assert.equal(await isMember('alice'), false);
    const result = await jitd.cli('alice', ['request', 'domain-admins', '--for', '1h', '--reason', 'INC-4711 restore replication']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(await isMember('alice'), 'alice is in the group right after the command returned');
    assert.match(result.stdout, /^Granted domain-admins to alice \(cn=domain-admins,ou=groups,dc=jitd,dc=test\) for 1h\./);
    assert.match(result.stdout, /lease\s+lease-[0-9a-f]{20}/);
    assert.match(result.stdout, /expires\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(59m5\ds left\)/);
    const leaseId = /lease\s+(lease-[0-9a-f]{20})/.exec(result.stdout)![1]!;

    const released = await jitd.json<{ lease: LeaseJson }>('alice', ['release', leaseId]);
    assert.equal(released.lease.state, 'revoked');
    assert.equal(released.lease.revokeReason, 'released');
    assert.equal(await isMember('alice'), false, 'released: no longer a member');
    assert.equal((await slapd.members(jitd.groupDn)).includes(slapd.placeholderDn), true, 'the placeholder member stays');
  });

  test('a short lease is removed from LDAP automatically after it expires, without anyone acting', async () => {
    const { lease } = await jitd.json<{ lease: LeaseJson }>('alice', ['request', 'domain-admins', '--for', '3s', '--reason', 'e2e expiry']);
    assert.equal(lease.state, 'active');
    assert.ok(await isMember('alice'));
    const expiresAt = Date.parse(lease.expiresAt);
    const gone = await eventually(async () => !(await isMember('alice')), 10_000, 50);
    assert.ok(gone, 'membership removed after expiry');
    const removedAt = Date.now();
    assert.ok(removedAt >= expiresAt, 'not removed before expiry');
    const { leases } = await jitd.json<{ leases: LeaseJson[] }>('alice', ['leases', '--state', 'revoked']);
    const ended = leases.find((l) => l.id === lease.id);
    assert.equal(ended?.revokeReason, 'expired');
    assert.ok(ended?.revokeConfirmedAt, 'the revocation was confirmed by reading LDAP back');
    // How soon after expiry is a benchmark figure (npm run bench), not asserted here.
    assert.ok(Date.parse(ended!.revokeConfirmedAt!) >= expiresAt, 'confirmed gone after the expiry, not before');
  });

  test('an admin revokes a lease with a reason; a non-admin cannot', async () => {
    const { lease } = await jitd.json<{ lease: LeaseJson }>('alice', ['request', 'domain-admins', '--reason', 'admin revoke test']);
    const denied = await jitd.cli('alice', ['revoke', lease.id, '--reason', 'trying']);
    assert.equal(denied.code, 4);
    assert.equal(denied.stderr.trim(), 'jitd: only admins can revoke leases (holders can release their own)');
    const missingReason = await jitd.cli('bob', ['revoke', lease.id]);
    assert.equal(missingReason.code, 2);
    assert.match(missingReason.stderr, /required option '--reason <text>' not specified/);
    const revoked = await jitd.json<{ lease: LeaseJson }>('bob', ['revoke', lease.id, '--reason', 'suspicious activity']);
    assert.equal(revoked.lease.state, 'revoked');
    assert.equal(revoked.lease.revokeReason, 'revoked');
    assert.equal(await isMember('alice'), false);
  });

  test('policy refusals are clear errors with scriptable exit codes', async () => {
    const cases: [string[], 'alice' | 'carol', number, string][] = [
      [['request', 'nope', '--reason', 'x'], 'alice', 5, 'jitd: unknown role "nope" (roles you may request: domain-admins)'],
      [['request', 'domain-admins', '--reason', 'x'], 'carol', 4, 'jitd: carol is not eligible for role domain-admins'],
      [['request', 'domain-admins'], 'alice', 3, 'jitd: reason: role domain-admins requires a reason'],
      [['request', 'domain-admins', '--for', '5h', '--reason', 'x'], 'alice', 3, "jitd: duration: 5h exceeds the role's maximum of 4h"],
      [['request', 'domain-admins', '--for', '90x', '--reason', 'x'], 'alice', 3, 'jitd: duration: "90x" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)'],
    ];
    for (const [args, who, code, message] of cases) {
      const result = await jitd.cli(who, args);
      assert.equal(result.stderr.trim(), message, args.join(' '));
      assert.equal(result.code, code, args.join(' '));
    }
    assert.equal(await isMember('carol'), false);
  });

  test('a wrong or missing token is refused with 401 and exit code 4', async () => {
    const wrong = await jitd.cli(undefined, ['status'], { JITD_TOKEN: 'not-a-token' });
    assert.equal(wrong.code, 4);
    assert.equal(wrong.stderr.trim(), 'jitd: invalid token');
    const missing = await jitd.cli(undefined, ['status']);
    assert.equal(missing.code, 4);
    assert.equal(missing.stderr.trim(), 'jitd: missing bearer token (send "Authorization: Bearer <token>") (no token: run jitd login, or set --token or JITD_TOKEN)');
  });

  test('bad API calls get a 4xx with a message and write nothing', async () => {
    const post = (body: string, type = 'application/json') =>
      fetch(`${jitd.url}/v1/requests`, { method: 'POST', headers: { authorization: `Bearer ${jitd.tokens.alice}`, 'content-type': type }, body });
    const before = (await jitd.json<{ requests: unknown[] }>('alice', ['requests'])).requests.length;
    const cases: [string, number, string][] = [
      ['{"role":', 400, "Body is not valid JSON but content-type is set to 'application/json'"],
      [JSON.stringify({ role: 'domain-admins', reason: 'x'.repeat(70_000) }), 413, 'Request body is too large'],
      [JSON.stringify({ role: 'domain-admins', reason: 'x', durration: '1h' }), 400, 'body: unknown field "durration"'],
      [JSON.stringify({ role: 42, reason: 'x' }), 400, 'role: Invalid input: expected string, received number'],
      [JSON.stringify({ role: 'domain-admins', reason: 'x'.repeat(1001) }), 400, 'reason: must be at most 1000 characters'],
      [JSON.stringify({ role: 'domain-admins', reason: 'x', publicKey: 'ssh-ed25519 AAAA' }), 400, 'publicKey: role domain-admins takes no publicKey'],
    ];
    for (const [body, status, message] of cases) {
      const response = await post(body);
      const json = (await response.json()) as { error: { message: string } };
      assert.equal(response.status, status, body.slice(0, 60));
      assert.equal(json.error.message, message);
    }
    const after = (await jitd.json<{ requests: unknown[] }>('alice', ['requests'])).requests.length;
    assert.equal(after, before, 'no request was written');
    const notFound = await fetch(`${jitd.url}/v1/nothing`, { headers: { authorization: `Bearer ${jitd.tokens.alice}` } });
    assert.equal(notFound.status, 404);
    const noKrl = await fetch(`${jitd.url}/v1/ssh/krl`, { headers: { authorization: `Bearer ${jitd.tokens.alice}` } });
    assert.deepEqual([noKrl.status, ((await noKrl.json()) as { error: { message: string } }).error.message], [404, 'no ssh connector is configured']);
  });

  test('status, roles, requests and whoami show what is going on, as text and as JSON', async () => {
    const roles = await jitd.cli('alice', ['roles']);
    assert.equal(roles.code, 0, roles.stderr);
    assert.match(roles.stdout, /^ROLE\s+ELIGIBLE\s+APPROVAL\s+DEFAULT\s+MAX/);
    assert.match(roles.stdout, /domain-admins\s+yes\s+auto\s+1h\s+4h\s+reason/);
    const rolesForCarol = await jitd.json<{ roles: unknown[] }>('carol', ['roles']);
    assert.deepEqual(rolesForCarol.roles, []);
    const me = await jitd.cli('bob', ['whoami']);
    assert.equal(me.stdout.trim(), 'bob, groups: ops, jitd-admins [admin]');
    const status = await jitd.json<{ scope: string; counts: Record<string, number> }>('bob', ['status']);
    assert.equal(status.scope, 'all');
    assert.ok((status.counts.revoked ?? 0) >= 3);
    const statusText = await jitd.cli('alice', ['status']);
    assert.match(statusText.stdout, /^Active access \(0\):/);
    const requests = await jitd.cli('alice', ['requests', '--state', 'expired']);
    assert.match(requests.stdout, /REQUEST\s+STATE\s+PRINCIPAL/);
    assert.match(requests.stdout, /expired\s+alice\s+domain-admins\s+3s/);
    const badState = await jitd.cli('alice', ['leases', '--state', 'bogus']);
    assert.equal(badState.code, 3);
    assert.match(badState.stderr, /^jitd: state\.0: Invalid option: expected one of "granting"\|"active"/);
  });

  test('the audit chain verifies and exports as JSON lines; auditors may read it, others may not', async () => {
    const verify = await jitd.cli('dave', ['audit', 'verify']);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /^audit chain OK: \d+ events, head #\d+ [0-9a-f]{64}$/m);
    const exported = await jitd.cli('dave', ['audit', 'export']);
    const lines = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; actor: string; data: Record<string, unknown> });
    const created = lines.filter((l) => l.type === 'request.created');
    assert.equal(created.length, 3, "released, expired and revoked requests; refused ones were never created");
    assert.deepEqual(Object.keys(created[0]!.data).sort(), ['approval', 'durationMs', 'principal', 'reason', 'role']);
    assert.ok(lines.some((l) => l.type === 'lease.revoke_requested' && l.actor === 'bob'));
    const refused = await jitd.cli('alice', ['audit', 'verify']);
    assert.equal(refused.code, 4);
    assert.equal(refused.stderr.trim(), 'jitd: reading the audit trail requires the admin or auditor role');
  });

  test('OpenAPI, health and Prometheus metrics are served', async () => {
    const openapi = (await (await fetch(`${jitd.url}/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(openapi.openapi, '3.1.0');
    assert.ok(openapi.paths['/v1/requests']);
    assert.ok(openapi.paths['/v1/leases/{id}/release']);
    assert.equal((await fetch(`${jitd.url}/healthz`)).status, 200);
    const metrics = await (await fetch(`${jitd.url}/metrics`)).text();
    assert.match(metrics, /^jitd_leases\{state="revoked"\} [1-9]\d*$/m);
    assert.match(metrics, /^jitd_grants_total\{role="domain-admins",outcome="granted"\} [1-9]/m);
    assert.match(metrics, /^jitd_revocation_lag_seconds_count\{role="domain-admins"\} [1-9]/m);
    assert.match(metrics, /^jitd_revocations_overdue 0$/m);
  });
});
