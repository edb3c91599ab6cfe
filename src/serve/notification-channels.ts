// The notifier's channels, built from the `notifications` config with their secrets resolved at start
// (a missing SMTP password or webhook secret stops the start, naming the field).
import type { NotificationsConfig } from '../config/types.ts';
import type { SecretResolver } from '../connectors/registry.ts';
import type { NotificationChannels } from '../engine/notifier.ts';
import { createEmailChannel } from '../notify/email-channel.ts';
import { createWebhookChannel } from '../notify/webhook-channel.ts';

async function secret(resolve: SecretResolver, ref: Parameters<SecretResolver>[0], field: string): Promise<string> {
  try {
    return await resolve(ref);
  } catch (err) {
    throw new Error(`${field}: ${(err as Error).message}`, { cause: err });
  }
}

export async function notificationChannels(config: NotificationsConfig, resolve: SecretResolver): Promise<NotificationChannels & { close(): void }> {
  const mail = config.email;
  const email =
    mail === undefined
      ? undefined
      : createEmailChannel({
          host: mail.host,
          port: mail.port,
          secure: mail.security === 'tls',
          requireTls: mail.security === 'starttls',
          ...(mail.caFile === undefined ? {} : { tls: { caFile: mail.caFile, rejectUnauthorized: true } }),
          ...(mail.username === undefined ? {} : { auth: { user: mail.username, pass: mail.password === undefined ? '' : await secret(resolve, mail.password, 'notifications.email.password') } }),
          from: mail.from,
          timeoutMs: mail.timeoutMs,
        });
  const webhooks = new Map<string, ReturnType<typeof createWebhookChannel>>();
  for (const [index, hook] of config.webhooks.entries()) {
    webhooks.set(
      hook.name,
      createWebhookChannel({
        url: hook.url,
        format: hook.format,
        secret: await secret(resolve, hook.secret, `notifications.webhooks[${index}].secret`),
        timeoutMs: hook.timeoutMs,
        ...(hook.caFile === undefined ? {} : { tls: { caFile: hook.caFile } }),
      }),
    );
  }
  return { ...(email ? { email } : {}), webhooks, close: () => email?.close() };
}
