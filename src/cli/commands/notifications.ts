// jitd notifications: the outbox — what was sent, what waits for a retry and why (admins and auditors).
import type { Command } from 'commander';
import type { NotificationView } from '../../api/views.ts';
import { contextOf } from '../context.ts';
import { emit, table, when } from '../output.ts';

export function registerNotificationCommands(program: Command): void {
  program
    .command('notifications')
    .description('notification delivery: sent, waiting for a retry (with the last error), refused (admins and auditors)')
    .option('--state <states>', 'comma-separated: pending, sent, failed')
    .option('--limit <n>', 'at most this many (1-1000)', '100')
    .action(async (opts: { state?: string; limit: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<{ counts: Record<string, number>; notifications: NotificationView[] }>('/v1/notifications', { state: opts.state, limit: opts.limit });
      emit(format, body, () =>
        [
          `Pending ${body.counts.pending ?? 0}, sent ${body.counts.sent ?? 0}, failed ${body.counts.failed ?? 0}.`,
          body.notifications.length === 0
            ? 'No notifications.'
            : table(
                ['ID', 'EVENT', 'CHANNEL', 'TO', 'STATE', 'TRIES', 'WHEN', 'LAST ERROR'],
                body.notifications.map((n) => [
                  n.id,
                  n.event,
                  n.channel,
                  n.recipients.join(', ') || '-',
                  n.state,
                  String(n.attempts),
                  n.state === 'sent' ? when(n.sentAt) : n.state === 'pending' && n.nextAttemptAt ? `next ${when(n.nextAttemptAt)}` : when(n.createdAt),
                  n.lastError ?? '-',
                ]),
              ),
        ].join('\n'),
      );
    });
}
