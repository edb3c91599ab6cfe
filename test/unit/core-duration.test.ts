// Durations as people type them: the parser and the formatter must agree, and the error must say what to write.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DURATION_EXAMPLES, formatDuration, parseDuration, tryParseDuration } from '../../src/core/duration.ts';
import { InvalidInputError } from '../../src/core/errors.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  const valid: ReadonlyArray<readonly [string, number]> = [
    ['1s', SECOND],
    ['90s', 90 * SECOND],
    ['1m', MINUTE],
    ['30m', 30 * MINUTE],
    ['1h', HOUR],
    ['24h', 24 * HOUR],
    ['1d', DAY],
    ['2d', 2 * DAY],
    ['1h30m', HOUR + 30 * MINUTE],
    ['2d4h', 2 * DAY + 4 * HOUR],
    ['1d2h3m4s', DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND],
    ['1m30s', MINUTE + 30 * SECOND],
    ['0h30m', 30 * MINUTE],
    ['01h', HOUR],
  ];
  for (const [text, ms] of valid) {
    test(`reads "${text}" as ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
      assert.equal(tryParseDuration(text), ms);
    });
  }

  test('ignores surrounding whitespace', () => {
    assert.equal(parseDuration('  1h30m \n'), HOUR + 30 * MINUTE);
  });

  const invalid = ['', ' ', '0s', '0d0h0m0s', '90x', '1.5h', '-1h', 'h', '1H', '30m1h', '1h 30m', '1d1d', 's', '1', 'PT1H'];
  for (const text of invalid) {
    test(`rejects ${JSON.stringify(text)} with the message that shows what to write`, () => {
      assert.equal(tryParseDuration(text), undefined);
      assert.throws(
        () => parseDuration(text),
        (error: unknown) => {
          assert.ok(error instanceof InvalidInputError);
          assert.equal(error.kind, 'invalid_input');
          assert.equal(error.message, `duration: "${text}" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)`);
          assert.deepEqual(error.issues, [{ path: 'duration', message: `"${text}" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)` }]);
          return true;
        },
      );
    });
  }

  test('names the field it was given in the message and in the issue path', () => {
    assert.throws(() => parseDuration('90x', 'roles.db-owner.maxDuration'), {
      name: 'InvalidInputError',
      message: 'roles.db-owner.maxDuration: "90x" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)',
      issues: [{ path: 'roles.db-owner.maxDuration', message: '"90x" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)' }],
    });
  });

  test('lists the examples that DURATION_EXAMPLES exports', () => {
    assert.equal(DURATION_EXAMPLES, '30m, 1h, 1h30m, 2d, 90s');
  });

  test('rejects a number of units too large to be held exactly', () => {
    // `Number("1000…0")` with 400 digits is Infinity, and 9007199254740993 reads as …992: neither may become a
    // role's maximum or a lease's window.
    for (const text of [`1${'0'.repeat(400)}s`, '9007199254740993s']) {
      assert.equal(tryParseDuration(text), undefined, `${text.slice(0, 20)}… (${text.length} characters)`);
      assert.throws(() => parseDuration(text), { name: 'InvalidInputError', message: `duration: "${text}" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)` });
    }
  });
});

describe('formatDuration', () => {
  const exact: ReadonlyArray<readonly [number, string]> = [
    [SECOND, '1s'],
    [59 * SECOND, '59s'],
    [MINUTE, '1m'],
    [90 * SECOND, '1m30s'],
    [HOUR, '1h'],
    [HOUR + 30 * MINUTE, '1h30m'],
    [DAY, '1d'],
    [2 * DAY + 4 * HOUR, '2d4h'],
    [DAY + 2 * HOUR + 3 * MINUTE + 4 * SECOND, '1d2h3m4s'],
    [DAY + 5 * SECOND, '1d5s'],
    [400 * DAY, '400d'],
  ];
  for (const [ms, text] of exact) {
    test(`writes ${ms} ms as "${text}"`, () => {
      assert.equal(formatDuration(ms), text);
    });
  }

  test('writes zero and negative durations as "0s"', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(-1), '0s');
    assert.equal(formatDuration(-HOUR), '0s');
  });

  test('writes a positive duration under one second as "<1s"', () => {
    assert.equal(formatDuration(1), '<1s');
    assert.equal(formatDuration(999), '<1s');
    assert.equal(formatDuration(0.5), '<1s');
  });

  test('rounds down to whole seconds', () => {
    assert.equal(formatDuration(1_999), '1s');
    assert.equal(formatDuration(HOUR + 999), '1h');
  });

  test('is read back by parseDuration for every whole-second duration', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 * 86_400 }), (seconds) => {
        const ms = seconds * SECOND;
        assert.equal(parseDuration(formatDuration(ms)), ms);
      }),
      { numRuns: 2_000 },
    );
  });

  test('formats every parsed duration back to the same number of milliseconds', () => {
    const part = (unit: string, max: number) => fc.option(fc.integer({ min: 0, max }).map((n) => `${n}${unit}`), { nil: '' });
    fc.assert(
      fc.property(part('d', 10_000), part('h', 1_000), part('m', 1_000), part('s', 100_000), (d, h, m, s) => {
        const ms = tryParseDuration(`${d}${h}${m}${s}`);
        fc.pre(ms !== undefined);
        assert.equal(tryParseDuration(formatDuration(ms)), ms);
      }),
      { numRuns: 1_000 },
    );
  });
});
