// Searching the audit trail through the real HTTP API and CLI of a jitd process with a real slapd: filters by
// principal, role, type and time, newest-first paging with `next`, filtered exports whose lines still verify,
// and 400s that name the bad field.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import canonicalize from 'canonicalize';
import { startJitdProcess, type JitdProcess, type LeaseJson, type Person } from '../fixtures/jitd-process.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';

interface EventJson {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly actor: string;
  readonly requestId?: string;
  readonly leaseId?: string;
  readonly data: Record<string, unknown>;
  readonly prevHash: string;
  readonly hash: string;
}

type Lease = LeaseJson & { readonly requestId: string };

interface Page {
  readonly events: EventJson[];
  readonly next?: number;
}

/** A JSON line of the export checks on its own: sha256(prevHash + canonical content) = hash. */
function lineVerifies(line: string): boolean {
  const { seq: _seq, prevHash, hash, ...content } = JSON.parse(line) as EventJson;
  return createHash('sha256').update(prevHash + canonicalize(content)).digest('hex') === hash;
}

describe('audit search through the API and the CLI', () => {
  let slapd: Slapd;
  let jitd: JitdProcess;
  let aliceLease: Lease;
  let bobLease: Lease;
  let startedAt: string;

  const get = (who: Person, path: string) => fetch(`${jitd.url}${path}`, { headers: { authorization: `Bearer ${jitd.tokens[who]}` } });
  const page = async (query: string): Promise<Page> => {
    const response = await get('dave', `/v1/audit?${query}`);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Page;
  };
  const all = async (query: string) => (await page(`${query}&limit=1000`)).events;

  before(async () => {
    slapd = await startSlapd();
    jitd = await startJitdProcess({ slapd });
    startedAt = new Date(Date.now() - 1000).toISOString();
    aliceLease = (await jitd.json<{ lease: Lease }>('alice', ['request', 'domain-admins', '--for', '1h', '--reason', 'INC-1 alice'])).lease;
    bobLease = (await jitd.json<{ lease: Lease }>('bob', ['request', 'domain-admins', '--for', '1h', '--reason', 'INC-2 bob'])).lease;
    await jitd.json('bob', ['revoke', aliceLease.id, '--reason', 'done with it']);
  });
  after(async () => {
    await jitd?.stop();
    await slapd?.destroy();
  });

  test('principal finds what someone did and what happened to their access, and nothing of anyone else', async () => {
    const alice = await all('principal=alice');
    assert.deepEqual(
      alice.map((e) => e.type),
      ['request.created', 'request.approved', 'lease.granting', 'lease.granted', 'lease.revoke_requested', 'lease.revoked'],
    );
    assert.ok(alice.every((e) => e.requestId === aliceLease.requestId), 'only events of her request');
    const revokedBy = alice.find((e) => e.type === 'lease.revoke_requested');
    assert.equal(revokedBy?.actor, 'bob', 'the revocation by bob is about alice');
    const bob = await all('principal=bob');
    assert.ok(bob.some((e) => e.type === 'lease.revoke_requested' && e.leaseId === aliceLease.id), 'bob acted on alice\'s lease');
    assert.ok(bob.some((e) => e.type === 'lease.granted' && e.leaseId === bobLease.id));
    assert.deepEqual(await all('principal=carol'), []);
  });

  test('type, role and time filters combine, and since/until take ISO times and durations ago', async () => {
    const granted = await all('type=lease.granted,lease.revoked&role=domain-admins');
    assert.deepEqual(
      granted.map((e) => [e.type, e.leaseId]),
      [
        ['lease.granted', aliceLease.id],
        ['lease.granted', bobLease.id],
        ['lease.revoked', aliceLease.id],
      ],
    );
    assert.deepEqual(await all('role=other-role'), []);
    const everything = await all('order=asc');
    assert.equal((await all(`since=${encodeURIComponent(startedAt)}`)).length, everything.length);
    assert.equal((await all('since=1h')).length, everything.length);
    assert.deepEqual(await all('until=2020-01-01'), []);
    assert.deepEqual(await all('since=2999-01-01T00:00:00Z'), []);
    const cut = everything[3]!;
    const before = await all(`until=${encodeURIComponent(cut.at)}`);
    assert.ok(before.every((e) => Date.parse(e.at) < Date.parse(cut.at)) && !before.some((e) => e.seq === cut.seq), 'until is exclusive');
  });

  test('newest first pages back with next until the last page, which has none', async () => {
    const expected = (await all('role=domain-admins&order=desc')).map((e) => e.seq);
    assert.ok(expected.length >= 8);
    const seen: number[] = [];
    let query = 'role=domain-admins&order=desc&limit=3';
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 10, 'paging ends');
      const p = await page(query);
      seen.push(...p.events.map((e) => e.seq));
      if (p.next === undefined) break;
      assert.equal(p.next, p.events.at(-1)?.seq);
      query = `role=domain-admins&order=desc&limit=3&beforeSeq=${p.next}`;
    }
    assert.deepEqual(seen, expected);
    const exact = await page(`role=domain-admins&order=desc&limit=${expected.length}`);
    assert.equal(exact.next, undefined, 'a page that holds the last event promises no other');
    const oldest = await page('order=asc&limit=2');
    assert.deepEqual([oldest.events.map((e) => e.seq), oldest.next], [[1, 2], 2]);
  });

  test('a bad type, since, until or order is a 400 naming the field, and only admins and auditors may search', async () => {
    const bad = async (query: string) => {
      const response = await get('dave', `/v1/audit?${query}`);
      assert.equal(response.status, 400);
      return ((await response.json()) as { error: { kind: string; message: string; issues: { path: string; message: string }[] } }).error;
    };
    const type = await bad('type=lease.granted,lease.exploded');
    assert.equal(type.kind, 'invalid_input');
    assert.deepEqual(type.issues.map((i) => i.path), ['type']);
    assert.match(type.message, /^type: "lease\.exploded" is not an audit event type \(known: request\.created, approval\.given, .*lease\.revoke_failed.*\)$/);
    const since = await bad('since=yesterday');
    assert.equal(since.message, 'since: "yesterday" is not a time: use ISO 8601 with a zone (e.g. 2026-11-24T08:00:00Z), a date (2026-11-24, UTC) or a duration ago (e.g. 24h, 7d)');
    assert.equal((await bad('since=2026-02-30')).issues[0]?.path, 'since');
    assert.match((await bad('since=1h&until=2h')).message, /^until: must be after since \(\S+Z\), got \S+Z$/);
    assert.equal((await bad('order=newest')).message, 'order: must be asc (chain order, the default) or desc (newest first)');
    assert.equal((await bad('beforeSeq=0')).issues[0]?.path, 'beforeSeq');
    assert.equal((await bad('colour=red')).message, 'query: unknown field "colour"');
    const export400 = await get('dave', '/v1/audit/export?type=nope');
    assert.equal(export400.status, 400);
    assert.equal((await get('alice', '/v1/audit?principal=alice')).status, 403);
  });

  test('the export streams only the matching events, each line verifiable on its own; without filters the whole chain', async () => {
    const filtered = (await (await get('dave', `/v1/audit/export?principal=alice&type=lease.granted,lease.revoked`)).text()).trim().split('\n');
    assert.deepEqual(
      filtered.map((l) => (JSON.parse(l) as EventJson).type),
      ['lease.granted', 'lease.revoked'],
    );
    assert.ok(filtered.every(lineVerifies));
    const whole = (await (await get('dave', '/v1/audit/export')).text()).trim().split('\n');
    const verified = await jitd.json<{ ok: boolean; count: number }>('dave', ['audit', 'verify']);
    assert.deepEqual([verified.ok, verified.count], [true, whole.length]);
    assert.ok(whole.every(lineVerifies));
  });

  test('jitd audit lists newest first with the same filters, says how to get more, and -o json is the API answer', async () => {
    const text = await jitd.cli('dave', ['audit', '--principal', 'alice', '--type', 'lease.granted,lease.revoked']);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trim().split('\n');
    assert.match(lines[0]!, /^SEQ\s+AT\s+TYPE\s+ACTOR\s+ABOUT\s+DETAILS$/);
    assert.match(lines[1]!, new RegExp(`^\\d+\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ\\s+lease\\.revoked\\s+system\\s+${aliceLease.id}\\s+attempts=1 reason=revoked$`));
    assert.match(lines[2]!, new RegExp(`lease\\.granted\\s+system\\s+${aliceLease.id}\\s+expiresAt=`));
    assert.equal(lines.length, 3);

    const paged = await jitd.json<Page>('dave', ['audit', '--role', 'domain-admins', '--limit', '2']);
    assert.equal(paged.events.length, 2);
    assert.ok(paged.events[0]!.seq > paged.events[1]!.seq, 'newest first');
    assert.equal(paged.next, paged.events[1]!.seq);
    const more = await jitd.cli('dave', ['audit', '--role', 'domain-admins', '--limit', '2']);
    assert.match(more.stdout, new RegExp(`^more: run again with --before ${paged.next}$`, 'm'));
    const second = await jitd.json<Page>('dave', ['audit', '--role', 'domain-admins', '--limit', '2', '--before', String(paged.next)]);
    assert.ok(second.events.every((e) => e.seq < paged.next!));
    const oldest = await jitd.json<Page>('dave', ['audit', '--oldest-first', '--limit', '1', '--since', '1h']);
    assert.equal(oldest.events[0]?.seq, 1);

    const badType = await jitd.cli('dave', ['audit', '--type', 'lease.exploded']);
    assert.equal(badType.code, 3);
    assert.match(badType.stderr, /^jitd: type: "lease\.exploded" is not an audit event type \(known: /);
    const badSince = await jitd.cli('dave', ['audit', '--since', 'yesterday']);
    assert.equal(badSince.code, 3);
    assert.equal(badSince.stderr, 'jitd: since: "yesterday" is not a time: use ISO 8601 with a zone (e.g. 2026-11-24T08:00:00Z), a date (2026-11-24, UTC) or a duration ago (e.g. 24h, 7d)\n');
    const forbidden = await jitd.cli('alice', ['audit']);
    assert.equal(forbidden.code, 4);
    assert.equal(forbidden.stderr, 'jitd: reading the audit trail requires the admin or auditor role\n');
  });

  test('jitd audit export takes the filters online and from the store file, and refuses paging; verify refuses filters', async () => {
    const out = join(jitd.dir, 'alice.jsonl');
    const online = await jitd.cli('dave', ['audit', 'export', '--principal', 'alice', '--since', '1h', '--out', out]);
    assert.equal(online.code, 0, online.stderr);
    assert.equal(online.stderr, `wrote 6 events to ${out}\n`);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.ok(lines.every(lineVerifies));
    const offline = await jitd.cli(undefined, ['audit', '--principal', 'alice', '--since', '1h', 'export', '--db', jitd.dbPath]);
    assert.equal(offline.code, 0, offline.stderr);
    assert.deepEqual(offline.stdout.trim().split('\n'), lines, 'the filters before "export" work too, and a store file gives the same lines');
    const offlineBad = await jitd.cli(undefined, ['audit', 'export', '--db', jitd.dbPath, '--type', 'nope']);
    assert.equal(offlineBad.code, 3);
    assert.match(offlineBad.stderr, /^jitd: type: "nope" is not an audit event type/);
    const paging = await jitd.cli('dave', ['audit', 'export', '--limit', '5']);
    assert.equal(paging.code, 3);
    assert.equal(paging.stderr, 'jitd: jitd audit export writes every matching event: --limit does not apply here\n');
    const verify = await jitd.cli('dave', ['audit', 'verify', '--principal', 'alice']);
    assert.equal(verify.code, 3);
    assert.equal(verify.stderr, 'jitd: jitd audit verify checks the whole chain: --principal does not apply here\n');
  });

  test('jitd audit --help names every filter and the paging flags', async () => {
    const help = await jitd.cli(undefined, ['audit', '--help']);
    assert.equal(help.code, 0);
    for (const flag of ['--principal <id>', '--role <name>', '--type <types>', '--since <time>', '--until <time>', '--request <id>', '--lease <id>', '--limit <n>', '--before <seq>', '--oldest-first']) {
      assert.ok(help.stdout.includes(flag), `${flag} in:\n${help.stdout}`);
    }
    assert.match(help.stdout, /^ {2}export \[options\]/m);
    const exportHelp = await jitd.cli(undefined, ['audit', 'export', '--help']);
    assert.match(exportHelp.stdout, /--principal <id>/);
  });
});
