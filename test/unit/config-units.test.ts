import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { dottedPath, formatIssue, type ConfigIssue } from '../../src/config/issue.ts';
import { formatConfigDuration, parseConfigDuration, parseListen, parseSize } from '../../src/config/units.ts';

describe('config durations', () => {
  test("read the core's forms and milliseconds", () => {
    assert.equal(parseConfigDuration('250ms'), 250);
    assert.equal(parseConfigDuration('1s500ms'), 1_500);
    assert.equal(parseConfigDuration('1h30m'), 5_400_000);
    assert.equal(parseConfigDuration('2d'), 172_800_000);
    assert.equal(parseConfigDuration(' 90s '), 90_000);
  });

  test('refuse zero, unknown units, spaces inside and bare numbers', () => {
    for (const text of ['0ms', '0s', '90x', '5 s', '90', '', 'ms', '1ms2s', '1.5h', '-1s']) {
      assert.equal(parseConfigDuration(text), undefined, text);
    }
  });

  test('read back what they format, for any number of milliseconds', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 10 * 86_400_000 }), (ms) => parseConfigDuration(formatConfigDuration(ms)) === ms));
    assert.equal(formatConfigDuration(250), '250ms');
    assert.equal(formatConfigDuration(90_500), '1m30s500ms');
  });
});

describe('config sizes and addresses', () => {
  test('sizes are bytes with binary units', () => {
    assert.equal(parseSize('64kb'), 65_536);
    assert.equal(parseSize('1MB'), 1_048_576);
    assert.equal(parseSize('512b'), 512);
    assert.equal(parseSize(4096), 4096);
    for (const bad of ['64xb', '0', '1.5kb', '', 0, -1, 1.5]) assert.equal(parseSize(bad), undefined, String(bad));
  });

  test('listen addresses are host:port or [ipv6]:port', () => {
    assert.deepEqual(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListen('[::1]:0'), { host: '::1', port: 0 });
    assert.deepEqual(parseListen('jitd.internal:443'), { host: 'jitd.internal', port: 443 });
    for (const bad of ['localhost', ':8080', '::1:8080', 'host:65536', 'host:http', 'a b:80']) assert.equal(parseListen(bad), undefined, bad);
  });
});

describe('formatIssue', () => {
  const issue: ConfigIssue = {
    file: '/etc/jitd/jitd.yaml',
    line: 14,
    col: 7,
    path: 'roles.db-owner.maxDuration',
    message: '"90x" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)',
    code: 'bad_duration',
  };

  test('shows the file relative to the working folder when it is inside it', () => {
    assert.equal(formatIssue(issue, '/etc/jitd'), 'jitd.yaml:14:7 roles.db-owner.maxDuration: "90x" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)');
    assert.equal(formatIssue(issue, '/etc'), 'jitd/jitd.yaml:14:7 roles.db-owner.maxDuration: "90x" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)');
  });

  test('shows the absolute file when it is outside the working folder', () => {
    assert.equal(formatIssue(issue, '/srv'), '/etc/jitd/jitd.yaml:14:7 roles.db-owner.maxDuration: "90x" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)');
    assert.equal(formatIssue({ ...issue, file: '/etc/jitd..yaml' }, '/etc/jitd'), '/etc/jitd..yaml:14:7 roles.db-owner.maxDuration: "90x" is not a duration (e.g. 30m, 1h, 1h30m, 2d, 90s)');
  });

  test('leaves out the path for problems with the file itself', () => {
    assert.equal(formatIssue({ ...issue, line: 1, col: 1, path: '', message: 'config file not found', code: 'config_unreadable' }, '/etc/jitd'), 'jitd.yaml:1:1 config file not found');
  });

  test('field paths use dots for fields and brackets for list entries', () => {
    assert.equal(dottedPath(['identities', 'tokens', 1, 'tokenSha256']), 'identities.tokens[1].tokenSha256');
    assert.equal(dottedPath([]), '');
  });
});
