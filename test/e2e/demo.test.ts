// `npm run demo` as a user runs it: it prints a URL, tokens and commands that work, and Ctrl-C leaves
// nothing running.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = new URL('../..', import.meta.url).pathname;

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(ROOT, 'bin', 'jitd.js'), args, { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

test('the demo prints working instructions and stops cleanly on Ctrl-C', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'jitd-demo-'));
  const demo = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.ts'), '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  demo.stdout.on('data', (d: Buffer) => (output += d.toString()));
  demo.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`demo not ready within 30 s:\n${output}`)), 30_000);
    demo.stdout.on('data', () => /^ready$/m.test(output) && (clearTimeout(timer), resolve()));
    void exited.then(() => reject(new Error(`demo exited early:\n${output}`)));
  });

  const url = /jitd demo is running at (\S+)/.exec(output)![1]!;
  const aliceToken = /export JITD_URL=\S+ JITD_TOKEN=(\S+)/.exec(output)![1]!;
  const ldapPort = Number(/directory\s+ldap:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1]);
  assert.ok(existsSync(join(cwd, '.jitd-demo', 'jitd.yaml')));

  const granted = await run(['request', 'domain-admins', '--for', '2m', '--reason', 'INC-4711 restore replication'], { JITD_URL: url, JITD_TOKEN: aliceToken });
  assert.equal(granted.code, 0, granted.stderr);
  assert.match(granted.stdout, /^Granted domain-admins to alice/);

  // The portal is served, and its sign-in goes to the demo's own OIDC provider.
  const portal = await fetch(`${url}/access`);
  assert.equal(portal.status, 200);
  assert.match(await portal.text(), /<div id="app"><\/div>/);
  const signIn = await fetch(`${url}/auth/login`, { redirect: 'manual' });
  assert.equal(signIn.status, 303);
  const issuer = /sign-in\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
  assert.ok(signIn.headers.get('location')!.startsWith(`${issuer}/`), signIn.headers.get('location')!);
  assert.match(output, /sign in as alice \/ alice-password/);

  demo.kill('SIGINT');
  assert.equal(await exited, 0, output);
  assert.match(output, /jitd demo: stopped; nothing left running\./);
  assert.equal(existsSync(join(cwd, '.jitd-demo')), false, 'the demo folder is removed');
  assert.equal(await accepts(ldapPort), false, 'slapd is gone');
  assert.equal(await accepts(Number(new URL(url).port)), false, 'jitd is gone');
});
