// `npm test`: everything CI runs, in order — system packages the tests need, the portal build, typecheck, lint, then every
// test file (unit, contract, integration against real servers, end-to-end) in one node:test run.
import { spawnSync } from 'node:child_process';
import { ensureSystemPackages } from '../test/fixtures/system-packages.ts';
import { buildPortal } from './build-portal.ts';

function step(name: string, command: string, args: readonly string[]): void {
  const started = Date.now();
  process.stderr.write(`\n== ${name}\n`);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    process.stderr.write(`== ${name} FAILED after ${seconds} s\n`);
    process.exit(result.status ?? 1);
  }
  process.stderr.write(`== ${name} passed in ${seconds} s\n`);
}

const bin = (name: string) => `node_modules/.bin/${name}`;
const only = process.argv.slice(2);

process.stderr.write('== system packages (slapd, ldap-utils, samba-ad-dc, openssh-server, chromium)\n');
await ensureSystemPackages();
// The browser tests and `jitd serve` in the e2e tests serve the built portal.
const portalStarted = Date.now();
await buildPortal();
process.stderr.write(`== portal built in ${((Date.now() - portalStarted) / 1000).toFixed(1)} s\n`);
if (only.length === 0) {
  step('typecheck', bin('tsc'), ['--noEmit', '-p', '.']);
  step('typecheck (portal)', bin('tsc'), ['--noEmit', '-p', 'portal']);
  step('lint', bin('eslint'), ['--max-warnings', '0', '.']);
}
step('tests', process.execPath, [
  '--test',
  '--test-concurrency=2',
  '--test-timeout=120000',
  ...(only.length ? only : ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts']),
]);
