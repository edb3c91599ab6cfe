// The web portal, served by `jitd serve` on the same origin as the API: index.html for each of the
// portal's addresses (links in notifications point at /requests/<id> and /leases/<id>), and the built
// script and style under /assets/ (from dist/portal, made by scripts/build-portal.ts). The page's
// Content-Security-Policy allows only jitd's own script and style: no inline code, no other origin.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_PORTAL_DIR = fileURLToPath(new URL('../../dist/portal/', import.meta.url));

/** The portal's own addresses; anything else stays the API's 404. */
export const PORTAL_PAGES = ['/', '/roles', '/access', '/approvals', '/requests/:id', '/leases/:id', '/admin', '/audit', '/kpi'] as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-cache',
};

interface BuiltPortal {
  readonly index: string;
  readonly assets: ReadonlyMap<string, Buffer>;
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function indexHtml(script: string, style: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>jitd</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/${escapeAttribute(style)}">
<script type="module" src="/assets/${escapeAttribute(script)}"></script>
</head>
<body>
<div id="app"></div>
<noscript><main><h1>jitd</h1><p>The jitd portal needs JavaScript. The command line (<code>jitd --help</code>) does everything the portal does.</p></main></noscript>
</body>
</html>
`;
}

/** Reads a built portal, or undefined when dist/portal has no manifest (not built). */
export function loadPortal(dir: string): BuiltPortal | undefined {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) return undefined;
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { script?: unknown; style?: unknown };
  if (typeof manifest.script !== 'string' || typeof manifest.style !== 'string') throw new Error(`${manifestFile} does not name the portal's script and style; build the portal again (npm run build)`);
  const assets = new Map<string, Buffer>();
  for (const file of readdirSync(dir)) if (file !== 'manifest.json' && CONTENT_TYPES[extname(file)]) assets.set(file, readFileSync(join(dir, file)));
  return { index: indexHtml(manifest.script, manifest.style), assets };
}

const NOT_BUILT = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>jitd portal not built</title></head>
<body><main><h1>The jitd portal is not built</h1><p>Run <code>npm run build</code> in jitd's directory, then reload. The API and <code>jitd</code> command line work without it.</p></main></body></html>
`;

export function registerPortal(app: FastifyInstance, dir: string = DEFAULT_PORTAL_DIR): void {
  // Read once at start; a portal built after jitd started is picked up on the next page load.
  let portal = loadPortal(dir);
  const current = () => (portal ??= loadPortal(dir));

  const sendPage = (reply: FastifyReply) => {
    const built = current();
    void reply.headers(PAGE_HEADERS).header('content-type', 'text/html; charset=utf-8');
    return built ? reply.send(built.index) : reply.code(503).send(NOT_BUILT);
  };
  for (const url of PORTAL_PAGES) app.get(url, async (_request, reply) => sendPage(reply));

  app.get('/assets/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    const body = current()?.assets.get(file);
    if (!body) return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send(`no such portal file: ${file}`);
    // Names carry a content hash: a new build has new names, so these never change.
    return reply
      .header('content-type', CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  });
}
