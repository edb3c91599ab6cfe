// `jitd ssh` as a user runs it: a real `jitd serve` with an ssh connector, the real CLI, a real sshd
// (test/fixtures/sshd.ts), the real ssh client and a real ssh-agent. The command makes the key, saves key and
// certificate, loads the agent and prints a command that logs in; --print-config and host-setup give files
// that work as they are, and host-setup's KRL refresh script keeps the last good KRL when jitd is down.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startJitdProcess, type CliResult, type JitdProcess } from '../fixtures/jitd-process.ts';
import { ownProcess, waitForExit } from '../fixtures/owned-processes.ts';
import { SSH_TEST_USER, generateSshKey, startSshd, type Sshd } from '../fixtures/sshd.ts';

interface SshJson {
  lease: { id: string; expiresAt: string; grant: { certificate: string; serial: string; keyId: string; validBefore: string } };
  files: { privateKey: string; publicKey: string; certificate: string };
  command: string;
  agent: { loaded: boolean; seconds?: number; why?: string };
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 20_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const mode = async (path: string): Promise<string> => ((await stat(path)).mode & 0o777).toString(8);

describe('jitd ssh against a real sshd, ssh client and ssh-agent', () => {
  let dir: string;
  let sshd: Sshd;
  let jitd: JitdProcess;
  /** The CLI's config dir (XDG_CONFIG_HOME) for the key files. */
  let home: string;

  /** ssh options that pin the fixture's host key and use nothing from the machine's own ssh setup. */
  const pinned = (): string[] => ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${sshd.knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'ConnectTimeout=5', '-o', 'LogLevel=ERROR'];
  /** Runs a printed `ssh …` command line (no quoting in these paths) with the host key pinned and no agent. */
  const runPrinted = (line: string): Promise<CliResult> => {
    const [program, ...args] = line.split(' ');
    assert.equal(program, 'ssh');
    return run('/usr/bin/ssh', ['-F', '/dev/null', ...pinned(), '-o', 'IdentityAgent=none', '-o', 'IdentitiesOnly=yes', ...args, 'echo logged-in']);
  };
  const jitdSsh = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => jitd.cli('alice', ['ssh', ...args], { XDG_CONFIG_HOME: home, SSH_AUTH_SOCK: '', ...env });
  const printedCommand = (stdout: string): string => stdout.match(/^Log in with:\n {2}(.*)$/m)?.[1] ?? assert.fail(`no command in:\n${stdout}`);
  const keyDir = (role: string): string => join(home, 'jitd', 'ssh', role);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jitd-ssh-cli-e2e-'));
    home = join(dir, 'config');
    const ca = await generateSshKey(dir, 'jitd-ca');
    sshd = await startSshd({ trustedCaKeys: [ca.publicKey], principals: { [SSH_TEST_USER]: ['admin@web-01'] } });
    const ssh = { connector: 'ssh-ca', maxDuration: '4h', eligible: ['group:ops'], approval: 'auto' };
    jitd = await startJitdProcess({
      target: {
        connectorName: 'ssh-ca',
        connector: { type: 'ssh', timeout: '1s' },
        secret: { field: 'caKey', value: (await readFile(ca.privateKeyFile, 'utf8')).trimEnd() },
        roleTarget: { principals: 'admin@web-01', host: '127.0.0.1', login: SSH_TEST_USER, port: String(sshd.port) },
      },
      roleName: 'web-01-admin',
      roles: {
        'web-01-nohost': { ...ssh, principals: ['admin@web-01'] },
        'web-01-guarded': { ...ssh, principals: ['admin@web-01', 'guarded@web-01'], host: '127.0.0.1', login: SSH_TEST_USER, port: String(sshd.port), endSessionsAtExpiry: true },
        'web-02-admin': { ...ssh, principals: ['admin@web-02'], host: 'web-02.example.com', login: 'admin', eligible: ['group:jitd-admins'] },
      },
    });
    const krl = await fetch(`${jitd.url}/v1/ssh/krl`, { headers: { authorization: `Bearer ${jitd.tokens.alice}` } });
    await sshd.setRevokedKeys(Buffer.from(await krl.arrayBuffer()));
  });
  after(async () => {
    await jitd?.stop();
    await sshd?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  test('jitd ssh makes a key, saves key and certificate privately, and prints the exact command, which logs in', async () => {
    const result = await jitdSsh(['web-01-admin', '--for', '1h', '--reason', 'CHG-1234 kernel patch']);
    assert.equal(result.code, 0, result.stderr);
    const key = join(keyDir('web-01-admin'), 'id_ed25519');
    const cert = `${key}-cert.pub`;
    assert.equal(printedCommand(result.stdout), `ssh -i ${key} -o CertificateFile=${cert} -p ${sshd.port} ${SSH_TEST_USER}@127.0.0.1`);
    const leaseId = result.stdout.match(/^ {2}lease +(lease-\S+)$/m)?.[1];
    assert.ok(leaseId, result.stdout);
    assert.match(result.stdout, new RegExp(`^ {2}key id +${leaseId}:admin@web-01$`, 'm'));
    assert.match(result.stdout, /^ {2}serial +\d+$/m);
    assert.match(result.stdout, new RegExp(`End it early with: jitd release ${leaseId}$`, 'm'));

    assert.deepEqual(await Promise.all([keyDir('web-01-admin'), join(home, 'jitd', 'ssh'), key, `${key}.pub`, cert].map(mode)), ['700', '700', '600', '600', '600']);
    assert.match(await readFile(key, 'utf8'), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    const publicKey = (await readFile(`${key}.pub`, 'utf8')).trim();
    assert.match(publicKey, /^ssh-ed25519 AAAA\S+ jitd:web-01-admin$/);
    const derived = await run('/usr/bin/ssh-keygen', ['-y', '-f', key]);
    assert.equal(derived.stdout.trim(), publicKey, 'ssh-keygen reads the private key back to the same public key');

    const viaFixture = await sshd.ssh({ user: SSH_TEST_USER, identityFile: key, certificateFile: cert, command: 'echo logged-in' });
    assert.equal(viaFixture.code, 0, viaFixture.stderr);
    const viaPrinted = await runPrinted(printedCommand(result.stdout));
    assert.equal(viaPrinted.code, 0, viaPrinted.stderr);
    assert.equal(viaPrinted.stdout.trim(), 'logged-in');
  });

  test('a second jitd ssh replaces the key and certificate; -o json adds the files and the command to the API answer', async () => {
    const key = join(keyDir('web-01-admin'), 'id_ed25519');
    const before = existsSync(key) ? await readFile(key, 'utf8') : '';
    const result = await jitdSsh(['web-01-admin', '--for', '30m', '--reason', 'CHG-1234 again', '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const body = JSON.parse(result.stdout) as SshJson;
    assert.deepEqual(body.files, { privateKey: key, publicKey: `${key}.pub`, certificate: `${key}-cert.pub` });
    assert.equal(body.command, `ssh -i ${key} -o CertificateFile=${key}-cert.pub -p ${sshd.port} ${SSH_TEST_USER}@127.0.0.1`);
    assert.equal(body.lease.grant.keyId, `${body.lease.id}:admin@web-01`);
    assert.notEqual(await readFile(key, 'utf8'), before, 'a new key');
    assert.equal((await readFile(`${key}-cert.pub`, 'utf8')).trim(), body.lease.grant.certificate);
    assert.equal((await runPrinted(body.command)).code, 0);
  });

  test('--public-key certifies your own key; the certificate goes beside jitd\'s files and the command names both', async () => {
    const own = await generateSshKey(dir, 'own');
    const result = await jitdSsh(['web-01-admin', '--for', '1h', '--reason', 'CHG-1234 with my key', '--public-key', own.publicKeyFile]);
    assert.equal(result.code, 0, result.stderr);
    const cert = join(keyDir('web-01-admin'), 'own-cert.pub');
    assert.equal(printedCommand(result.stdout), `ssh -i ${own.privateKeyFile} -o CertificateFile=${cert} -p ${sshd.port} ${SSH_TEST_USER}@127.0.0.1`);
    assert.equal(await mode(cert), '600');
    assert.equal((await readFile(own.publicKeyFile, 'utf8')).trim(), own.publicKey, 'your public key is left alone');
    const login = await runPrinted(printedCommand(result.stdout));
    assert.equal(login.code, 0, login.stderr);
  });

  test('with a running ssh-agent the key and certificate are loaded until the lease ends, and a login through the agent works', async () => {
    const socket = join(dir, 'agent.sock');
    const agent: ChildProcess = spawn('/usr/bin/ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    ownProcess(agent);
    try {
      for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 20));
      const env = { ...process.env, SSH_AUTH_SOCK: socket };
      const result = await jitdSsh(['web-01-admin', '--for', '1h', '--reason', 'CHG-1234 agent'], { SSH_AUTH_SOCK: socket });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^Loaded the key and certificate into ssh-agent for 3[56]\d\d s \(until .*\)\.$/m);
      const listed = await run('/usr/bin/ssh-add', ['-l'], env);
      assert.match(listed.stdout, /ED25519-CERT\)$/m, listed.stdout);
      const login = await run('/usr/bin/ssh', ['-F', '/dev/null', ...pinned(), '-o', `IdentityAgent=${socket}`, '-p', String(sshd.port), `${SSH_TEST_USER}@127.0.0.1`, 'echo logged-in']);
      assert.equal(login.code, 0, login.stderr);

      await run('/usr/bin/ssh-add', ['-D'], env);
      // Your own key: its certificate is not beside it, and ssh-add still gets the pair.
      const own = await generateSshKey(dir, 'own-for-agent');
      const withOwn = await jitdSsh(['web-01-admin', '--for', '1h', '--reason', 'CHG-1234 agent, own key', '--public-key', own.publicKeyFile], { SSH_AUTH_SOCK: socket });
      assert.equal(withOwn.code, 0, withOwn.stderr);
      assert.match((await run('/usr/bin/ssh-add', ['-l'], env)).stdout, /^256 SHA256:\S+ own-for-agent \(ED25519-CERT\)$/m);
      await run('/usr/bin/ssh-add', ['-D'], env);
      const skipped = await jitdSsh(['web-01-admin', '--for', '1h', '--reason', 'CHG-1234 no agent', '--no-agent'], { SSH_AUTH_SOCK: socket });
      assert.equal(skipped.code, 0, skipped.stderr);
      assert.doesNotMatch(skipped.stdout, /ssh-agent/);
      assert.match((await run('/usr/bin/ssh-add', ['-l'], env)).stdout, /no identities/i);
    } finally {
      agent.kill('SIGTERM');
      await waitForExit(agent);
    }
  });

  test('an agent that cannot be reached is a warning: the files are saved and the command works', async () => {
    const result = await jitdSsh(['web-01-admin', '--for', '1h', '--reason', 'CHG-1234 broken agent'], { SSH_AUTH_SOCK: join(dir, 'no-such-agent.sock') });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^jitd: warning: the key was not loaded into ssh-agent: ssh-add failed: .+ \(the files are saved; use the command below\)$/m);
    assert.equal((await runPrinted(printedCommand(result.stdout))).code, 0);
  });

  test('a role that names no host gets a command with placeholders, and says so', async () => {
    const result = await jitdSsh(['web-01-nohost', '--for', '10m', '--reason', 'CHG-1234']);
    assert.equal(result.code, 0, result.stderr);
    const key = join(keyDir('web-01-nohost'), 'id_ed25519');
    assert.equal(printedCommand(result.stdout), `ssh -i ${key} -o CertificateFile=${key}-cert.pub <user>@<host>`);
    assert.match(result.stdout, /^The role web-01-nohost does not name its host \(target host\/login\): put them in place of <user>@<host>\.$/m);
  });

  test('usage and refusals: no role, an unknown role, a role beyond its maximum, a --public-key that is not a .pub file', async () => {
    const none = await jitdSsh([]);
    assert.equal(none.code, 3);
    assert.equal(none.stderr, 'jitd: name the SSH role to request, e.g. jitd ssh web-01-admin (see jitd roles), or use --print-config\n');
    const unknown = await jitdSsh(['no-such-role', '--reason', 'x']);
    assert.equal(unknown.code, 5, unknown.stderr);
    assert.equal(unknown.stderr, 'jitd: unknown role "no-such-role" (roles you may request: web-01-admin, web-01-nohost, web-01-guarded)\n');
    assert.ok(!existsSync(keyDir('no-such-role')), 'nothing is saved for a refused request');
    const tooLong = await jitdSsh(['web-01-admin', '--for', '5h', '--reason', 'x']);
    assert.equal(tooLong.code, 3, tooLong.stderr);
    assert.match(tooLong.stderr, /4h/);
    const notPub = await jitdSsh(['web-01-admin', '--reason', 'x', '--public-key', join(dir, 'jitd-ca')]);
    assert.equal(notPub.code, 3);
    assert.equal(notPub.stderr, `jitd: --public-key ${join(dir, 'jitd-ca')}: give the key pair's .pub file (ssh uses the private key of the same name without .pub)\n`);
  });

  test('--print-config gives a Host block per SSH role with a host, and ssh -F with it logs in', async () => {
    const result = await jitdSsh(['--print-config']);
    assert.equal(result.code, 0, result.stderr);
    const key = join(keyDir('web-01-admin'), 'id_ed25519');
    assert.ok(result.stdout.includes(
      `Host web-01-admin\n  HostName 127.0.0.1\n  User ${SSH_TEST_USER}\n  Port ${sshd.port}\n  IdentityFile ${key}\n  CertificateFile ${key}-cert.pub\n  IdentitiesOnly yes\n`,
    ), result.stdout);
    assert.match(result.stdout, /^Host web-01-guarded$/m);
    assert.doesNotMatch(result.stdout, /web-01-nohost|web-02-admin/, 'no host, or not eligible');
    const configFile = join(dir, 'ssh_config');
    await writeFile(configFile, result.stdout);
    await jitdSsh(['web-01-admin', '--for', '1h', '--reason', 'CHG-1234 config']);
    const login = await run('/usr/bin/ssh', ['-F', configFile, ...pinned(), '-o', 'IdentityAgent=none', 'web-01-admin', 'echo logged-in']);
    assert.equal(login.code, 0, login.stderr);
  });

  test('host-setup gives the CA key jitd serves, the principals per account, and a KRL script that keeps the last good KRL when jitd is down', async () => {
    const out = join(dir, 'host');
    const result = await jitd.cli('bob', ['ssh', 'host-setup', '--output-dir', out, '--session-guard', '/opt/jitd/session-guard']);
    assert.equal(result.code, 0, result.stderr);
    const ca = await (await fetch(`${jitd.url}/v1/ssh/ca`, { headers: { authorization: `Bearer ${jitd.tokens.bob}` } })).text();
    assert.equal(await readFile(join(out, 'jitd_ca.pub'), 'utf8'), ca);
    assert.equal(await readFile(join(out, 'principals', SSH_TEST_USER), 'utf8'), 'admin@web-01\nguarded@web-01\n');
    assert.equal(await readFile(join(out, 'principals', 'admin'), 'utf8'), 'admin@web-02\n');
    assert.equal(
      (await readFile(join(out, 'sshd_config.jitd'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).join('\n'),
      'TrustedUserCAKeys /etc/ssh/jitd_ca.pub\nAuthorizedPrincipalsFile /etc/ssh/principals/%u\nRevokedKeys /etc/ssh/jitd_revoked.krl\nLogLevel VERBOSE',
    );
    assert.deepEqual(await Promise.all(['krl-refresh', 'jitd-krl-refresh.timer', 'jitd_ca.pub'].map((f) => mode(join(out, f)))), ['755', '644', '644']);
    assert.match(await readFile(join(out, 'jitd-krl-refresh.timer'), 'utf8'), /^OnCalendar=minutely$/m);
    assert.match(result.stdout, /Roles web-01-guarded end sessions at the lease's end: .* at \/opt\/jitd\/session-guard, owner root, mode 0755/);
    assert.match(result.stdout, /Role web-01-nohost names no login: add its principals \(admin@web-01\)/);

    const tokenFile = join(dir, 'host-token');
    await writeFile(tokenFile, `${jitd.tokens.dave}\n`, { mode: 0o600 });
    const krl = join(dir, 'jitd_revoked.krl');
    const env = { ...process.env, JITD_TOKEN_FILE: tokenFile, JITD_KRL_FILE: krl };
    const fetched = await run('/bin/bash', [join(out, 'krl-refresh')], env);
    assert.equal(fetched.code, 0, fetched.stderr);
    const served = Buffer.from(await (await fetch(`${jitd.url}/v1/ssh/krl`, { headers: { authorization: `Bearer ${jitd.tokens.dave}` } })).arrayBuffer());
    const good = await readFile(krl);
    assert.ok(good.equals(served), 'the live file is the KRL jitd serves');
    assert.equal(await mode(krl), '644');

    await jitd.stop();
    const down = await run('/bin/bash', [join(out, 'krl-refresh')], env);
    assert.equal(down.code, 1);
    assert.match(down.stderr, new RegExp(`^jitd-krl-refresh: fetching ${jitd.url}/v1/ssh/krl failed; keeping the last good ${krl}$`, 'm'));
    assert.ok((await readFile(krl)).equals(good), 'the last good KRL stays');
    assert.deepEqual((await run('/bin/ls', ['-A', dir])).stdout.split('\n').filter((f) => f.startsWith('jitd_revoked.krl.')), [], 'no temporary file is left');
  });
});
