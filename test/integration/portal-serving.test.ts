// The portal as `jitd serve` hands it out: the real esbuild build, index.html for each portal address with a
// strict Content-Security-Policy, hashed assets cached for good, and a clear page when nobody built it.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerPortal } from '../../src/api/portal.ts';
import { buildPortal, ensurePortalBuilt, type PortalManifest } from '../../scripts/build-portal.ts';

describe('the portal served by jitd', () => {
  let dir: string;
  let manifest: PortalManifest;
  let app: FastifyInstance;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jitd-portal-'));
    manifest = await buildPortal(join(dir, 'built'));
    app = Fastify();
    registerPortal(app, join(dir, 'built'));
    app.setNotFoundHandler((_request, reply) => void reply.code(404).send({ error: { kind: 'not_found', message: 'no such endpoint' } }));
  });
  after(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('the build writes one hashed script and one hashed style, named in manifest.json', async () => {
    assert.match(manifest.script, /^app-[A-Z0-9]+\.js$/);
    assert.match(manifest.style, /^app-[A-Z0-9]+\.css$/);
    const written = JSON.parse(await readFile(join(dir, 'built', 'manifest.json'), 'utf8')) as PortalManifest;
    assert.equal(written.script, manifest.script);
    const script = await readFile(join(dir, 'built', manifest.script), 'utf8');
    // The bundle carries the app itself, not a loader for a CDN.
    assert.match(script, /\/v1\/me/);
    assert.doesNotMatch(script, /https:\/\/(unpkg|cdn\.jsdelivr|cdnjs)/);
  });

  test('a build names the files it was made from, and is made again only when one is newer than it', async () => {
    // The bundle carries the pure core's audit event list, so a change there makes the portal stale too.
    assert.ok(manifest.inputs.includes('src/core/audit-event.ts'), manifest.inputs.join(', '));
    assert.ok(manifest.inputs.includes('portal/src/main.tsx'));
    const out = join(dir, 'ensured');
    assert.equal(await ensurePortalBuilt(out), 'built');
    assert.equal(await ensurePortalBuilt(out), 'up to date');
    // Older than its sources (as after editing one of them): built again.
    await utimes(join(out, 'manifest.json'), new Date(0), new Date(0));
    assert.equal(await ensurePortalBuilt(out), 'built');
  });

  for (const path of ['/', '/access', '/approvals', '/requests/req_123', '/leases/lse_9', '/admin', '/audit', '/kpi']) {
    test(`${path} is the portal page, with a CSP that allows only jitd's own script and style`, async () => {
      const response = await app.inject({ method: 'GET', url: path });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.match(response.body, new RegExp(`<script type="module" src="/assets/${manifest.script.replace('.', '\\.')}">`));
      assert.match(response.body, new RegExp(`<link rel="stylesheet" href="/assets/${manifest.style.replace('.', '\\.')}">`));
      const csp = String(response.headers['content-security-policy']);
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
    });
  }

  test('assets are served with their type and cached for good; an unknown one is a 404 naming it', async () => {
    const script = await app.inject({ method: 'GET', url: `/assets/${manifest.script}` });
    assert.equal(script.statusCode, 200);
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable');
    const style = await app.inject({ method: 'GET', url: `/assets/${manifest.style}` });
    assert.equal(style.headers['content-type'], 'text/css; charset=utf-8');
    const missing = await app.inject({ method: 'GET', url: '/assets/app-OLD.js' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.body, 'no such portal file: app-OLD.js');
    const traversal = await app.inject({ method: 'GET', url: '/assets/..%2Fmanifest.json' });
    assert.equal(traversal.statusCode, 404);
  });

  test('addresses that are not portal pages stay the API 404', async () => {
    const response = await app.inject({ method: 'GET', url: '/nothing-here' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<{ error: { kind: string } }>().error.kind, 'not_found');
  });

  test('without a build, portal pages say how to build it (503) and the rest is unaffected', async () => {
    const bare = Fastify();
    registerPortal(bare, join(dir, 'never-built'));
    const response = await bare.inject({ method: 'GET', url: '/access' });
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /The jitd portal is not built/);
    assert.match(response.body, /npm run build/);
    await bare.close();
  });
});
