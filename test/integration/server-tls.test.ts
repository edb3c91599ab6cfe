// server.tls: jitd serves its API over HTTPS with the configured certificate, and a client that trusts the CA
// can use it.
import assert from 'node:assert/strict';
import { readFile, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { startJitd } from '../../src/serve/start-jitd.ts';
import { startOidcProvider } from '../fixtures/oidc-provider.ts';
import { createTestCa, issueServerCert } from '../fixtures/tls.ts';

function get(url: string, ca: Buffer | undefined): Promise<{ status: number; body: string; setCookie?: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, servername: 'localhost' }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers['set-cookie'] ? { setCookie: res.headers['set-cookie'] } : {}) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('with server.tls the API is served over HTTPS, verified against the CA', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jitd-tls-'));
  const ca = await createTestCa(dir);
  const cert = await issueServerCert(ca, dir);
  const path = join(dir, 'jitd.yaml');
  await writeFile(path, stringify({ version: 1, server: { listen: '127.0.0.1:0', tls: { cert: cert.certFile, key: cert.keyFile } }, reconciler: { enabled: false } }));
  const { config, issues } = await loadConfig(path);
  assert.deepEqual(issues, []);
  const jitd = await startJitd(config!, { log: pino({ level: 'silent' }) });
  try {
    assert.match(jitd.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await get(`${jitd.url}/healthz`, await readFile(ca.certFile));
    assert.deepEqual(health, { status: 200, body: '{"status":"ok"}' });
    await assert.rejects(get(`${jitd.url}/healthz`, undefined), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  } finally {
    await jitd.close();
  }
});

test('over TLS the browser sign-in cookies are Secure as well as HttpOnly and SameSite=Lax', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'jitd-tls-'));
  const ca = await createTestCa(dir);
  const cert = await issueServerCert(ca, dir);
  const idp = await startOidcProvider();
  const secretFile = join(dir, 'oidc-secret');
  await writeFile(secretFile, `${idp.clients.web.secret}\n`, { mode: 0o600 });
  const path = join(dir, 'jitd.yaml');
  await writeFile(
    path,
    stringify({
      version: 1,
      server: { listen: '127.0.0.1:0', tls: { cert: cert.certFile, key: cert.keyFile } },
      identities: { oidc: { issuer: idp.issuer, clientId: idp.clients.web.id, clientSecret: { file: secretFile }, allowInsecureHttp: true } },
      reconciler: { enabled: false },
    }),
  );
  const { config, issues } = await loadConfig(path);
  assert.deepEqual(issues, []);
  const jitd = await startJitd(config!, { log: pino({ level: 'silent' }) });
  try {
    const start = await get(`${jitd.url}/auth/login`, await readFile(ca.certFile));
    assert.equal(start.status, 303, start.body);
    const signIn = start.setCookie?.find((c) => c.startsWith('jitd_signin='));
    assert.match(signIn ?? '', /^jitd_signin=[\w-]+; Path=\/auth; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
  } finally {
    await jitd.close();
    await idp.stop();
  }
});
