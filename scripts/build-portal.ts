// Builds the web portal (portal/src → dist/portal) with esbuild: one JavaScript and one CSS file with
// content hashes in their names, plus manifest.json naming them for `jitd serve`. Everything the
// browser loads comes from jitd itself; nothing is fetched from a CDN at run time.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PORTAL_OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'portal');

export interface PortalManifest {
  readonly script: string;
  readonly style: string;
  readonly builtAt: string;
  /** Every file esbuild read (relative to jitd's directory): what makes a build stale. */
  readonly inputs: readonly string[];
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
    absWorkingDir: root,
    logLevel: 'warning',
    legalComments: 'linked',
  });
  const outputs = Object.keys(result.metafile.outputs).map((file) => basename(file));
  const script = outputs.find((f) => f.endsWith('.js'));
  const style = outputs.find((f) => f.endsWith('.css'));
  if (!script || !style) throw new Error(`the portal build made no ${script ? 'CSS' : 'JavaScript'} file (outputs: ${outputs.join(', ')})`);
  const manifest: PortalManifest = { script, style, builtAt: new Date().toISOString(), inputs: Object.keys(result.metafile.inputs) };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Is the build older than any file it was made from (including src/core files the portal imports)? */
function isStale(manifestFile: string, root: string): boolean {
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Partial<PortalManifest>;
  if (!Array.isArray(manifest.inputs)) return true;
  const builtMs = statSync(manifestFile).mtimeMs;
  return manifest.inputs.some((input) => {
    const path = join(root, input);
    return !existsSync(path) || statSync(path).mtimeMs > builtMs;
  });
}

/**
 * Builds only when dist/portal is missing or older than a file it was built from: a running jitd (or a test
 * serving the portal) never sees the folder disappear under it for a build that changes nothing.
 */
export async function ensurePortalBuilt(outDir = PORTAL_OUT_DIR): Promise<'built' | 'up to date'> {
  const manifest = join(outDir, 'manifest.json');
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  if (existsSync(manifest) && !isStale(manifest, root)) return 'up to date';
  await buildPortal(outDir);
  return 'built';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const manifest = await buildPortal();
  process.stderr.write(`portal built in ${Date.now() - started} ms: dist/portal/${manifest.script}, dist/portal/${manifest.style}\n`);
}
