// The AD section's system under test: a throwaway Samba AD DC (the test harness's), the benchmark's own
// users and groups on it, a real `jitd serve` child process with an `ad` connector over LDAPS, and the
// independent LDAPS clients (reader and raw floor, both as Administrator, as jitd binds). Everything started
// here is registered for cleanup.
import { readFile } from 'node:fs/promises';
import { startSambaDc, type SambaDc } from '../test/fixtures/samba.ts';
import { adAdminLogin, createAdAccounts } from './ad-accounts.ts';
import { onCleanup } from './cleanup.ts';
import { adBenchConnector, type BenchRole } from './jitd-server.ts';
import { LdapWitness, RawTargetClient } from './ldap-witness.ts';
import type { BenchOptions } from './options.ts';
import { pidFromFile } from './process-probe.ts';
import { phase } from './progress.ts';
import { seconds, startJitdAndClients, type SectionEnvironment } from './section-environment.ts';

export interface AdBenchEnvironment extends SectionEnvironment {
  readonly dc: SambaDc;
}

export async function startAdEnvironment(options: BenchOptions): Promise<AdBenchEnvironment> {
  let t = Date.now();
  phase('starting a Samba AD DC (a copy of the test harness template; provisioned first if missing)');
  const dc = await startSambaDc();
  onCleanup('Samba DC', () => dc.destroy());
  const login = adAdminLogin(dc, await readFile(dc.caFile));
  const dcSeconds = seconds(t);

  t = Date.now();
  const userCount = Math.max(options.adMass, options.warmup + options.grants);
  const massNames = Array.from({ length: options.groups }, (_, g) => `bench-mass-${String(g).padStart(2, '0')}`);
  phase(`adding ${userCount} users and ${massNames.length + 2} groups over LDAPS`);
  const accounts = await createAdAccounts(dc, login, userCount, ['bench-latency', 'bench-raw-floor', ...massNames]);
  const role = (name: string): BenchRole => ({ name, groupDn: accounts.groups.get(name)! });

  // Both clients as Administrator, the account jitd binds as here.
  const env = await startJitdAndClients(options, {
    connector: adBenchConnector(dc),
    users: accounts.users.map((u) => ({ uid: u.sam, dn: u.dn })),
    latencyRole: role('bench-latency'),
    massRoles: massNames.map(role),
    otherRoles: [],
    rawGroupDn: role('bench-raw-floor').groupDn,
    directoryPid: pidFromFile(`${dc.dir}/run/samba.pid`),
    mass: options.adMass,
    apiSockets: options.createConcurrency + 4,
    openWitness: () => LdapWitness.connect(login),
    openRaw: () => RawTargetClient.connect(login),
    setupSeconds: { dc: dcSeconds, users: seconds(t) },
  });
  return { ...env, dc };
}
