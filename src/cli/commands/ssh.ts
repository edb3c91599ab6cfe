// jitd ssh: a certificate for an SSH role on a key made here (or the user's own), saved where ssh finds it,
// loaded into the agent, and the exact ssh command to use; --print-config and host-setup for the rest.
import { Option, type Command } from 'commander';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { LeaseView, RequestView } from '../../api/views.ts';
import { InvalidInputError } from '../../core/errors.ts';
import { resolveClientSettings, type ApiClient } from '../client.ts';
import { contextOf, type GlobalFlags } from '../context.ts';
import { emit, when } from '../output.ts';
import { loadIntoAgent, type AgentOutcome } from '../ssh/agent.ts';
import { DEFAULT_SESSION_GUARD, DEFAULT_TOKEN_FILE, hostSetup, type HostSetupRole } from '../ssh/host-setup.ts';
import { ensurePrivateDir, generatedKeyFiles, ownKeyFiles, writePrivateFile, type SshRoleFiles } from '../ssh/key-files.ts';
import { isSshTarget, loginCommand, sshConfigBlock } from '../ssh/login-command.ts';
import { generateEd25519Key } from '../ssh/openssh-private-key.ts';

interface SshGrant {
  certificate: string;
  serial: string;
  keyId: string;
  principals: string;
  validBefore: string;
  publicKeyFingerprint: string;
}

interface RoleJson {
  name: string;
  connector: string;
  target: Record<string, string>;
  youAreEligible: boolean;
}

interface SshOptions {
  for?: string;
  reason?: string;
  ticket?: string;
  publicKey?: string;
  agent: boolean;
  printConfig?: boolean;
}

const SSH_HELP = `
Examples:
  jitd ssh web-01-admin --for 1h --reason "CHG-1234 kernel patch"
      makes a new ed25519 key here, gets it certified, saves key and certificate under
      ~/.config/jitd/ssh/web-01-admin/, loads both into ssh-agent until the lease ends, prints the ssh command
  jitd ssh web-01-admin --for 30m --reason "INC-77" --public-key ~/.ssh/id_ed25519.pub
      certifies your own key instead (the private key stays where it is)
  jitd ssh --print-config >> ~/.ssh/config
      a Host block per SSH role you may request, then: jitd ssh web-01-admin ... && ssh web-01-admin
  jitd ssh host-setup --output-dir ./web-01
      what a server needs to accept jitd's certificates (run as an admin)

The private key never leaves this machine: only the public key is sent to jitd.`;

const HOST_SETUP_HELP = `
Prints, for a server: the sshd_config lines, the CA key file (GET /v1/ssh/ca), a principals file per
account (from the roles' login and principals), a KRL refresh script with a systemd service and timer
(every minute; a failed fetch keeps the last good KRL and exits non-zero), and where the session guard goes
for roles with endSessionsAtExpiry. The script fetches from the --server this command uses.

Examples:
  jitd ssh host-setup --role web-01-admin --role web-01-deploy
  jitd ssh host-setup --connector ssh-ca --output-dir /tmp/web-01 && scp -r /tmp/web-01 root@web-01:`;

export function registerSshCommands(program: Command): void {
  const ssh = program
    .command('ssh')
    .description('a short-lived SSH certificate for a role, on a key made here; prints the ssh command')
    .usage('<role> [options]  |  --print-config  |  host-setup [options]')
    .argument('[role]', 'the SSH role to request (see `jitd roles`)')
    .option('--for <duration>', "how long, e.g. 30m, 1h (default: the role's default)")
    .option('--reason <text>', 'why you need it (required by most roles)')
    .option('--ticket <id>', 'change or incident ticket, when the role asks for one')
    .option('--public-key <file>', 'certify this public key (e.g. ~/.ssh/id_ed25519.pub) instead of making a new key')
    .option('--no-agent', 'do not load the key and certificate into ssh-agent')
    .option('--print-config', 'print an ~/.ssh/config block for each SSH role you may request that names a host')
    .addHelpText('after', SSH_HELP)
    .action(async (role: string | undefined, opts: SshOptions, command: Command) => {
      if (opts.printConfig) {
        if (role !== undefined) throw new InvalidInputError('--print-config takes no role');
        await printConfig(command);
        return;
      }
      if (role === undefined) throw new InvalidInputError('name the SSH role to request, e.g. jitd ssh web-01-admin (see jitd roles), or use --print-config');
      await requestCertificate(role, opts, command);
    });

  ssh
    .command('host-setup')
    .description('admin: print what a server needs to accept jitd certificates (sshd_config, CA key, principals, KRL timer)')
    .option('--connector <name>', 'the ssh connector (needed when there are several)')
    .addOption(new Option('--role <role...>', 'only these roles (default: every SSH role of the connector)'))
    .option('--token-file <path>', 'where the host keeps its jitd token for fetching the KRL', DEFAULT_TOKEN_FILE)
    .option('--session-guard <path>', "where the session guard goes (the connector's sessionGuard)", DEFAULT_SESSION_GUARD)
    .option('--output-dir <dir>', 'write the files into this folder instead of printing them')
    .addHelpText('after', HOST_SETUP_HELP)
    .action(async (opts: { connector?: string; role?: string[]; tokenFile: string; sessionGuard: string; outputDir?: string }, command: Command) => {
      await printHostSetup(opts, command);
    });
}

async function requestCertificate(role: string, opts: SshOptions, command: Command): Promise<void> {
  const { client, format } = contextOf(command);
  // Asked first so that a non-SSH role is never granted by mistake (an unknown one is left to the request's error).
  const known = (await client.get<{ roles: RoleJson[] }>('/v1/roles')).roles.find((r) => r.name === role);
  if (known && !isSshTarget(known.target)) throw new InvalidInputError(`role ${role} is not an SSH role (its target has no principals): use jitd request ${role}`);
  let files: SshRoleFiles;
  let publicKey: string;
  let privateKeyFile: string | undefined;
  if (opts.publicKey !== undefined) {
    if (!opts.publicKey.endsWith('.pub')) throw new InvalidInputError(`--public-key ${opts.publicKey}: give the key pair's .pub file (ssh uses the private key of the same name without .pub)`);
    files = ownKeyFiles(role, resolve(opts.publicKey));
    try {
      publicKey = (await readFile(files.publicKey, 'utf8')).trim();
    } catch (error) {
      throw new InvalidInputError(`--public-key ${opts.publicKey}: cannot read it (${(error as { code?: string }).code ?? 'error'})`);
    }
  } else {
    files = generatedKeyFiles(role);
    const key = generateEd25519Key(`jitd:${role}`);
    publicKey = key.publicKeyLine;
    privateKeyFile = key.privateKeyFile;
  }
  const result = await client.post<{ request: RequestView; lease?: LeaseView }>('/v1/requests', {
    role,
    ...(opts.for ? { duration: opts.for } : {}),
    ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
    ...(opts.ticket !== undefined ? { ticket: opts.ticket } : {}),
    publicKey,
  });
  const lease = result.lease;
  if (!lease) {
    emit(format, result, () => `Request ${result.request.id} for ${role} is ${result.request.state}: it waits for approval (no key was saved).`);
    return;
  }
  const grant = lease.grant as SshGrant | undefined;
  if (!grant?.certificate) throw new InvalidInputError(`role ${role} is not an SSH role: the lease ${lease.id} holds no certificate (use jitd request)`);

  await ensurePrivateDir(files.dir);
  // Key before certificate: ssh never pairs the new certificate with the old key.
  if (privateKeyFile !== undefined) {
    await writePrivateFile(files.privateKey, privateKeyFile);
    await writePrivateFile(files.publicKey, `${publicKey}\n`);
  }
  await writePrivateFile(files.certificate, `${grant.certificate}\n`);

  const agent: AgentOutcome = opts.agent ? await loadIntoAgent(files.privateKey, files.certificate, new Date(grant.validBefore)) : { loaded: false, why: '--no-agent', warning: false };
  if (!agent.loaded && agent.warning) process.stderr.write(`jitd: warning: the key was not loaded into ssh-agent: ${agent.why} (the files are saved; use the command below)\n`);
  const login = loginCommand(lease.target, files.privateKey, files.certificate);
  const fileList = { privateKey: files.privateKey, publicKey: files.publicKey, certificate: files.certificate };

  emit(format, { ...result, files: fileList, command: login.line, agent }, () => {
    const rows: [string, string][] = [
      ['lease', lease.id],
      ['expires', `${when(lease.expiresAt)}${lease.timeLeft ? ` (${lease.timeLeft} left)` : ''}`],
      ['serial', grant.serial],
      ['key id', grant.keyId],
      ['principals', grant.principals],
      ['key', `${files.privateKey}${privateKeyFile === undefined ? ' (yours)' : ' (made here)'}`],
      ['certificate', files.certificate],
    ];
    const lines = [`Granted ${lease.role} to ${lease.principal} for ${lease.duration}: an SSH certificate for ${grant.publicKeyFingerprint}.`, ...rows.map(([k, v]) => `  ${k.padEnd(11)} ${v}`)];
    if (agent.loaded) lines.push(`Loaded the key and certificate into ssh-agent for ${agent.seconds} s (until ${when(grant.validBefore)}).`);
    if (!login.complete) lines.push(`The role ${lease.role} does not name its host (target host/login): put them in place of <user>@<host>.`);
    lines.push('Log in with:', `  ${login.line}`, `End it early with: jitd release ${lease.id}`);
    return lines.join('\n');
  });
}

async function sshRoles(client: ApiClient): Promise<RoleJson[]> {
  const { roles } = await client.get<{ roles: RoleJson[] }>('/v1/roles');
  return roles.filter((r) => isSshTarget(r.target));
}

async function printConfig(command: Command): Promise<void> {
  const { client, format } = contextOf(command);
  const roles = (await sshRoles(client)).filter((r) => r.youAreEligible && r.target.host !== undefined);
  const blocks = roles.map((r) => {
    const files = generatedKeyFiles(r.name);
    return { role: r.name, text: sshConfigBlock(r.name, r.target, files.privateKey, files.certificate) };
  });
  emit(format, { hosts: blocks.map((b) => ({ role: b.role, config: b.text })) }, () =>
    blocks.length > 0 ? blocks.map((b) => b.text).join('\n\n') : '# jitd: no SSH role you may request names a host (target host)',
  );
}

async function printHostSetup(opts: { connector?: string; role?: string[]; tokenFile: string; sessionGuard: string; outputDir?: string }, command: Command): Promise<void> {
  const { client, format } = contextOf(command);
  const { server } = resolveClientSettings(command.optsWithGlobals<GlobalFlags>());
  const [caLine, all] = await Promise.all([caPublicKey(client, opts.connector), sshRoles(client)]);
  let roles: HostSetupRole[] = opts.connector ? all.filter((r) => r.connector === opts.connector) : all;
  if (opts.role) {
    const unknown = opts.role.filter((name) => !roles.some((r) => r.name === name));
    if (unknown.length > 0) throw new InvalidInputError(`not an SSH role${opts.connector ? ` of ${opts.connector}` : ''} you can see: ${unknown.join(', ')}`);
    roles = roles.filter((r) => opts.role!.includes(r.name));
  }
  const setup = hostSetup({ caPublicKey: caLine, roles, server, ...(opts.connector ? { connector: opts.connector } : {}), tokenFile: opts.tokenFile, sessionGuard: opts.sessionGuard });
  if (opts.outputDir !== undefined) {
    for (const file of setup.files) {
      const out = join(opts.outputDir, file.name);
      await mkdir(dirname(out), { recursive: true, mode: 0o755 });
      await writeFile(out, file.content);
      await chmod(out, file.mode);
    }
  }
  const json = { roles: roles.map((r) => r.name), files: setup.files.map((f) => ({ ...f, mode: f.mode.toString(8).padStart(4, '0') })), steps: setup.steps };
  emit(format, json, () => {
    const parts: string[] = [];
    if (opts.outputDir !== undefined) {
      parts.push(`Wrote into ${opts.outputDir} (install each as shown):`, ...setup.files.map((f) => `  ${f.name.padEnd(26)} -> ${f.path} (${f.mode.toString(8).padStart(4, '0')})`));
    } else {
      for (const f of setup.files) parts.push(`==> ${f.path} (mode ${f.mode.toString(8).padStart(4, '0')}) <==`, f.content);
    }
    parts.push('Then:', ...setup.steps.map((s) => `  - ${s}`));
    return parts.join('\n');
  });
}

async function caPublicKey(client: ApiClient, connector: string | undefined): Promise<string> {
  // /v1/ssh/ca answers text/plain; the JSON client would refuse it, so read it as a stream.
  const stream = await client.stream(`/v1/ssh/ca${connector ? `?connector=${encodeURIComponent(connector)}` : ''}`);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
