// A notification as a Slack incoming-webhook message: `text` is the fallback Slack shows in notifications
// and to clients without Block Kit; `blocks` carry a section with the facts and link buttons. Link buttons
// (`url`) only open the page; Slack sends nothing back to jitd for them.
import { escapeSlack } from './escape.ts';
import type { MessageContent } from './message-content.ts';

export interface SlackText {
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

export interface SlackButton {
  readonly type: 'button';
  readonly text: SlackText;
  readonly url: string;
  readonly action_id: string;
  readonly style?: 'primary' | 'danger';
}

export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'actions'; readonly elements: readonly SlackButton[] }
  | { readonly type: 'divider' };

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

// Block Kit limits: section text 3000 characters, a field 2000, at most 10 fields, header 150.
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_MAX = 10;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Escaped mrkdwn of at most `max` characters; the limit counts the escaped text, so clip after escaping. */
function mrkdwn(text: string, max: number): SlackText {
  const escaped = escapeSlack(text);
  if (escaped.length <= max) return { type: 'mrkdwn', text: escaped };
  // Cut back to before a partial entity so that Slack never sees a stray "&am".
  const cut = escaped.slice(0, max - 1).replace(/&[a-z]{0,3}$/, '');
  return { type: 'mrkdwn', text: `${cut}…` };
}

function quote(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => `>${line}`)
    .join('\n');
}

export function renderSlackMessage(c: MessageContent): SlackMessage {
  const blocks: SlackBlock[] = [];
  if (c.loud) blocks.push({ type: 'header', text: { type: 'plain_text', text: ':rotating_light: BREAK-GLASS ACCESS', emoji: true } });
  else if (c.warning) blocks.push({ type: 'header', text: { type: 'plain_text', text: ':warning: Needs attention', emoji: true } });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(c.headline, SECTION_MAX - 2).text}*` } });
  const short = c.facts.filter((f) => !f.long);
  if (short.length > 0) {
    blocks.push({
      type: 'section',
      fields: short.slice(0, FIELDS_MAX).map((f) => ({ type: 'mrkdwn', text: `*${escapeSlack(f.label)}*\n${mrkdwn(f.value, FIELD_MAX - 40).text}` })),
    });
  }
  for (const fact of c.facts.filter((f) => f.long)) {
    const body = mrkdwn(fact.value, SECTION_MAX - 40).text;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(fact.label)}*\n${quote(body)}` } });
  }
  blocks.push({
    type: 'actions',
    elements: c.actions.map((a) => ({
      type: 'button',
      text: { type: 'plain_text', text: clip(a.label, 75) },
      url: a.url,
      action_id: `jitd-${a.kind}`,
      ...(a.kind === 'approve' ? { style: 'primary' as const } : a.kind === 'deny' ? { style: 'danger' as const } : {}),
    })),
  });
  if (c.notice !== undefined) blocks.push({ type: 'context', elements: [mrkdwn(c.notice, FIELD_MAX)] });
  blocks.push({ type: 'context', elements: [mrkdwn(c.footer, FIELD_MAX)] });
  return { text: escapeSlack(c.subject), blocks };
}
