// The LDAP section's system under test: a throwaway slapd (the test harness's), its users and groups, and a
// real `jitd serve` child process configured for the benchmark, plus the independent LDAP clients. Everything
// started here is registered for cleanup. (environment-ad.ts is the AD section's.)
import { startSlapd, type Slapd } from '../test/fixtures/slapd.ts';
import { onCleanup } from './cleanup.ts';
import { ldapBenchConnector, type BenchRole } from './jitd-server.ts';
import { LdapWitness, RawTargetClient } from './ldap-witness.ts';
import type { BenchOptions } from './options.ts';
import { pidFromFile } from './process-probe.ts';
import { phase } from './progress.ts';
import { seconds, startJitdAndClients, type SectionEnvironment } from './section-environment.ts';

export interface BenchEnvironment extends SectionEnvironment {
  readonly slapd: Slapd;
  readonly throughputRole: BenchRole;
}

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

  const env = await startJitdAndClients(options, {
    connector: ldapBenchConnector(slapd),
    users: uids.map((uid) => ({ uid, dn: slapd.userDn(uid) })),
    latencyRole,
    massRoles,
    otherRoles: [throughputRole],
    rawGroupDn,
    directoryPid: pidFromFile(`${slapd.dir}/slapd.pid`),
    mass: options.mass,
    apiSockets: Math.max(options.clients, options.createConcurrency) + 4,
    openWitness: () => LdapWitness.open(slapd),
    openRaw: () => RawTargetClient.open(slapd),
    setupSeconds: { slapd: slapdSeconds, users: usersSeconds },
  });
  return { ...env, slapd, throughputRole };
}
