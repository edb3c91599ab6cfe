// The hash chain's construction, pinned: a change here would make every stored chain fail verification.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaseId, RequestId } from '../../src/core/ids.ts';
import { GENESIS_HASH, appendToChain, canonicalEventBody, chainHash } from '../../src/audit/chain.ts';

const ID = '6f1c1c9e-8d53-4b7e-9a55-0b1b4b0f8e21';
const AT = new Date(Date.UTC(2030, 0, 1, 8));

describe('audit hash chain', () => {
  test('the body is RFC 8785 canonical JSON of id, ISO time, type, actor, references and data, without seq', () => {
    const body = canonicalEventBody({
      id: ID,
      at: AT,
      type: 'lease.granted',
      actor: 'alice',
      requestId: RequestId('r-1'),
      leaseId: LeaseId('l-1'),
      data: { when: '2030-01-01T09:00:00.000Z', b: [true, null], a: 1 },
    });
    assert.equal(
      body,
      '{"actor":"alice","at":"2030-01-01T08:00:00.000Z","data":{"a":1,"b":[true,null],"when":"2030-01-01T09:00:00.000Z"},"id":"6f1c1c9e-8d53-4b7e-9a55-0b1b4b0f8e21","leaseId":"l-1","requestId":"r-1","type":"lease.granted"}',
    );
    // sha256 of 64 zeros followed by the body, computed with `sha256sum` outside Node.
    assert.equal(chainHash(GENESIS_HASH, body), '702ce105b60f645245844afb3f35a4bc5f4664987efb9c4b9a055cb7ef0a6eb5');
  });

  test('an event without request or lease has no such keys in its body', () => {
    assert.equal(canonicalEventBody({ id: ID, at: AT, type: 'reconcile.standing_access_found', actor: 'system', data: {} }), `{"actor":"system","at":"2030-01-01T08:00:00.000Z","data":{},"id":"${ID}","type":"reconcile.standing_access_found"}`);
  });

  test('appended events continue the head, link to each other and carry their data as plain JSON', () => {
    const ids = ['id-a', 'id-b'];
    const { events, head } = appendToChain(
      { seq: 41, hash: 'a'.repeat(64) },
      [
        { type: 'lease.revoke_failed', at: AT, actor: 'system', leaseId: LeaseId('l-1'), data: { nextAttemptAt: new Date(AT.getTime() + 1000), skipped: undefined } },
        { type: 'lease.revoked', at: AT, actor: 'system', leaseId: LeaseId('l-1'), data: { attempts: 2 } },
      ],
      () => ids.shift() ?? 'none',
    );
    assert.deepEqual(
      events.map((e) => [e.seq, e.id, e.prevHash]),
      [
        [42, 'id-a', 'a'.repeat(64)],
        [43, 'id-b', events[0]?.hash],
      ],
    );
    assert.deepEqual(events[0]?.data, { nextAttemptAt: '2030-01-01T08:00:01.000Z' });
    assert.ok(events[0] && !('requestId' in events[0]));
    assert.equal(events[1]?.hash, chainHash(events[0]?.hash ?? '', canonicalEventBody(events[1] ?? events[0]!)));
    assert.deepEqual(head, { seq: 43, hash: events[1]?.hash });
  });

  test('the first event of an empty chain links to the genesis hash and gets a random UUID', () => {
    const { events } = appendToChain(undefined, [{ type: 'request.created', at: AT, actor: 'alice', data: {} }]);
    assert.equal(events[0]?.seq, 1);
    assert.equal(events[0]?.prevHash, GENESIS_HASH);
    assert.match(events[0]?.id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
