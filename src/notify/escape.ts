// Escaping of user-provided text (reasons, names, comments) for each markup a notification is written in.

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** For HTML text and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

/**
 * For Slack mrkdwn: Slack reads only &, < and > as control characters (`<!channel>`, `<url|label>`), and
 * wants exactly those three written as HTML entities. Other entities would be shown literally.
 */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
