// Entry point for `npm run demo|test|bench` on a clean checkout.
// Plain JavaScript on purpose: it runs on whatever Node the machine has (Debian's is 20),
// installs the project's own dependencies, including the pinned Node 24 runtime, and then
// runs the given TypeScript script on that runtime.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const projectNode = join(root, 'node_modules', '.bin', 'node');
const installedLock = join(root, 'node_modules', '.package-lock.json');
const lock = join(root, 'package-lock.json');

function needsInstall() {
  if (!existsSync(projectNode) || !existsSync(installedLock)) return true;
  // package-lock.json newer than what npm last installed: dependencies changed since.
  return statSync(lock).mtimeMs > statSync(installedLock).mtimeMs + 1000 && lockDiffers();
}

function lockDiffers() {
  const wanted = JSON.parse(readFileSync(lock, 'utf8')).packages ?? {};
  const have = JSON.parse(readFileSync(installedLock, 'utf8')).packages ?? {};
  return Object.entries(wanted).some(([path, meta]) => path !== '' && !meta.optional && have[path]?.version !== meta.version);
}

if (needsInstall()) {
  console.error('jitd: installing npm dependencies (npm ci) …');
  const started = Date.now();
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('jitd: `npm ci` failed; see the messages above.');
    process.exit(result.status ?? 1);
  }
  console.error(`jitd: dependencies installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/bootstrap.mjs SCRIPT [ARGS…]');
  process.exit(2);
}
const child = spawn(projectNode, [join(root, script), ...args], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
