#!/usr/bin/env node
// The `jitd` command. jitd runs its TypeScript sources directly on Node >= 22.18 (type stripping).
// When started by an older Node (Debian's is 20), re-run on the Node 24 that the project pins.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const modern = major > 22 || (major === 22 && minor >= 18);

if (modern) {
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
} else {
  const projectNode = join(root, 'node_modules', '.bin', 'node');
  if (!existsSync(projectNode)) {
    console.error(`jitd needs Node >= 22.18 (this is ${process.version}). Run \`npm install\` in ${root} to get the pinned Node 24.`);
    process.exit(1);
  }
  const child = spawn(projectNode, [join(root, 'src', 'cli', 'main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => (signal ? process.kill(process.pid, signal) : process.exit(code ?? 1)));
}
