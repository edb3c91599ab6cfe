// Runs the real `jitd serve` as a child process with a generated jitd.yaml, the way the end-to-end tests do
// (test/fixtures/jitd-process.ts), but with the benchmark's own config: one connector (ldap on slapd, ad
// on a Samba DC, or ssh with a throwaway CA key), one token identity per benchmark user, one auto-approved role per group, a 100 ms
// scheduler poll, a large batch, and warn-level logs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { SambaDc } from '../test/fixtures/samba.ts';
import { freePort, ldapConnectorEntry, type Slapd } from '../test/fixtures/slapd.ts';

const CLI = new URL('../src/cli/main.ts', import.meta.url).pathname;

export const ADMIN_PRINCIPAL = 'bench-admin';

export interface BenchRole {
  readonly name: string;
  readonly groupDn: string;
}

/** A role whose connector is not a directory (e.g. ssh): its target fields are given as they go in jitd.yaml. */
export interface BenchTargetRole {
  readonly name: string;
  readonly target: Readonly<Record<string, unknown>>;
}

/** The one connector of the benchmark's jitd: its config entry, given the file its bind password is in. */
export interface BenchConnector {
  readonly name: string;
  /** Written to a 0600 file next to jitd.yaml; never on a command line. (The ssh connector's CA key.) */
  readonly bindPassword: string;
  entry(passwordFile: string): Record<string, unknown>;
}

/** The `ldap` connector on a throwaway slapd, bound as its service account. */
export const ldapBenchConnector = (slapd: Slapd): BenchConnector => ({
  name: 'bench-ldap',
  bindPassword: slapd.servicePassword,
  entry: (passwordFile) => ldapConnectorEntry(slapd, passwordFile),
});

/** The `ad` connector on a Samba DC over LDAPS, bound as Administrator, principals by sAMAccountName. */
export const adBenchConnector = (dc: SambaDc): BenchConnector => ({
  name: 'bench-ad',
  bindPassword: dc.adminPassword,
  entry: (passwordFile) => ({
    type: 'ad',
    url: dc.ldapsUrl,
    tls: { caFile: dc.caFile, serverName: dc.serverName },
    bindDn: dc.adminDn,
    bindPassword: { file: passwordFile },
    principalAttribute: 'sAMAccountName',
  }),
});

/** The `ssh` connector (jitd as an OpenSSH user CA) with the CA private key given as text; KRL and ca.pub in `publishDir`. */
export const sshBenchConnector = (caPrivateKey: string, publishDir: string): BenchConnector => ({
  name: 'bench-ssh',
  bindPassword: caPrivateKey.trimEnd(),
  entry: (passwordFile) => ({ type: 'ssh', caKey: { file: passwordFile }, publishDir }),
});

export interface JitdServerOptions {
  readonly connector: BenchConnector;
  /** Principals that get a token; each must be an account the connector finds. */
  readonly principals: readonly string[];
  readonly roles: readonly (BenchRole | BenchTargetRole)[];
  readonly batchSize: number;
  /** Extra Node flags for the server process. */
  readonly nodeFlags?: readonly string[];
  /** Also append everything the server writes (logs, --trace-gc output) to this file. */
  readonly outputFile?: string;
}

export interface JitdServer {
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  /** Bearer token of each principal (and of ADMIN_PRINCIPAL). */
  readonly tokens: ReadonlyMap<string, string>;
  readonly adminToken: string;
  /** The last lines the server wrote (JSON logs and stderr). */
  output(): string;
  /** SIGTERM, wait for exit (SIGKILL after 10 s), remove the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

function buildConfig(o: JitdServerOptions, port: number, dir: string, passwordFile: string, hashes: ReadonlyMap<string, string>) {
  const { connector } = o;
  return {
    version: 1,
    server: { listen: `127.0.0.1:${port}` },
    dataDir: join(dir, 'data'),
    identities: {
      tokens: [...hashes].map(([principal, tokenSha256]) => ({
        principal,
        groups: principal === ADMIN_PRINCIPAL ? ['jitd-admins'] : ['bench'],
        tokenSha256,
      })),
    },
    authorization: { admins: ['group:jitd-admins'], auditors: [] },
    scheduler: { pollInterval: '100ms', batchSize: o.batchSize },
    // On, as in production; with a 1 h interval its only pass is at start-up, outside the measurements.
    reconciler: { enabled: true, interval: '1h' },
    log: { level: 'warn' },
    connectors: { [connector.name]: connector.entry(passwordFile) },
    roles: Object.fromEntries(
      o.roles.map((role) => [
        role.name,
        { connector: connector.name, ...('target' in role ? role.target : { group: role.groupDn }), maxDuration: '4h', defaultDuration: '1h', eligible: ['group:bench'], approval: 'auto', requireReason: false },
      ]),
    ),
  };
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`jitd serve exited during start (${child.exitCode ?? child.signalCode}):\n${output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`jitd serve did not answer /healthz within 60 s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface BenchConfigFile {
  readonly configPath: string;
  readonly url: string;
  readonly tokens: ReadonlyMap<string, string>;
}

/** Writes jitd.yaml (and the bind password file it points at) into `dir`, with fresh random tokens. */
export async function writeBenchConfig(o: JitdServerOptions, dir: string): Promise<BenchConfigFile> {
  const passwordFile = join(dir, 'bind-password');
  await writeFile(passwordFile, `${o.connector.bindPassword}\n`, { mode: 0o600 });
  const tokens = new Map<string, string>();
  const hashes = new Map<string, string>();
  for (const principal of [ADMIN_PRINCIPAL, ...o.principals]) {
    const token = `tok_${randomBytes(16).toString('hex')}`;
    tokens.set(principal, token);
    hashes.set(principal, createHash('sha256').update(token).digest('hex'));
  }
  const port = await freePort();
  const configPath = join(dir, 'jitd.yaml');
  await writeFile(configPath, stringify(buildConfig(o, port, dir, passwordFile, hashes)));
  return { configPath, url: `http://127.0.0.1:${port}`, tokens };
}

export async function startJitdServer(o: JitdServerOptions): Promise<JitdServer> {
  const dir = await mkdtemp(join(tmpdir(), 'jitd-bench-'));
  let child: ChildProcess | undefined;
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    const { configPath, url, tokens } = await writeBenchConfig(o, dir);

    let out = '';
    const proc = spawn(process.execPath, [...(o.nodeFlags ?? []), CLI, 'serve', '--config', configPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const file = o.outputFile === undefined ? undefined : createWriteStream(o.outputFile, { flags: 'a' });
    const collect = (d: Buffer) => {
      out = (out + d.toString()).slice(-8000);
      file?.write(d);
    };
    proc.once('exit', () => file?.end());
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    // If the benchmark itself is killed (SIGKILL: no handler runs), this detached shell kills jitd and
    // removes its temp dir once our pid is gone. It exits by itself when jitd stops first.
    const watchdog = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${proc.pid} 2>/dev/null; do sleep 1; done
if ! kill -0 ${process.pid} 2>/dev/null; then kill -9 ${proc.pid} 2>/dev/null; rm -rf '${dir}'; fi`;
    spawn('sh', ['-c', watchdog], { detached: true, stdio: 'ignore' }).unref();
    await waitHealthy(url, proc, () => out);

    let stopping: Promise<void> | undefined;
    return {
      url,
      pid: proc.pid!,
      dir,
      tokens,
      adminToken: tokens.get(ADMIN_PRINCIPAL)!,
      output: () => out,
      stop: () =>
        (stopping ??= (async () => {
          await stopChild(proc);
          removeDir();
        })()),
    };
  } catch (error) {
    if (child) await stopChild(child);
    removeDir();
    throw error;
  }
}

async function stopChild(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
