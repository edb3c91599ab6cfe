// Revocation retry delays: exponential, capped, jittered within stated bounds, never zero.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DEFAULT_RETRY_POLICY, retryDelayMs, type RetryPolicy } from '../../src/core/backoff.ts';

/** The largest number below 1 that Math.random can return. */
const ALMOST_ONE = 1 - 2 ** -53;

test('the default policy starts at 1s, doubles, caps at 5 minutes and jitters by 20 %', () => {
  assert.deepEqual(DEFAULT_RETRY_POLICY, { initialDelayMs: 1_000, maxDelayMs: 300_000, factor: 2, jitter: 0.2 });
});

describe('retryDelayMs without jitter (random = 0.5)', () => {
  test('grows by the factor after each failure', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => retryDelayMs(DEFAULT_RETRY_POLICY, n, 0.5));
    assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000]);
  });

  test('is capped at maxDelayMs, however many failures', () => {
    for (const n of [10, 11, 50, 1_100, 1_000_000]) assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, n, 0.5), 300_000, `after ${n} failures`);
  });

  test('treats zero or negative failures as the first', () => {
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 0, 0.5), 1_000);
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, -3, 0.5), 1_000);
  });

  test('follows a non-default factor', () => {
    const policy: RetryPolicy = { initialDelayMs: 250, maxDelayMs: 60_000, factor: 3, jitter: 0 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(policy, n, 0.9)),
      [250, 750, 2_250, 6_750, 20_250, 60_000],
    );
  });
});

describe('retryDelayMs jitter', () => {
  test('random 0 takes the fraction off the base delay', () => {
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 1, 0), 800);
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 3, 0), 3_200);
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 20, 0), 240_000);
  });

  test('random close to 1 adds the fraction to the base delay', () => {
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 1, ALMOST_ONE), 1_200);
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 3, ALMOST_ONE), 4_800);
    assert.equal(retryDelayMs(DEFAULT_RETRY_POLICY, 20, ALMOST_ONE), 360_000);
  });

  test('stays within base × (1 ± jitter) for every policy, failure count and random number', () => {
    const policy = fc.record({
      initialDelayMs: fc.integer({ min: 1, max: 60_000 }),
      maxDelayMs: fc.integer({ min: 1, max: 3_600_000 }),
      factor: fc.double({ min: 1, max: 4, noNaN: true }),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
    fc.assert(
      fc.property(policy, fc.integer({ min: 1, max: 200 }), random, (p, failures, r) => {
        const base = Math.min(p.maxDelayMs, p.initialDelayMs * p.factor ** (failures - 1));
        const delay = retryDelayMs(p, failures, r);
        assert.ok(Number.isInteger(delay), `${delay} is a whole number of ms`);
        assert.ok(delay >= 1, `${delay} ≥ 1`);
        assert.ok(delay >= Math.floor(base * (1 - p.jitter)), `${delay} ≥ ${base} × (1 − ${p.jitter})`);
        assert.ok(delay <= Math.ceil(base * (1 + p.jitter)), `${delay} ≤ ${base} × (1 + ${p.jitter})`);
      }),
      { numRuns: 2_000 },
    );
  });

  test('is never below 1 ms, even when the jitter could take the whole delay away', () => {
    assert.equal(retryDelayMs({ initialDelayMs: 1, maxDelayMs: 10, factor: 2, jitter: 1 }, 1, 0), 1);
    assert.equal(retryDelayMs({ initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, jitter: 1 }, 1, 0), 1);
  });

  test('grows with the number of failures when the random number is the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r) => {
        assert.ok(retryDelayMs(DEFAULT_RETRY_POLICY, n + 1, r) >= retryDelayMs(DEFAULT_RETRY_POLICY, n, r));
      }),
    );
  });
});
