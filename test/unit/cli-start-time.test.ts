import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStartTime } from '../../src/cli/start-time.ts';

// Local time, as the CLI sees it: built from parts so the test holds in any time zone.
const now = new Date(2026, 10, 24, 14, 30, 0);

describe('jitd request --start', () => {
  test('a clock time later today is today', () => {
    assert.deepEqual(parseStartTime('22:00', now), new Date(2026, 10, 24, 22, 0, 0));
  });

  test('a clock time already past today is tomorrow', () => {
    assert.deepEqual(parseStartTime('09:15', now), new Date(2026, 10, 25, 9, 15, 0));
    assert.deepEqual(parseStartTime('14:30', now), new Date(2026, 10, 25, 14, 30, 0));
  });

  test('relative starts count from now', () => {
    assert.deepEqual(parseStartTime('+2h', now), new Date(now.getTime() + 7_200_000));
    assert.deepEqual(parseStartTime('in 30m', now), new Date(now.getTime() + 1_800_000));
  });

  test('a local date and time, and an ISO time with a zone, are taken as written', () => {
    assert.deepEqual(parseStartTime('2026-11-25 06:00', now), new Date(2026, 10, 25, 6, 0));
    assert.deepEqual(parseStartTime('2026-11-25T06:00', now), new Date(2026, 10, 25, 6, 0));
    assert.deepEqual(parseStartTime('2026-11-24T22:00:00Z', now), new Date(Date.UTC(2026, 10, 24, 22)));
    assert.deepEqual(parseStartTime('2026-11-24T22:00+01:00', now), new Date(Date.UTC(2026, 10, 24, 21)));
  });

  test('anything else names the accepted forms', () => {
    for (const text of ['tonight', '25:00', '+soon', '2026-02-30 10:00', '2026-11-24T22:00:00']) {
      assert.throws(() => parseStartTime(text, now), {
        message: `start: "${text}" is not a start time (use 22:00, +2h, "in 30m", "2026-11-24 22:00" or an ISO 8601 time with a zone)`,
      });
    }
  });
});
