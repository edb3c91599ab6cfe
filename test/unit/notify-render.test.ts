// Rendering of notifications for e-mail, Slack and Teams: every event renders, user text is escaped for
// each markup, links only open pages, and break-glass cannot be skimmed past.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { escapeHtml, escapeSlack } from '../../src/notify/escape.ts';
import { NOTIFICATION_EVENTS, type Notification, type NotificationEvent } from '../../src/notify/notification.ts';
import {
  humanDuration,
  humanTime,
  renderEmail,
  renderSlack,
  renderTeams,
  renderWebhookBody,
  type SlackBlock,
  type TeamsCardElement,
} from '../../src/notify/render.ts';

const PORTAL = 'https://jitd.example.com';

function notification(event: NotificationEvent, overrides: Partial<Notification> = {}): Notification {
  return {
    id: 'ntf-0001',
    event,
    occurredAt: '2026-11-24T14:05:09.000Z',
    request: {
      id: 'req-42',
      principal: 'alice',
      principalName: 'Alice Liddell',
      role: 'db-admin',
      reason: 'Restore the orders table after INC-7',
      ticket: 'INC-7',
      durationMs: 5_400_000,
      approvalsRequired: 2,
      approvals: event === 'approval.requested' ? [] : [{ by: 'bob', at: '2026-11-24T14:10:00.000Z', comment: 'ok' }, { by: 'carol', at: '2026-11-24T14:11:00.000Z' }],
      ...(event === 'request.denied' ? { denial: { by: 'dave', at: '2026-11-24T14:12:00.000Z', comment: 'use the replica' } } : {}),
    },
    ...(['request.granted', 'breakglass.granted', 'lease.review.required', 'revocation.failing'].includes(event)
      ? {
          lease: {
            id: 'lease-9',
            principal: 'alice',
            role: 'db-admin',
            expiresAt: '2026-11-24T15:35:09.000Z',
            ...(event === 'revocation.failing' ? { lastError: 'ldap://dc1: connection refused' } : {}),
          },
        }
      : {}),
    links: {
      view: `${PORTAL}/requests/req-42`,
      ...(event === 'approval.requested' ? { approve: `${PORTAL}/requests/req-42/review?decision=approve`, deny: `${PORTAL}/requests/req-42/review?decision=deny` } : {}),
    },
    ...overrides,
  };
}

function slackTexts(blocks: readonly SlackBlock[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'section') return [...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)];
    if (b.type === 'context') return b.elements.map((e) => e.text);
    if (b.type === 'header') return [b.text.text];
    return [];
  });
}

function teamsTexts(elements: readonly TeamsCardElement[]): string[] {
  return elements.flatMap((e) => (e.type === 'Container' ? teamsTexts(e.items) : e.inlines.map((i) => i.text)));
}

describe('every event', () => {
  const subjects: Record<NotificationEvent, string> = {
    'approval.requested': 'Approval needed: Alice Liddell (alice) requests db-admin for 1h 30m',
    'request.approved': "Approved: Alice Liddell (alice)'s request for db-admin",
    'request.denied': "Denied: Alice Liddell (alice)'s request for db-admin",
    'request.expired': "Expired: Alice Liddell (alice)'s request for db-admin was not approved in time",
    'request.granted': 'Access granted: Alice Liddell (alice) has db-admin until 2026-11-24 15:35 UTC',
    'breakglass.granted': '[BREAK-GLASS] Alice Liddell (alice) took db-admin without approval',
    'lease.review.required': "Review required: Alice Liddell (alice)'s access to db-admin",
    'revocation.failing': 'Revocation failing: Alice Liddell (alice) still holds db-admin',
  };

  for (const event of NOTIFICATION_EVENTS) {
    test(`${event} renders an e-mail, a Slack message and a Teams card that name the principal, role and request`, () => {
      const n = notification(event);
      const email = renderEmail(n);
      assert.equal(email.subject, subjects[event]);
      for (const part of [email.text, email.html]) {
        assert.match(part, /alice/);
        assert.match(part, /db-admin/);
        assert.match(part, /req-42/);
        assert.ok(part.includes(`${PORTAL}/requests/req-42`), 'links to the request');
      }
      const slack = renderSlack(n);
      assert.equal(slack.text, escapeSlack(subjects[event]));
      assert.ok(slackTexts(slack.blocks).some((t) => t.includes('db-admin')));
      const card = renderTeams(n).attachments[0].content;
      assert.ok(teamsTexts(card.body).some((t) => t.includes('db-admin')));
    });
  }

  test('a request that was denied says who denied it and why', () => {
    const email = renderEmail(notification('request.denied'));
    assert.match(email.text, /Denied by:\n {2}dave \(2026-11-24 14:12 UTC\): use the replica/);
  });

  test('a failing revocation shows the last error of the lease', () => {
    const email = renderEmail(notification('revocation.failing'));
    assert.match(email.text, /Last error:\n {2}ldap:\/\/dc1: connection refused/);
    assert.match(email.html, /Needs attention/);
  });

  test('a notification about a lease alone (no request) names the principal and role from the lease', () => {
    const n = notification('revocation.failing', { request: undefined, links: { view: `${PORTAL}/leases/lease-9` } });
    const email = renderEmail(n);
    assert.equal(email.subject, 'Revocation failing: alice still holds db-admin');
    assert.match(email.text, /Principal: alice\nRole: db-admin\nExpires: 2026-11-24 15:35 UTC\nLease: lease-9/);
    assert.match(email.text, /Open the lease: https:\/\/jitd\.example\.com\/leases\/lease-9/);
  });
});

describe('links', () => {
  test('an approval request offers buttons to open, approve and deny that lead to jitd pages, and says nothing happens by clicking', () => {
    const n = notification('approval.requested');
    const email = renderEmail(n);
    assert.match(email.text, /Open the request: https:\/\/jitd\.example\.com\/requests\/req-42\n/);
    assert.match(email.text, /Approve in jitd: https:\/\/jitd\.example\.com\/requests\/req-42\/review\?decision=approve\n/);
    assert.match(email.text, /Deny in jitd: https:\/\/jitd\.example\.com\/requests\/req-42\/review\?decision=deny\n/);
    assert.match(email.text, /Nothing is approved or denied until you confirm there, signed in as an approver\./);
    assert.ok(email.html.includes('href="https://jitd.example.com/requests/req-42/review?decision=approve"'));

    const slackButtons = renderSlack(n).blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    assert.deepEqual(
      slackButtons.map((b) => [b.action_id, b.url, b.style]),
      [
        ['jitd-view', n.links.view, undefined],
        ['jitd-approve', n.links.approve, 'primary'],
        ['jitd-deny', n.links.deny, 'danger'],
      ],
    );
    const teamsActions = renderTeams(n).attachments[0].content.actions;
    assert.deepEqual(
      teamsActions.map((a) => [a.type, a.url, a.style]),
      [
        ['Action.OpenUrl', n.links.view, undefined],
        ['Action.OpenUrl', n.links.approve, 'positive'],
        ['Action.OpenUrl', n.links.deny, 'destructive'],
      ],
    );
  });

  test('other events link only to the request, even when approve and deny links are present', () => {
    const n = notification('request.approved', { links: { view: `${PORTAL}/requests/req-42`, approve: `${PORTAL}/a`, deny: `${PORTAL}/d` } });
    const buttons = renderSlack(n).blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    assert.deepEqual(buttons.map((b) => b.url), [`${PORTAL}/requests/req-42`]);
    assert.doesNotMatch(renderEmail(n).text, /Approve in jitd/);
  });

  test('a link that is not http(s) is refused as a bug, never rendered', () => {
    const n = notification('approval.requested', { links: { view: `${PORTAL}/requests/req-42`, approve: 'javascript:alert(1)' } });
    assert.throws(() => renderEmail(n), { message: 'notification link "approve" must be an http(s) URL, not javascript: (this is a bug)' });
  });
});

describe('escaping user text', () => {
  const hostile = '<script>alert("x")</script> & <!channel> <https://evil.example|click> [here](https://evil.example)';
  const n = notification('approval.requested', {
    request: { ...notification('approval.requested').request!, reason: hostile, principalName: 'Eve <eve@evil>' },
  });

  test('the HTML e-mail shows the text with every markup character escaped', () => {
    const { html, text } = renderEmail(n);
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;!channel&gt;'));
    assert.ok(html.includes('Eve &lt;eve@evil&gt; (alice)'));
    assert.doesNotMatch(html, /<script|<!channel|<eve/);
    assert.ok(text.includes(hostile), 'the plain-text part shows the text as typed');
  });

  test('Slack gets &, < and > as entities, so no mention or link can be smuggled in', () => {
    const texts = slackTexts(renderSlack(n).blocks).join('\n');
    assert.ok(texts.includes('&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;!channel&gt; &lt;https://evil.example|click&gt;'));
    assert.doesNotMatch(texts, /<!channel>|<https:\/\/evil/);
    assert.equal(renderSlack(n).text, 'Approval needed: Eve &lt;eve@evil&gt; (alice) requests db-admin for 1h 30m');
  });

  test('Teams gets the text only in TextRuns, which Teams shows as plain text (no Markdown link)', () => {
    const card = renderTeams(n).attachments[0].content;
    assert.ok(teamsTexts(card.body).includes(hostile));
    const types = new Set(JSON.stringify(card).match(/"type":"[^"]+"/g));
    assert.deepEqual([...types].sort(), ['"type":"Action.OpenUrl"', '"type":"AdaptiveCard"', '"type":"RichTextBlock"', '"type":"TextRun"']);
  });

  test('escaped HTML never contains a markup character and decodes back to the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        const escaped = escapeHtml(s);
        assert.doesNotMatch(escaped, /[<>"']/);
        const decoded = escaped.replace(/&(lt|gt|quot|#39|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e] ?? '');
        assert.equal(decoded, s);
      }),
    );
  });

  test('a very long reason is clipped inside Slack limits without leaving half an entity', () => {
    const long = notification('approval.requested', { request: { ...notification('approval.requested').request!, reason: '<&>'.repeat(2000) } });
    for (const t of slackTexts(renderSlack(long).blocks)) {
      assert.ok(t.length <= 3000, `block text of ${t.length} characters`);
      assert.doesNotMatch(t, /&[a-z]{0,3}…/);
    }
  });
});

describe('break-glass', () => {
  const n = notification('breakglass.granted');

  test('the e-mail subject starts with [BREAK-GLASS] and the body opens with a banner', () => {
    const email = renderEmail(n);
    assert.ok(email.subject.startsWith('[BREAK-GLASS] '));
    assert.ok(email.text.startsWith('*** BREAK-GLASS ACCESS: REVIEW NOW ***\n'));
    assert.match(email.html, /<p style="[^"]*background:#cf222e[^"]*">BREAK-GLASS ACCESS: REVIEW NOW<\/p>/);
  });

  test('Slack opens with a break-glass header and Teams with an attention container', () => {
    const first = renderSlack(n).blocks[0];
    assert.deepEqual(first, { type: 'header', text: { type: 'plain_text', text: ':rotating_light: BREAK-GLASS ACCESS', emoji: true } });
    const top = renderTeams(n).attachments[0].content.body[0];
    assert.equal(top?.type, 'Container');
    assert.equal(top.type === 'Container' ? top.style : undefined, 'attention');
  });

  test('other events are not loud', () => {
    for (const event of NOTIFICATION_EVENTS.filter((e) => e !== 'breakglass.granted')) {
      const other = notification(event);
      assert.ok(!renderEmail(other).subject.includes('BREAK-GLASS'), event);
      assert.ok(!JSON.stringify(renderSlack(other)).includes('BREAK-GLASS'), event);
      assert.ok(!JSON.stringify(renderTeams(other)).includes('"attention"'), event);
    }
  });
});

describe('webhook body shapes', () => {
  const n = notification('approval.requested');

  test('the jitd format wraps the notification itself with a type and version', () => {
    assert.deepEqual(renderWebhookBody(n, 'jitd'), { type: 'jitd.notification', version: 1, notification: n });
  });

  test('the Slack format is an incoming-webhook message: fallback text, then a headline section, fields, the reason, link buttons and context', () => {
    const slack = renderWebhookBody(n, 'slack');
    assert.equal(typeof slack.text, 'string');
    assert.deepEqual(
      slack.blocks.map((b) => b.type),
      ['section', 'section', 'section', 'actions', 'context', 'context'],
    );
    const fields = slack.blocks[1]?.type === 'section' ? slack.blocks[1].fields : undefined;
    assert.deepEqual(fields?.map((f) => f.text), ['*Principal*\nAlice Liddell (alice)', '*Role*\ndb-admin', '*Duration*\n1h 30m', '*Ticket*\nINC-7', '*Approvals*\n0 of 2']);
    assert.deepEqual(slack.blocks[2], { type: 'section', text: { type: 'mrkdwn', text: '*Reason*\n>Restore the orders table after INC-7' } });
  });

  test('the Teams format is a message with one Adaptive Card 1.4 attachment and OpenUrl actions only', () => {
    const teams = renderWebhookBody(n, 'teams');
    assert.equal(teams.type, 'message');
    assert.equal(teams.attachments.length, 1);
    const [attachment] = teams.attachments;
    assert.equal(attachment.contentType, 'application/vnd.microsoft.card.adaptive');
    assert.equal(attachment.contentUrl, null);
    assert.equal(attachment.content.type, 'AdaptiveCard');
    assert.equal(attachment.content.version, '1.4');
    assert.equal(attachment.content.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
    assert.ok(attachment.content.actions.every((a) => a.type === 'Action.OpenUrl'));
  });
});

describe('times and durations', () => {
  test('durations read as spaced units', () => {
    assert.equal(humanDuration(5_400_000), '1h 30m');
    assert.equal(humanDuration(90_000), '1m 30s');
    assert.equal(humanDuration(2 * 86_400_000 + 3_600_000), '2d 1h');
    assert.equal(humanDuration(3_600_000), '1h');
  });

  test('times are shown in UTC to the minute, and text that is not a time is shown as it is', () => {
    assert.equal(humanTime('2026-11-24T14:05:09.000Z'), '2026-11-24 14:05 UTC');
    assert.equal(humanTime('2026-11-24T16:05:09+02:00'), '2026-11-24 14:05 UTC');
    assert.equal(humanTime('soon'), 'soon');
  });
});
