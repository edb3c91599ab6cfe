// `jitd config check` and `jitd serve` on a bad jitd.yaml: every problem, as FILE:LINE:COL path: message.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;

function jitd(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, JITD_CONFIG: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const BAD = `version: 1
server:
  listen: 127.0.0.1:8080
connectors:
  corp-ldap:
    type: ldap
    url: ldap://127.0.0.1:389
    bindDn: cn=jitd,dc=example,dc=org
    bindPassword: { env: JITD_TEST_UNSET_PASSWORD }
    userDn: "uid={principal},ou=people,dc=example,dc=org"
roles:
  domain-admins:
    connector: corp-ldap
    group: "cn=Domain Admins,ou=groups,dc=example,dc=org"
    maxDuraton: 4h
    defaultDuration: 90x
    eligible: [ops]
    approval: auto
`;

describe('jitd config check and serve on an invalid config', () => {
  test('config check prints every problem with file, line and column, and exits 9', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jitd-config-'));
    await writeFile(join(dir, 'jitd.yaml'), BAD);
    const result = await jitd(['config', 'check'], dir);
    assert.equal(result.code, 9);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.at(-1), '5 problems');
    assert.match(result.stdout, /^jitd\.yaml:9:26 connectors\.corp-ldap\.bindPassword\.env: environment variable JITD_TEST_UNSET_PASSWORD is not set$/m);
    assert.match(result.stdout, /^jitd\.yaml:15:5 roles\.domain-admins\.maxDuraton: unknown field "maxDuraton" \(valid fields: .*maxDuration.*\)$/m);
    assert.match(result.stdout, /^jitd\.yaml:16:22 roles\.domain-admins\.defaultDuration: "90x" is not a duration \(e\.g\. 30m, 1h, 1h30m, 2d, 90s\)$/m);
    assert.match(result.stdout, /^jitd\.yaml:12:3 roles\.domain-admins\.maxDuration: is required$/m);
    assert.match(result.stdout, /^jitd\.yaml:17:16 roles\.domain-admins\.eligible\[0\]: "ops" is not user:NAME or group:NAME$/m);
    const json = JSON.parse((await jitd(['config', 'check', '-o', 'json'], dir)).stdout) as { ok: boolean; issues: unknown[] };
    assert.equal(json.ok, false);
    assert.equal(json.issues.length, 5);
  });

  test('serve refuses to start on the same config with the same messages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jitd-config-'));
    await writeFile(join(dir, 'jitd.yaml'), BAD);
    const result = await jitd(['serve', '--config', 'jitd.yaml'], dir);
    assert.equal(result.code, 9);
    assert.match(result.stderr, /^jitd: jitd\.yaml:9:26 connectors\.corp-ldap\.bindPassword\.env: environment variable JITD_TEST_UNSET_PASSWORD is not set$/m);
    assert.match(result.stderr, /^5 problems in the configuration$/m);
  });

  test('a config file that does not exist is one clear problem', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jitd-config-'));
    const result = await jitd(['config', 'check', '--config', 'missing.yaml'], dir);
    assert.equal(result.code, 9);
    assert.match(result.stdout, /^missing\.yaml:1:1 .*(not found|does not exist|cannot read)/im);
  });
});
