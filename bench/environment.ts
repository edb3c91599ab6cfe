// The system under test: a throwaway slapd (the test harness's), its users and groups, and a real
// `jitd serve` child process configured for the benchmark, plus the independent LDAP clients. Everything
// started here is registered for cleanup.
import { readFileSync } from 'node:fs';
import { startSlapd, type Slapd } from '../test/fixtures/slapd.ts';
import { ApiClient } from './api-client.ts';
import { onCleanup } from './cleanup.ts';
import { startJitdServer, type BenchRole, type JitdServer } from './jitd-server.ts';
import { LdapWitness, RawTargetClient } from './ldap-witness.ts';
import type { BenchOptions } from './options.ts';
import { phase } from './progress.ts';

export interface BenchUser {
  readonly uid: string;
  readonly dn: string;
  readonly token: string;
}

export interface BenchEnvironment {
  readonly slapd: Slapd;
  readonly server: JitdServer;
  readonly api: ApiClient;
  readonly witness: LdapWitness;
  readonly raw: RawTargetClient;
  readonly users: readonly BenchUser[];
  readonly latencyRole: BenchRole;
  readonly throughputRole: BenchRole;
  readonly massRoles: readonly BenchRole[];
  /** A group no role points at: the raw ldapts operations use it. */
  readonly rawGroupDn: string;
  /** slapd's pid (from its pidfile), for CPU accounting. */
  readonly slapdPid: number | undefined;
  readonly setupSeconds: { readonly slapd: number; readonly users: number; readonly jitd: number };
}

const seconds = (since: number) => Math.round((Date.now() - since) / 10) / 100;

export async function startEnvironment(options: BenchOptions): Promise<BenchEnvironment> {
  let t = Date.now();
  phase('starting slapd');
  const slapd = await startSlapd({ users: [] });
  onCleanup('slapd', () => slapd.destroy());
  const slapdSeconds = seconds(t);

  t = Date.now();
  const userCount = Math.max(options.mass, options.warmup + options.grants, options.clients);
  const uids = Array.from({ length: userCount }, (_, i) => `u${String(i + 1).padStart(5, '0')}`);
  phase(`adding ${userCount} users (one ldapadd) and ${options.groups + 3} groups`);
  await slapd.addUsers(uids);
  const group = async (cn: string): Promise<BenchRole> => ({ name: cn, groupDn: await slapd.addGroup(cn, [slapd.placeholderDn]) });
  const latencyRole = await group('latency');
  const throughputRole = await group('throughput');
  const rawGroupDn = (await group('raw-floor')).groupDn;
  const massRoles: BenchRole[] = [];
  for (let g = 0; g < options.groups; g++) massRoles.push(await group(`mass-${String(g).padStart(2, '0')}`));
  const usersSeconds = seconds(t);

  t = Date.now();
  phase(`starting jitd serve (${userCount + 1} token identities, ${massRoles.length + 2} roles)`);
  const server = await startJitdServer({
    slapd,
    principals: uids,
    roles: [latencyRole, throughputRole, ...massRoles],
    batchSize: Math.max(5000, options.mass),
    nodeFlags: options.jitdNodeFlags,
    ...(options.jitdOutput === undefined ? {} : { outputFile: options.jitdOutput }),
  });
  onCleanup('jitd serve', () => server.stop());
  const jitdSeconds = seconds(t);

  const api = new ApiClient(server.url, Math.max(options.clients, options.createConcurrency) + 4);
  onCleanup('API client', () => api.close());
  const witness = await LdapWitness.open(slapd);
  onCleanup('LDAP reader', () => witness.close());
  const raw = await RawTargetClient.open(slapd);
  onCleanup('raw LDAP client', () => raw.close());

  let slapdPid: number | undefined;
  try {
    slapdPid = Number(readFileSync(`${slapd.dir}/slapd.pid`, 'utf8').trim());
  } catch {
    slapdPid = undefined;
  }
  return {
    slapd,
    server,
    api,
    witness,
    raw,
    users: uids.map((uid) => ({ uid, dn: slapd.userDn(uid), token: server.tokens.get(uid)! })),
    latencyRole,
    throughputRole,
    massRoles,
    rawGroupDn,
    slapdPid,
    setupSeconds: { slapd: slapdSeconds, users: usersSeconds, jitd: jitdSeconds },
  };
}
