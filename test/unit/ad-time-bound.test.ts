// Time-bound membership (AD's PAM feature) is used only when both signs are there, and the TTL written
// makes the link end at the lease's expiry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LINK_TTL_CONTROL, judgeTimeBoundSupport, timeBoundValue, ttlSeconds } from '../../src/connectors/ad/time-bound.ts';

const FEATURE = 'CN=Privileged Access Management Feature,CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,DC=jit,DC=test';

test('PAM is used only when the DC offers the LINK_TTL control and the feature is enabled', () => {
  assert.deepEqual(judgeTimeBoundSupport([LINK_TTL_CONTROL], [FEATURE]), { available: true, reason: 'the Privileged Access Management optional feature is enabled' });
  assert.deepEqual(judgeTimeBoundSupport(['1.2.840.113556.1.4.319'], [FEATURE]), {
    available: false,
    reason: 'the domain controller does not offer the LINK_TTL control (1.2.840.113556.1.4.2309)',
  });
  assert.deepEqual(judgeTimeBoundSupport([LINK_TTL_CONTROL], undefined), {
    available: false,
    reason: 'the Privileged Access Management optional feature is not enabled in this forest',
  });
  assert.equal(judgeTimeBoundSupport([LINK_TTL_CONTROL], ['CN=Recycle Bin Feature,CN=Optional Features,CN=Configuration,DC=jit,DC=test']).available, false);
});

test('the TTL runs to the expiry, rounded up, and is never below one second', () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0);
  assert.equal(ttlSeconds(new Date(now + 3_600_000), now), 3600);
  assert.equal(ttlSeconds(new Date(now + 1_500), now), 2);
  assert.equal(ttlSeconds(new Date(now - 5_000), now), 1);
});

test('a TTL member value is written in the <TTL=seconds,DN> form', () => {
  const dn = 'CN=Alice Smith,CN=Users,DC=jit,DC=test';
  assert.equal(timeBoundValue(dn, 3600), `<TTL=3600,${dn}>`);
});
