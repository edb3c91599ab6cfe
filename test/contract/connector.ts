// The conformance suite every connector passes against its real target (slapd, Samba AD, sshd,
// PostgreSQL, …): grant/revoke are idempotent, holds() and inspect() agree with the target as seen from
// outside jitd, and failures are classified (target down → retryable, and the same connector object works
// again once the target is back; a missing target → permanent, naming it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectorError } from '../../src/connectors/connector.ts';
import type { Connector } from '../../src/connectors/connector.ts';
import { LeaseId } from '../../src/core/ids.ts';
import type { PrincipalId } from '../../src/core/ids.ts';
import type { GrantData } from '../../src/core/request.ts';
import type { RoleTarget } from '../../src/core/role.ts';

export interface ConnectorContractFixture {
  readonly connector: Connector;
  /** Two principals that exist in the target and hold nothing in `target` when the suite starts. */
  readonly principal: PrincipalId;
  readonly otherPrincipal: PrincipalId;
  /** The target the suite grants and revokes. */
  readonly target: RoleTarget;
  /** Who holds `target` (principal ids), read without the connector (e.g. with the target's own CLI). */
  outsideView(target: RoleTarget): Promise<readonly string[]>;
  /** A target the connector must reject permanently (e.g. a group that does not exist)… */
  readonly missingTarget: RoleTarget;
  /** …with a message that contains this text (e.g. the group's DN). */
  readonly missingTargetMention: string;
  /** Makes the target unreachable (stop the server) and reachable again (same address and data). */
  stopTarget(): Promise<void>;
  startTarget(): Promise<void>;
  /** What the retryable error says while the target is down (its full message, connector name included). */
  readonly unavailableMessage: RegExp;
  /** What a grant for this principal hands in, for connectors that take input (e.g. an SSH public key). */
  grantInput?(principal: PrincipalId): GrantData;
  /** Optional clean-up after the suite (the connector itself is closed by the suite). */
  teardown?(): Promise<void>;
}

const lease = (n: number): LeaseId => LeaseId(`contract-lease-${n}`);
const inAnHour = (): Date => new Date(Date.now() + 3_600_000);

/** Asserts that `promise` rejects with a ConnectorError of the given retryability and message. */
export async function assertConnectorError(promise: Promise<unknown>, expected: { retryable: boolean; message: RegExp | string }): Promise<ConnectorError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught !== undefined, 'expected the operation to fail');
  assert.ok(caught instanceof ConnectorError, `expected a ConnectorError, got ${String(caught)}`);
  assert.equal(caught.retryable, expected.retryable, `retryable should be ${expected.retryable}: ${caught.message}`);
  if (typeof expected.message === 'string') assert.equal(caught.message, expected.message);
  else assert.match(caught.message, expected.message);
  return caught;
}

/**
 * Registers the conformance tests for one connector. `setup` runs once before them (start the target,
 * build the connector); each test leaves `target` without the two principals.
 */
export function runConnectorContract(suiteName: string, setup: () => Promise<ConnectorContractFixture>): void {
  describe(`${suiteName} connector contract`, () => {
    let f: ConnectorContractFixture;
    let n = 0;
    // What each principal's last grant produced (a certificate, …): revoke and holds act on that grant, as
    // the engine does with a lease's record.
    const records = new Map<string, GrantData>();
    const key = (principal: PrincipalId, target: RoleTarget): string => `${principal}\u0000${JSON.stringify(target)}`;
    const withRecord = (principal: PrincipalId, target: RoleTarget) => {
      const record = records.get(key(principal, target));
      return { principal, target, ...(record ? { record } : {}) };
    };
    const grant = async (principal: PrincipalId, target = f.target): Promise<void> => {
      const input = f.grantInput?.(principal);
      const result = await f.connector.grant({ principal, target, leaseId: lease((n += 1)), expiresAt: inAnHour(), ...(input ? { input } : {}) });
      if (result?.record) records.set(key(principal, target), result.record);
    };
    const revoke = (principal: PrincipalId, target = f.target): Promise<void> => f.connector.revoke(withRecord(principal, target));
    const holds = (principal: PrincipalId, target = f.target): Promise<boolean> => f.connector.holds(withRecord(principal, target));
    const holderIds = async (): Promise<string[]> => (await f.connector.inspect(f.target)).map((h) => h.principal).sort();

    before(async () => {
      f = await setup();
    });
    after(async () => {
      await f.connector.close();
      await f.teardown?.();
    });

    test('the target is valid for the connector and starts with neither principal holding it', async () => {
      assert.deepEqual(f.connector.validateTarget(f.target), []);
      assert.equal(await holds(f.principal), false);
      assert.equal(await holds(f.otherPrincipal), false);
      const outside = await f.outsideView(f.target);
      assert.ok(!outside.includes(f.principal) && !outside.includes(f.otherPrincipal), `unexpected holders: ${outside.join(', ')}`);
    });

    test('a grant makes holds() true, and the target seen from outside agrees', async () => {
      await grant(f.principal);
      assert.equal(await holds(f.principal), true);
      assert.ok((await f.outsideView(f.target)).includes(f.principal));
      assert.equal(await holds(f.otherPrincipal), false, 'granting one principal must not grant another');
      await revoke(f.principal);
    });

    test('granting what is already held succeeds and changes nothing', async () => {
      await grant(f.principal);
      const before = await f.outsideView(f.target);
      await grant(f.principal);
      assert.deepEqual([...(await f.outsideView(f.target))].sort(), [...before].sort());
      assert.equal(await holds(f.principal), true);
      await revoke(f.principal);
    });

    test('inspect() lists every principal that holds the target, by principal id', async () => {
      await grant(f.principal);
      await grant(f.otherPrincipal);
      const ids = await holderIds();
      assert.ok(ids.includes(f.principal) && ids.includes(f.otherPrincipal), `inspect returned ${ids.join(', ')}`);
      await revoke(f.principal);
      const after = await holderIds();
      assert.ok(!after.includes(f.principal) && after.includes(f.otherPrincipal), `inspect returned ${after.join(', ')}`);
      await revoke(f.otherPrincipal);
    });

    test('a revoke makes holds() false, and the target seen from outside agrees', async () => {
      await grant(f.principal);
      await revoke(f.principal);
      assert.equal(await holds(f.principal), false);
      assert.ok(!(await f.outsideView(f.target)).includes(f.principal));
      assert.ok(!(await holderIds()).includes(f.principal));
    });

    test('revoking what was already revoked succeeds', async () => {
      await grant(f.principal);
      await revoke(f.principal);
      await revoke(f.principal);
      assert.equal(await holds(f.principal), false);
    });

    test('revoking what was never granted succeeds and leaves other holders alone', async () => {
      await grant(f.otherPrincipal);
      await revoke(f.principal);
      assert.equal(await holds(f.principal), false);
      assert.equal(await holds(f.otherPrincipal), true);
      await revoke(f.otherPrincipal);
    });

    test('a target that does not exist is rejected permanently, naming it', async () => {
      const expected = { retryable: false, message: new RegExp(escapeRegExp(f.missingTargetMention)) };
      await assertConnectorError(grant(f.principal, f.missingTarget), expected);
      await assertConnectorError(revoke(f.principal, f.missingTarget), expected);
      await assertConnectorError(holds(f.principal, f.missingTarget), expected);
      await assertConnectorError(f.connector.inspect(f.missingTarget), expected);
    });

    test('a target restarted between two operations is invisible to the caller', async () => {
      await grant(f.principal);
      await f.stopTarget();
      await f.startTarget();
      assert.equal(await holds(f.principal), true);
      await revoke(f.principal);
      assert.ok(!(await f.outsideView(f.target)).includes(f.principal));
    });

    test('while the target is down every operation fails as retryable, and the same connector works once it is back', async () => {
      await grant(f.otherPrincipal);
      await f.stopTarget();
      try {
        const expected = { retryable: true, message: f.unavailableMessage };
        await assertConnectorError(grant(f.principal), expected);
        await assertConnectorError(revoke(f.otherPrincipal), expected);
        await assertConnectorError(holds(f.principal), expected);
        await assertConnectorError(f.connector.inspect(f.target), expected);
      } finally {
        await f.startTarget();
      }
      await grant(f.principal);
      assert.equal(await holds(f.principal), true);
      await revoke(f.otherPrincipal);
      await revoke(f.principal);
      const outside = await f.outsideView(f.target);
      assert.ok(!outside.includes(f.principal) && !outside.includes(f.otherPrincipal), `left behind: ${outside.join(', ')}`);
    });
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
