// The Chromium fixture against a tiny local site served with a strict CSP: a real click, axe-core finding
// (and not finding) violations, screenshots, and no browser left running by a test process that dies.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { assertNoSeriousViolations, axeViolations, DEFAULT_SCREENSHOT_DIR, launchChromium, newPortalContext, screenshot } from '../fixtures/chromium.ts';

const run = promisify(execFile);

// What the portal is served with: scripts and styles from its own origin only, nothing inline.
const STRICT_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const ACCESSIBLE_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Request access</title><link rel="stylesheet" href="/site.css"><script src="/app.js" defer></script></head>
<body>
<main>
<h1>Request access</h1>
<form>
  <label for="reason">Reason</label>
  <input id="reason" name="reason" type="text">
  <button id="request" type="button">Request access</button>
</form>
</main>
</body>
</html>`;

// Two known violations: an <input> nobody labelled (axe rule `label`, critical) and light-grey text on white
// (`color-contrast`, serious).
const BROKEN_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Broken</title><link rel="stylesheet" href="/site.css"></head>
<body>
<main>
<h1>Broken</h1>
<p class="faint">This text is too light to read.</p>
<input id="nameless" type="text">
</main>
</body>
</html>`;

const SITE_CSS = 'body { font-family: sans-serif; margin: 2rem; color: #222; background: #fff; } .faint { color: #ccc; }';
const APP_JS = "document.getElementById('request').addEventListener('click', (e) => { e.target.textContent = 'Access requested'; });";

const ROUTES: Readonly<Record<string, { type: string; body: string }>> = {
  '/': { type: 'text/html; charset=utf-8', body: ACCESSIBLE_PAGE },
  '/broken': { type: 'text/html; charset=utf-8', body: BROKEN_PAGE },
  '/site.css': { type: 'text/css; charset=utf-8', body: SITE_CSS },
  '/app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS },
};

function startSite(): Promise<{ server: Server; baseURL: string }> {
  const server = createServer((req, res) => {
    const route = ROUTES[req.url ?? ''];
    res.setHeader('Content-Security-Policy', STRICT_CSP);
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': route.type }).end(route.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  });
}

// PNG: 8-byte signature, then the IHDR chunk whose data starts with width and height (big-endian).
function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

// Pids whose command line mentions `text` (zombies have an empty one and are not counted: they run nothing).
async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} (still not so after ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Chromium fixture', () => {
  let site: { server: Server; baseURL: string };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    site = await startSite();
    browser = await launchChromium();
    context = await newPortalContext(browser, { baseURL: site.baseURL });
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.server.close(resolve));
  });

  test('clicking the button runs the page script and changes the button text', async () => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Request access' }).click();
    await page.getByRole('button', { name: 'Access requested' }).waitFor({ timeout: 2000 });
    assert.equal(await page.locator('#request').textContent(), 'Access requested');
  });

  test('axe finds no serious or critical violation on the accessible page', async () => {
    await page.goto('/');
    assert.deepEqual(await axeViolations(page), []);
    await assertNoSeriousViolations(page, 'accessible page');
  });

  test('axe reports the unlabelled input and the low-contrast text on the broken page by rule id', async () => {
    await page.goto('/broken');
    const violations = await axeViolations(page, { impact: ['serious', 'critical'] });
    assert.deepEqual(violations.map((v) => [v.id, v.impact]).sort(), [['color-contrast', 'serious'], ['label', 'critical']]);
    assert.deepEqual(await axeViolations(page, { impact: ['critical'] }).then((vs) => vs.map((v) => v.id)), ['label']);
  });

  test('assertNoSeriousViolations fails listing rule id, impact, help and target selectors', async () => {
    await page.goto('/broken');
    await assert.rejects(assertNoSeriousViolations(page, 'broken page'), {
      message: [
        'broken page: 2 serious or critical accessibility violations',
        '- color-contrast (serious): Elements must meet minimum color contrast ratio thresholds',
        '    p',
        '- label (critical): Form elements must have labels',
        '    #nameless',
      ].join('\n'),
    });
  });

  test('the pages are served with a strict CSP, which blocks the injected checker unless the context bypasses it', async () => {
    const response = await page.goto('/broken');
    assert.equal(response?.headers()['content-security-policy'], STRICT_CSP);
    assert.equal((await axeViolations(page)).length, 2);

    const plain = await browser.newContext({ baseURL: site.baseURL });
    try {
      const strictPage = await plain.newPage();
      await strictPage.goto('/');
      // The app's own script comes from 'self' and still runs under the CSP…
      await strictPage.getByRole('button', { name: 'Request access' }).click();
      await strictPage.getByRole('button', { name: 'Access requested' }).waitFor({ timeout: 2000 });
      // …but the inline axe-core script is refused.
      await assert.rejects(axeViolations(strictPage), {
        message: "axe-core could not be injected: the page's Content-Security-Policy blocks inline scripts (create the context with newPortalContext, which sets bypassCSP)",
      });
    } finally {
      await plain.close();
    }
  });

  test('screenshots are full-page PNGs of the fixed 1280-pixel viewport, written to the given folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jitd-screenshots-'));
    try {
      await page.goto('/');
      const path = await screenshot(page, 'request-access', { dir: join(dir, 'nested') });
      assert.equal(path, join(dir, 'nested', 'request-access.png'));
      assert.deepEqual(pngSize(await readFile(path)), { width: 1280, height: 800 });
      await assert.rejects(screenshot(page, '../escape', { dir }), { message: 'screenshot names are lowercase letters, digits and dashes; got "../escape"' });
      assert.equal(DEFAULT_SCREENSHOT_DIR, fileURLToPath(new URL('../../docs/screenshots/', import.meta.url)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a test process that exits without closing its browser leaves no Chromium process and no temp files behind', async () => {
    // The child gets a temp dir of its own: Chromium's profile and TMPDIR live under it, so its processes
    // are the ones whose command line names it.
    const childTmp = await mkdtemp(join(tmpdir(), 'jitd-chromium-orphan-'));
    try {
      const fixture = fileURLToPath(new URL('../fixtures/chromium.ts', import.meta.url));
      const script = `import { launchChromium } from ${JSON.stringify(fixture)};
const browser = await launchChromium();
const page = await browser.newPage();
await page.setContent('<p>up</p>');
console.log(await page.textContent('p'));
process.exit(3);`;
      const child = run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, TMPDIR: childTmp } });
      const failure = await child.then(() => undefined, (err: { code?: number; stdout?: string; stderr?: string }) => err);
      assert.equal(failure?.code, 3, `the child should exit with code 3 after launching Chromium; stderr: ${failure?.stderr ?? ''}`);
      assert.equal(failure.stdout, 'up\n');
      await eventually('no process runs with a profile in the dead test process\'s temp dir', async () => (await processesMentioning(childTmp)).length === 0);
      await eventually('the dead test process\'s temp dir is empty', async () => (await readdir(childTmp)).length === 0);
    } finally {
      await rm(childTmp, { recursive: true, force: true });
    }
  });
});
