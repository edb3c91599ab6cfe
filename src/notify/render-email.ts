// A notification as an e-mail: a plain-text part that reads well on its own, and a simple HTML part with
// inline styles only (mail clients drop <style> blocks and never run scripts). User text is escaped.
import { escapeHtml } from './escape.ts';
import type { MessageContent } from './message-content.ts';

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

function plainText(c: MessageContent): string {
  const lines: string[] = [];
  if (c.loud) lines.push('*** BREAK-GLASS ACCESS: REVIEW NOW ***', '');
  lines.push(c.headline, '');
  for (const fact of c.facts) {
    lines.push(fact.long ? `${fact.label}:\n  ${fact.value.replace(/\r?\n/g, '\n  ')}` : `${fact.label}: ${fact.value}`);
  }
  lines.push('');
  for (const action of c.actions) lines.push(`${action.label.replace(/…$/, '')}: ${action.url}`);
  if (c.notice !== undefined) lines.push('', c.notice);
  lines.push('', '-- ', c.footer, '');
  return lines.join('\n');
}

const BUTTON_COLOURS = { view: '#1f6feb', approve: '#1a7f37', deny: '#cf222e' } as const;

function html(c: MessageContent): string {
  const e = escapeHtml;
  const banner = c.loud
    ? '<p style="margin:0 0 16px;padding:12px;background:#cf222e;color:#ffffff;font-weight:bold;font-size:18px">BREAK-GLASS ACCESS: REVIEW NOW</p>'
    : c.warning
      ? '<p style="margin:0 0 16px;padding:8px 12px;background:#fff8c5;color:#4d2d00;font-weight:bold">Needs attention</p>'
      : '';
  const rows = c.facts
    .map(
      (f) =>
        `<tr><th style="text-align:left;vertical-align:top;padding:4px 12px 4px 0;white-space:nowrap">${e(f.label)}</th>` +
        `<td style="padding:4px 0;white-space:pre-wrap">${e(f.value)}</td></tr>`,
    )
    .join('\n');
  const buttons = c.actions
    .map(
      (a) =>
        `<a href="${e(a.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 14px;border-radius:4px;` +
        `background:${BUTTON_COLOURS[a.kind]};color:#ffffff;text-decoration:none">${e(a.label)}</a>`,
    )
    .join('\n');
  const notice = c.notice === undefined ? '' : `<p style="color:#57606a;font-size:13px">${e(c.notice)}</p>`;
  return [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${e(c.subject)}</title></head>`,
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328">',
    banner,
    `<p style="font-size:16px;font-weight:bold">${e(c.headline)}</p>`,
    `<table style="border-collapse:collapse;margin:0 0 16px">\n${rows}\n</table>`,
    `<p>${buttons}</p>`,
    notice,
    `<p style="color:#57606a;font-size:12px">${e(c.footer)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
}

export function renderEmailContent(c: MessageContent): EmailContent {
  return { subject: c.subject, text: plainText(c), html: html(c) };
}
