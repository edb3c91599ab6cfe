import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { resolveSecret } from '../../src/config/secrets.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jitd-secret-'));
  await mkdir(path.join(dir, 'secrets'));
  await writeFile(path.join(dir, 'secrets/ldap'), 's3cret\n');
  await writeFile(path.join(dir, 'secrets/crlf'), 'two\nlines\r\n');
  await writeFile(path.join(dir, 'secrets/empty'), '\n');
  await chmod(path.join(dir, 'secrets/ldap'), 0o600);
});
after(() => rm(dir, { recursive: true, force: true }));

describe('resolveSecret', () => {
  test('reads an environment variable from the given environment', async () => {
    assert.equal(await resolveSecret({ env: 'PW' }, dir, { PW: 'from-env' }), 'from-env');
  });

  test('names the variable when it is not set or empty', async () => {
    await assert.rejects(resolveSecret({ env: 'PW' }, dir, {}), { message: 'environment variable PW is not set' });
    await assert.rejects(resolveSecret({ env: 'PW' }, dir, { PW: '' }), { message: 'environment variable PW is empty' });
  });

  test('reads a file relative to the base folder, without its trailing newline', async () => {
    assert.equal(await resolveSecret({ file: 'secrets/ldap' }, dir, {}), 's3cret');
    assert.equal(await resolveSecret({ file: path.join(dir, 'secrets/crlf') }, '/nowhere', {}), 'two\nlines');
  });

  test('names the absolute file and the reason when it cannot be read, never the content', async () => {
    await assert.rejects(resolveSecret({ file: 'secrets/missing' }, dir, {}), {
      message: `cannot read secret file ${path.join(dir, 'secrets/missing')} (no such file)`,
    });
    await assert.rejects(resolveSecret({ file: 'secrets' }, dir, {}), { message: `cannot read secret file ${path.join(dir, 'secrets')} (it is a directory)` });
    await assert.rejects(resolveSecret({ file: 'secrets/empty' }, dir, {}), { message: `secret file ${path.join(dir, 'secrets/empty')} is empty` });
  });
});
