// The web portal in Debian's real Chromium against a real `jitd serve`, a real OIDC provider and a real slapd:
// people sign in through the provider's own form, alice asks for a role (a bad duration is refused next to
// the field with the server's words), the membership appears in LDAP, bob approves her second request from
// his approvals page, alice releases the first one, and carol (an auditor) sees the KPI numbers move, the
// operations view and the audit search. Every page is checked with axe-core (no serious or critical
// violations) and photographed into docs/screenshots for the README and docs/portal.md.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertNoSeriousViolations, launchChromium, newPortalContext, screenshot } from '../fixtures/chromium.ts';
import { eventually, startJitdProcess, type JitdProcess } from '../fixtures/jitd-process.ts';
import { startOidcProvider, type OidcProviderFixture } from '../fixtures/oidc-provider.ts';
import { startSlapd, type Slapd } from '../fixtures/slapd.ts';

type Username = 'alice' | 'bob' | 'carol';

const AUTO_ROLE = 'ops-admin';
const APPROVAL_ROLE = 'db-owner';
const REASON = 'INC-4711 restore replication';

describe('the portal in a real browser', () => {
  let slapd: Slapd;
  let idp: OidcProviderFixture;
  let jitd: JitdProcess;
  let browser: Browser;
  let opsGroup: string;
  let dbGroup: string;
  const contexts = new Map<Username, BrowserContext>();
  let approvalRequestId = '';
  let kpiBefore: Record<string, string> = {};

  const isMember = async (groupDn: string, uid: string) => (await slapd.members(groupDn)).includes(slapd.userDn(uid));

  /** A page of `username`'s own browser session (signed in once through the provider's form, then kept). */
  const pageOf = async (username: Username, path: string, viewport?: { width: number; height: number }): Promise<Page> => {
    let context = contexts.get(username);
    if (!context) {
      context = await newPortalContext(browser, { baseURL: jitd.url });
      // A page that is not there in 10 s is not coming; fail with the locator rather than at the test timeout.
      context.setDefaultTimeout(10_000);
      contexts.set(username, context);
      const page = await context.newPage();
      await page.goto(path);
      // No session yet: the portal offers the sign-in, which goes to the provider's form and comes back here.
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('Username').fill(username);
      await page.getByLabel('Password').fill(idp.user(username).password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${jitd.url}${path}`);
      await page.getByText(`Signed in as`).waitFor();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    }
    const page = await context.newPage();
    if (viewport) await page.setViewportSize(viewport);
    await page.goto(path);
    await page.getByText('Signed in as').waitFor();
    return page;
  };

  /** Each page's checks: zero serious accessibility violations, and a current screenshot for the docs. */
  const checkAndShoot = async (page: Page, name: string) => {
    await assertNoSeriousViolations(page, name);
    await screenshot(page, name);
  };

  const kpiValues = async (page: Page): Promise<Record<string, string>> => {
    const values: Record<string, string> = {};
    for (const hook of await page.locator('[data-kpi]').all()) values[(await hook.getAttribute('data-kpi'))!] = (await hook.innerText()).trim();
    return values;
  };

  before(async () => {
    slapd = await startSlapd({ users: ['u-alice', 'u-bob', 'u-carol', 'u-dave'] });
    opsGroup = await slapd.addGroup('ops-admins', [slapd.placeholderDn]);
    dbGroup = await slapd.addGroup('db-owners', [slapd.placeholderDn]);
    idp = await startOidcProvider();
    jitd = await startJitdProcess({
      slapd,
      oidc: { issuer: idp.issuer, clientId: idp.clients.web.id, clientSecret: idp.clients.web.secret, cliClientId: idp.clients.cli.id },
      roles: {
        [AUTO_ROLE]: {
          description: 'Operations administrators',
          connector: 'test-ldap',
          group: opsGroup,
          maxDuration: '4h',
          defaultDuration: '1h',
          eligible: ['group:engineers'],
          approval: 'auto',
          requireReason: true,
        },
        [APPROVAL_ROLE]: {
          description: 'Owners of the orders database',
          connector: 'test-ldap',
          group: dbGroup,
          maxDuration: '2h',
          defaultDuration: '30m',
          eligible: ['group:engineers'],
          approval: { required: 1, from: ['group:db-leads'] },
          requireReason: true,
        },
      },
    });
    idp.setRedirectUris([`${jitd.url}/auth/callback`]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await jitd?.stop();
    await idp?.stop();
    await slapd?.destroy();
  });

  test('signing in goes through the provider and gives an HttpOnly, SameSite=Lax session cookie', async () => {
    const page = await pageOf('carol', '/kpi');
    const cookies = await contexts.get('carol')!.cookies();
    const session = cookies.find((c) => c.name === 'jitd_session');
    assert.ok(session, `no jitd_session cookie: ${cookies.map((c) => c.name).join(', ')}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    // Served over plain http here; `Secure` is set when jitd is served over TLS (test/integration/server-tls.test.ts).
    assert.equal(session.secure, false);
    await page.locator('[data-kpi]').first().waitFor();
    kpiBefore = await kpiValues(page);
    assert.ok(Object.keys(kpiBefore).length >= 4, JSON.stringify(kpiBefore));
  });

  test('the sign-in page is accessible', async () => {
    const context = await newPortalContext(browser, { baseURL: jitd.url });
    const page = await context.newPage();
    await page.goto('/access');
    await page.getByRole('link', { name: 'Sign in' }).waitFor();
    await checkAndShoot(page, 'sign-in');
    await context.close();
  });

  test('a bad duration is refused next to its field with the server\'s message, and nothing is granted', async () => {
    const page = await pageOf('alice', '/');
    await page.getByRole('combobox', { name: /^Role/ }).selectOption(AUTO_ROLE);
    await page.getByLabel('For how long', { exact: true }).fill('5 parsecs');
    await page.getByLabel(/Why you need it/).fill(REASON);
    await page.getByRole('button', { name: 'Request', exact: true }).click();
    const error = page.locator('#duration-error');
    await error.waitFor();
    assert.match(await error.innerText(), /duration/i);
    assert.equal(await page.getByLabel('For how long', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await isMember(opsGroup, 'u-alice'), false);
    await assertNoSeriousViolations(page, 'request form with an error');
  });

  test('alice requests an automatic role and the membership appears in slapd', async () => {
    const page = await pageOf('alice', '/');
    await page.getByRole('combobox', { name: /^Role/ }).selectOption(AUTO_ROLE);
    await page.getByLabel('For how long', { exact: true }).fill('1h');
    await page.getByLabel(/Why you need it/).fill(REASON);
    await page.getByRole('button', { name: 'Request', exact: true }).click();
    await page.getByText(`You now hold ${AUTO_ROLE}.`).waitFor();
    assert.equal(await isMember(opsGroup, 'u-alice'), true);
    await checkAndShoot(page, 'request-access');
  });

  test('alice asks for a role that needs approval; it waits and nothing is granted', async () => {
    const page = await pageOf('alice', '/');
    await page.getByRole('combobox', { name: /^Role/ }).selectOption(APPROVAL_ROLE);
    await page.getByLabel(/Why you need it/).fill('CHG-42 migrate the orders schema');
    await page.getByRole('button', { name: 'Request', exact: true }).click();
    const follow = page.getByRole('link', { name: /^Follow request / });
    await follow.waitFor();
    approvalRequestId = /\/requests\/(\S+)$/.exec((await follow.getAttribute('href'))!)![1]!;
    assert.equal(await isMember(dbGroup, 'u-alice'), false);
  });

  test('bob sees the request waiting for him, approves it with a comment, and alice is in the group', async () => {
    assert.ok(approvalRequestId, 'the earlier step did not create the request');
    const page = await pageOf('bob', '/approvals');
    const card = page.locator('article, li, section').filter({ hasText: approvalRequestId }).last();
    await card.waitFor();
    await checkAndShoot(page, 'approvals');
    await card.getByLabel(/Comment/).fill('ok, CHG-42 is on the board');
    await card.getByRole('button', { name: /^Approve/ }).click();
    assert.ok(await eventually(() => isMember(dbGroup, 'u-alice'), 10_000), 'alice is not in db-owners after the approval');
  });

  test('the request page shows who approved, with the comment', async () => {
    const page = await pageOf('alice', `/requests/${approvalRequestId}`);
    await page.getByText('ok, CHG-42 is on the board').waitFor();
    await page.getByText('u-bob').first().waitFor();
    await checkAndShoot(page, 'request');
  });

  test('my access counts down live, and releasing the role removes the membership in slapd', async () => {
    const page = await pageOf('alice', '/access');
    const timer = page.getByRole('timer').first();
    await timer.waitFor();
    const first = await timer.innerText();
    await page.waitForTimeout(1100);
    assert.notEqual(await timer.innerText(), first, 'the countdown does not tick');
    await checkAndShoot(page, 'my-access');
    await page.getByRole('button', { name: `Release ${AUTO_ROLE}` }).click();
    assert.ok(await eventually(async () => !(await isMember(opsGroup, 'u-alice')), 10_000), 'alice is still in ops-admins after release');
  });

  test('the lease page shows alice\'s remaining access and is accessible', async () => {
    const page = await pageOf('alice', '/access');
    await page.getByRole('link', { name: `Details of ${APPROVAL_ROLE}` }).click();
    await page.waitForURL(/\/leases\/\S+$/);
    await page.getByRole('timer').first().waitFor();
    await page.getByRole('button', { name: `Release ${APPROVAL_ROLE}` }).waitFor();
    await checkAndShoot(page, 'lease');
  });

  test('a state-changing call without the CSRF header is refused, even with the session cookie', async () => {
    const page = await pageOf('alice', '/access');
    const status = await page.evaluate(async (role) => {
      const response = await fetch('/v1/requests', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role, reason: 'no csrf header' }) });
      return response.status;
    }, AUTO_ROLE);
    assert.equal(status, 403);
    assert.equal(await isMember(opsGroup, 'u-alice'), false);
  });

  test('on a narrow screen the pages fit without sideways scrolling and stay accessible', async () => {
    for (const path of ['/', '/access', `/requests/${approvalRequestId}`]) {
      const page = await pageOf('alice', path, { width: 375, height: 740 });
      await page.locator('h1').waitFor();
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      assert.ok(overflow <= 0, `${path} scrolls sideways by ${overflow}px at 375px`);
      await assertNoSeriousViolations(page, `${path} at 375px`);
      if (path === '/access') await screenshot(page, 'my-access-narrow');
      await page.close();
    }
  });

  test('the keyboard reaches the skip link first, and moving to another page puts focus on its heading', async () => {
    const page = await pageOf('alice', '/access');
    await page.locator('h1').waitFor();
    type Doc = { document: { activeElement: { tagName: string; textContent: string } | null } };
    const focused = () => page.evaluate(() => {
      const active = (globalThis as unknown as Doc).document.activeElement;
      return `${active?.tagName ?? ''} ${active?.textContent?.trim() ?? ''}`;
    });
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'A Skip to content');
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.waitForURL(`${jitd.url}/approvals`);
    await page.waitForFunction(() => (globalThis as unknown as Doc).document.activeElement?.tagName === 'H1');
    assert.equal(await focused(), 'H1 Approvals');
    assert.equal(await page.title(), 'Approvals · jitd');
  });

  test('carol sees the KPI numbers change after the grants and the approval', async () => {
    const page = await pageOf('carol', '/kpi');
    await page.locator('[data-kpi]').first().waitFor();
    const after = await kpiValues(page);
    assert.notDeepEqual(after, kpiBefore, 'the KPIs did not change');
    assert.notEqual(after['approval-manual-median'], kpiBefore['approval-manual-median'], JSON.stringify({ before: kpiBefore, after }));
    await checkAndShoot(page, 'kpi');
  });

  test('carol sees the operations view and finds alice in the audit trail', async () => {
    const ops = await pageOf('carol', '/admin');
    await ops.locator('h1').waitFor();
    await ops.getByText(/Standing/i).first().waitFor();
    await checkAndShoot(ops, 'operations');

    const audit = await pageOf('carol', '/audit?principal=u-alice');
    await audit.getByRole('table').first().waitFor();
    await audit.getByRole('cell', { name: 'request.created' }).first().waitFor();
    await checkAndShoot(audit, 'audit');
    const exportLink = audit.getByRole('link', { name: /Export/ });
    const href = (await exportLink.getAttribute('href'))!;
    assert.match(href, /^\/v1\/audit\/export\?.*principal=u-alice/);
    const exported = await audit.request.get(href);
    assert.equal(exported.status(), 200);
    const lines = (await exported.text()).trim().split('\n').map((line) => JSON.parse(line) as { type: string; actor: string });
    assert.ok(lines.some((e) => e.type === 'request.created'));
  });
});
