// Pure rendering of a Notification for each channel: an e-mail (subject, text, HTML) and the three webhook
// bodies. Links only ever open pages of jitd; none of them approves or denies by being followed.
import { describeNotification } from './message-content.ts';
import type { Notification } from './notification.ts';
import { renderEmailContent, type EmailContent } from './render-email.ts';
import { renderSlackMessage, type SlackMessage } from './render-slack.ts';
import { renderTeamsMessage, type TeamsMessage } from './render-teams.ts';

export type { EmailContent } from './render-email.ts';
export type { SlackMessage, SlackBlock, SlackButton, SlackText } from './render-slack.ts';
export type { TeamsMessage, TeamsAdaptiveCard, TeamsCardElement, TeamsOpenUrlAction, TeamsTextRun } from './render-teams.ts';
export { BREAK_GLASS_PREFIX, humanDuration, humanTime } from './message-content.ts';

export const WEBHOOK_FORMATS = ['jitd', 'slack', 'teams'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The `jitd` webhook body: the notification itself, versioned so that receivers can tell shapes apart. */
export interface JitdWebhookBody {
  readonly type: 'jitd.notification';
  readonly version: 1;
  readonly notification: Notification;
}

export type WebhookBody = JitdWebhookBody | SlackMessage | TeamsMessage;

export function renderEmail(n: Notification): EmailContent {
  return renderEmailContent(describeNotification(n));
}

export function renderJitdBody(n: Notification): JitdWebhookBody {
  return { type: 'jitd.notification', version: 1, notification: n };
}

export function renderSlack(n: Notification): SlackMessage {
  return renderSlackMessage(describeNotification(n));
}

export function renderTeams(n: Notification): TeamsMessage {
  return renderTeamsMessage(describeNotification(n));
}

export function renderWebhookBody(n: Notification, format: 'jitd'): JitdWebhookBody;
export function renderWebhookBody(n: Notification, format: 'slack'): SlackMessage;
export function renderWebhookBody(n: Notification, format: 'teams'): TeamsMessage;
export function renderWebhookBody(n: Notification, format: WebhookFormat): WebhookBody;
export function renderWebhookBody(n: Notification, format: WebhookFormat): WebhookBody {
  switch (format) {
    case 'jitd':
      return renderJitdBody(n);
    case 'slack':
      return renderSlack(n);
    case 'teams':
      return renderTeams(n);
  }
}
