// The portal's words for durations, countdowns and percentages (pure functions, run in Node).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCountdown, formatDuration, formatPercent, formatWait, spokenTimeLeft, stateLabel } from '../../portal/src/format.ts';

test('durations show the two largest units, as the CLI writes them', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(999), '0s');
  assert.equal(formatDuration(45_000), '45s');
  assert.equal(formatDuration(3_900_000), '1h 5m');
  assert.equal(formatDuration(3_605_000), '1h');
  assert.equal(formatDuration(2 * 86_400_000 + 3 * 3_600_000 + 59_000), '2d 3h');
  assert.equal(formatDuration(Number.NaN), '0s');
});

test('a countdown ticks as h:mm:ss or m:ss and never goes below zero', () => {
  assert.equal(formatCountdown(3_849_000), '1:04:09');
  assert.equal(formatCountdown(249_000), '4:09');
  assert.equal(formatCountdown(500), '0:01');
  assert.equal(formatCountdown(-5000), '0:00');
});

test('screen readers hear the time left in words', () => {
  assert.equal(spokenTimeLeft(3_849_000), '1 hour 4 minutes left');
  assert.equal(spokenTimeLeft(61_000), '1 minute left');
  assert.equal(spokenTimeLeft(2_000), '2 seconds left');
  assert.equal(spokenTimeLeft(0), 'no time left');
});

test('percentages and waits say "—" when there is nothing to show', () => {
  assert.equal(formatPercent(null), '—');
  assert.equal(formatPercent(66.666), '66.7%');
  assert.equal(formatWait(null), '—');
  assert.equal(formatWait(420), '420 ms');
  assert.equal(formatWait(90_000), '1m 30s');
  assert.equal(stateLabel('revoke_failed'), 'revoke failed');
});
