// The notifier's channels are built at start with their secrets: a missing one stops the start, naming the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveSecret } from '../../src/config/secrets.ts';
import { notificationChannels } from '../../src/serve/notification-channels.ts';

const retry = { initialDelayMs: 10_000, maxDelayMs: 600_000, factor: 2, jitter: 0.2 };

test('a webhook whose secret is missing stops the start with the field and the cause', async () => {
  await assert.rejects(
    notificationChannels(
      { webhooks: [{ name: 'chat', url: 'https://hooks.example.test/x', format: 'slack', secret: { env: 'JITD_TEST_NO_SUCH_SECRET' }, timeoutMs: 10_000 }], securityContacts: [], pollIntervalMs: 1_000, retry },
      (ref) => resolveSecret(ref, '/', {}),
    ),
    (error: unknown) => error instanceof Error && /^notifications\.webhooks\[0\]\.secret: .*JITD_TEST_NO_SUCH_SECRET/.test(error.message),
  );
});

test('without e-mail settings there is no e-mail channel, and each webhook is there by name', async () => {
  const channels = await notificationChannels(
    { webhooks: [{ name: 'chat', url: 'https://hooks.example.test/x', format: 'jitd', secret: { env: 'HOOK' }, timeoutMs: 10_000 }], securityContacts: [], pollIntervalMs: 1_000, retry },
    (ref) => resolveSecret(ref, '/', { HOOK: 'whsec' }),
  );
  assert.equal(channels.email, undefined);
  assert.deepEqual([...channels.webhooks.keys()], ['chat']);
  channels.close();
});
