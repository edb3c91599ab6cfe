// A notification as a Microsoft Teams message: the `message` envelope with one Adaptive Card attachment that
// both the Workflows "post to a channel when a webhook request is received" template and the older Office
// 365 connector webhooks accept. User text goes into RichTextBlock TextRuns, which Teams shows as plain text
// (a TextBlock would read Markdown, so a reason could smuggle in a link); buttons are Action.OpenUrl only.
import type { MessageContent } from './message-content.ts';

export interface TeamsTextRun {
  readonly type: 'TextRun';
  readonly text: string;
  readonly weight?: 'Bolder';
  readonly size?: 'Small' | 'Medium' | 'Large';
  readonly color?: 'Attention' | 'Warning';
  readonly isSubtle?: boolean;
}

export type TeamsCardElement =
  | { readonly type: 'RichTextBlock'; readonly inlines: readonly TeamsTextRun[] }
  | { readonly type: 'Container'; readonly style: 'attention' | 'warning'; readonly bleed: boolean; readonly items: readonly TeamsCardElement[] };

export interface TeamsOpenUrlAction {
  readonly type: 'Action.OpenUrl';
  readonly title: string;
  readonly url: string;
  readonly style?: 'positive' | 'destructive';
}

export interface TeamsAdaptiveCard {
  readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  readonly type: 'AdaptiveCard';
  readonly version: '1.4';
  readonly msteams: { readonly width: 'Full' };
  readonly body: readonly TeamsCardElement[];
  readonly actions: readonly TeamsOpenUrlAction[];
}

export interface TeamsMessage {
  readonly type: 'message';
  readonly summary: string;
  readonly attachments: readonly [
    { readonly contentType: 'application/vnd.microsoft.card.adaptive'; readonly contentUrl: null; readonly content: TeamsAdaptiveCard },
  ];
}

function runs(...inlines: TeamsTextRun[]): TeamsCardElement {
  return { type: 'RichTextBlock', inlines };
}

export function renderTeamsMessage(c: MessageContent): TeamsMessage {
  const body: TeamsCardElement[] = [];
  if (c.loud) {
    body.push({
      type: 'Container',
      style: 'attention',
      bleed: true,
      items: [runs({ type: 'TextRun', text: 'BREAK-GLASS ACCESS: REVIEW NOW', weight: 'Bolder', size: 'Large', color: 'Attention' })],
    });
  } else if (c.warning) {
    body.push({ type: 'Container', style: 'warning', bleed: true, items: [runs({ type: 'TextRun', text: 'Needs attention', weight: 'Bolder', color: 'Warning' })] });
  }
  body.push(runs({ type: 'TextRun', text: c.headline, weight: 'Bolder', size: 'Medium' }));
  for (const fact of c.facts) body.push(runs({ type: 'TextRun', text: `${fact.label}: `, weight: 'Bolder' }, { type: 'TextRun', text: fact.value }));
  if (c.notice !== undefined) body.push(runs({ type: 'TextRun', text: c.notice, size: 'Small', isSubtle: true }));
  body.push(runs({ type: 'TextRun', text: c.footer, size: 'Small', isSubtle: true }));
  const actions: TeamsOpenUrlAction[] = c.actions.map((a) => ({
    type: 'Action.OpenUrl',
    title: a.label,
    url: a.url,
    ...(a.kind === 'approve' ? { style: 'positive' as const } : a.kind === 'deny' ? { style: 'destructive' as const } : {}),
  }));
  return {
    type: 'message',
    summary: c.subject,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
          actions,
        },
      },
    ],
  };
}
