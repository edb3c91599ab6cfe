import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { keyIdSpecProblem, pruneExpired, serialSpecLines } from '../../src/connectors/ssh/krl.ts';

const NOW = new Date('2026-03-01T10:00:00Z');
const at = (minutes: number): Date => new Date(NOW.getTime() + minutes * 60_000);

describe('KRL spec building', () => {
  test('entries whose certificate expired longer ago than the grace are pruned; the rest are kept in serial order', () => {
    const { kept, pruned } = pruneExpired(
      [
        { serial: 9n, validBefore: at(60) },
        { serial: 3n, validBefore: at(-10) }, // expired 10 min ago: sshd refuses it anyway
        { serial: 4n, validBefore: at(-2) }, // expired, but within the 5 min grace for clock skew
        { serial: 5n, validBefore: at(0) },
      ],
      NOW,
      5 * 60_000,
    );
    assert.deepEqual(
      kept.map((e) => e.serial),
      [4n, 5n, 9n],
    );
    assert.equal(pruned, 1);
  });

  test('a serial listed twice is kept once, with the later expiry', () => {
    const { kept } = pruneExpired(
      [
        { serial: 7n, validBefore: at(10), keyId: 'a' },
        { serial: 7n, validBefore: at(20), keyId: 'b' },
      ],
      NOW,
      0,
    );
    assert.deepEqual(kept, [{ serial: 7n, validBefore: at(20), keyId: 'b' }]);
  });

  test('consecutive serials become one range line and lone serials stay single', () => {
    assert.deepEqual(serialSpecLines([9n, 3n, 4n, 5n, 12n, 11n, 5n]), ['serial: 3-5', 'serial: 9', 'serial: 11-12']);
    assert.deepEqual(serialSpecLines([]), []);
    assert.deepEqual(serialSpecLines([18446744073709551615n]), ['serial: 18446744073709551615']);
  });

  test('key ids that an "id:" line would cut or trim are reported', () => {
    assert.equal(keyIdSpecProblem('lease_01J9ZK:root,deploy'), undefined);
    assert.equal(keyIdSpecProblem('lease 7:a#b'), 'key id "lease 7:a#b" cannot be written as an "id:" line (empty, "#", control characters or outer spaces)');
    assert.notEqual(keyIdSpecProblem(' lease'), undefined);
    assert.notEqual(keyIdSpecProblem('lease\n'), undefined);
    assert.notEqual(keyIdSpecProblem(''), undefined);
  });
});
