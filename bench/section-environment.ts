// What every section's system under test has, whatever the directory: a real `jitd serve` child process
// with the section's connector, an API client for it, and the two independent directory clients (the
// reader and the raw floor). The shared phases need nothing else. Everything is registered for clean-up.
import { ApiClient } from './api-client.ts';
import { onCleanup } from './cleanup.ts';
import { startJitdServer, type BenchConnector, type BenchRole, type JitdServer } from './jitd-server.ts';
import type { MembershipReader, RawMembershipWriter } from './ldap-witness.ts';
import type { BenchOptions } from './options.ts';
import { phase } from './progress.ts';

export interface BenchUser {
  readonly uid: string;
  readonly dn: string;
  readonly token: string;
}

/** A directory client that must be closed at the end. */
interface Closable {
  close(): Promise<void>;
}

export interface SectionEnvironment {
  readonly server: JitdServer;
  readonly api: ApiClient;
  readonly witness: MembershipReader;
  readonly raw: RawMembershipWriter;
  /** Each with a token of jitd's; the same order as given. */
  readonly users: readonly BenchUser[];
  readonly latencyRole: BenchRole;
  readonly massRoles: readonly BenchRole[];
  /** A group no role points at: the raw ldapts operations use it. */
  readonly rawGroupDn: string;
  /** The directory server's pid (from its pid file), for CPU accounting; undefined when unknown. */
  readonly directoryPid: number | undefined;
  /** Wall seconds of each setup step (directory server, users, jitd). */
  readonly setupSeconds: Readonly<Record<string, number>>;
}

/** Wall seconds since `since` (a Date.now()), to 2 decimals: setup times. */
export const seconds = (since: number) => Math.round((Date.now() - since) / 10) / 100;

/** What a section built before starting jitd: its directory, users and groups. */
export interface SectionSetup extends Pick<SectionEnvironment, 'latencyRole' | 'massRoles' | 'rawGroupDn' | 'directoryPid'> {
  readonly connector: BenchConnector;
  /** The principals (their uid is the principal id) and their DNs, as the reader sees them. */
  readonly users: readonly { readonly uid: string; readonly dn: string }[];
  /** Roles besides the latency and mass roles (e.g. the LDAP section's throughput role). */
  readonly otherRoles: readonly BenchRole[];
  /** Leases of the mass-expiry phase (sets the scheduler's batch size). */
  readonly mass: number;
  readonly apiSockets: number;
  readonly openWitness: () => Promise<MembershipReader & Closable>;
  readonly openRaw: () => Promise<RawMembershipWriter & Closable>;
  /** Seconds each setup step took so far; jitd's start is added. */
  readonly setupSeconds: Readonly<Record<string, number>>;
}

/** Starts `jitd serve` with the benchmark's options for the section, opens the API client and the directory clients. */
export async function startJitdAndClients(options: BenchOptions, s: SectionSetup): Promise<SectionEnvironment> {
  const started = Date.now();
  const roles = [s.latencyRole, ...s.otherRoles, ...s.massRoles];
  phase(`starting jitd serve (${s.users.length + 1} token identities, ${roles.length} roles, connector ${s.connector.name})`);
  const server = await startJitdServer({
    connector: s.connector,
    principals: s.users.map((u) => u.uid),
    roles,
    batchSize: Math.max(5000, s.mass),
    nodeFlags: options.jitdNodeFlags,
    ...(options.jitdOutput === undefined ? {} : { outputFile: options.jitdOutput }),
  });
  onCleanup('jitd serve', () => server.stop());
  const jitdSeconds = seconds(started);
  const api = new ApiClient(server.url, s.apiSockets);
  onCleanup('API client', () => api.close());
  const witness = await s.openWitness();
  onCleanup('directory reader', () => witness.close());
  const raw = await s.openRaw();
  onCleanup('raw directory client', () => raw.close());
  return {
    server,
    api,
    witness,
    raw,
    users: s.users.map((u) => ({ ...u, token: server.tokens.get(u.uid)! })),
    latencyRole: s.latencyRole,
    massRoles: s.massRoles,
    rawGroupDn: s.rawGroupDn,
    directoryPid: s.directoryPid,
    setupSeconds: { ...s.setupSeconds, jitd: jitdSeconds },
  };
}
