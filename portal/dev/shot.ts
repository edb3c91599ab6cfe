// For working on the portal: a screenshot of one page as one person, from the jitd portal/dev/serve-dev.ts
// started (its --json file, default /tmp/dev.json, or $JITD_DEV_JSON). Uses the person's API token as a
// bearer header, so no sign-in is needed. Prints the page's console errors.
// Run: node_modules/.bin/node portal/dev/shot.ts <alice|bob|carol|dave> <path> <out.png> [width]
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [who = 'alice', path = '/', out = '/tmp/shot.png', width = '1280'] = process.argv.slice(2);
const info = JSON.parse(readFileSync(process.env.JITD_DEV_JSON ?? '/tmp/dev.json', 'utf8')) as { url: string; tokens: Record<string, string> };
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: Number(width), height: 800 }, extraHTTPHeaders: { authorization: `Bearer ${info.tokens[who]}` } });
const page = await context.newPage();
page.on('console', (message) => message.type() === 'error' && console.log('console:', message.text()));
page.on('pageerror', (error) => console.log('page error:', error.message));
await page.goto(info.url + path);
await page.waitForTimeout(800);
await page.screenshot({ path: out, fullPage: true });
console.log(`${await page.title()} → ${out}`);
await browser.close();
