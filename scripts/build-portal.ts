// Builds the web portal (portal/src → dist/portal) with esbuild: one JavaScript and one CSS file with
// content hashes in their names, plus manifest.json naming them for `jitd serve`. Everything the
// browser loads comes from jitd itself; nothing is fetched from a CDN at run time.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PORTAL_OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'portal');

export interface PortalManifest {
  readonly script: string;
  readonly style: string;
  readonly builtAt: string;
}

export async function buildPortal(outDir = PORTAL_OUT_DIR): Promise<PortalManifest> {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(root, 'portal', 'src', 'main.tsx')],
    outdir: outDir,
    entryNames: 'app-[hash]',
    bundle: true,
    minify: true,
    sourcemap: 'linked',
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const script = outputs.find((f) => f.endsWith('.js'));
  const style = outputs.find((f) => f.endsWith('.css'));
  if (!script || !style) throw new Error(`the portal build made no ${script ? 'CSS' : 'JavaScript'} file (outputs: ${outputs.join(', ')})`);
  const manifest: PortalManifest = { script, style, builtAt: new Date().toISOString() };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSourceMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds only when dist/portal is missing or older than a file in portal/src: a running jitd (or a test
 * serving the portal) never sees the folder disappear under it for a build that changes nothing.
 */
export async function ensurePortalBuilt(outDir = PORTAL_OUT_DIR): Promise<'built' | 'up to date'> {
  const manifest = join(outDir, 'manifest.json');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  if (existsSync(manifest) && statSync(manifest).mtimeMs >= newestSourceMs(join(root, 'portal', 'src'))) return 'up to date';
  await buildPortal(outDir);
  return 'built';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const manifest = await buildPortal();
  process.stderr.write(`portal built in ${Date.now() - started} ms: dist/portal/${manifest.script}, dist/portal/${manifest.style}\n`);
}
