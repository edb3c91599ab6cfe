// Command-line options of `npm run bench`: the counts of each phase, with a `--quick` preset for a smoke run.
import { parseArgs } from 'node:util';

/** The sections `npm run bench` can run, in the order they run. */
export const TARGETS = ['ldap', 'ad', 'ssh', 'kpi'] as const;
export type BenchTarget = (typeof TARGETS)[number];

export interface BenchOptions {
  /** Which sections run: `ldap` (slapd), `ad` (a Samba AD DC), `ssh` (jitd as an OpenSSH CA), `kpi` (the reports on a filled store). */
  readonly targets: readonly BenchTarget[];
  /** Sequential grants measured in the latency phase (after the warm-up). */
  readonly grants: number;
  /** Unmeasured grants (and raw LDAP operations) before the latency phase, so JIT compilation is done. */
  readonly warmup: number;
  /** Leases that expire in the same second in the LDAP section's mass-expiry phase. */
  readonly mass: number;
  /** The same in the AD section. */
  readonly adMass: number;
  /** Groups (one role each) the mass-expiry leases are spread over. */
  readonly groups: number;
  /** Parallel API requests while creating the mass-expiry leases. */
  readonly createConcurrency: number;
  /** Length of the sustained-throughput phase. */
  readonly seconds: number;
  /** Concurrent request → release clients in the throughput phase. */
  readonly clients: number;
  /** Sequential certificates measured in the ssh section's phase 1 (after --warmup). */
  readonly sshGrants: number;
  /** Length of the ssh section's throughput phase (0 skips it). */
  readonly sshSeconds: number;
  /** Concurrent certificate-requesting clients in the ssh section's throughput phase. */
  readonly sshClients: number;
  /** Releases timed until the KRL that jitd serves lists the certificate (0 skips the phase). */
  readonly sshReleases: number;
  /** The kpi section's histories: one store per count of leases over 30 days, measured smallest first. */
  readonly kpiLeases: readonly number[];
  /** Measured runs of each report per history in the kpi section (after its warm-up runs). */
  readonly kpiRuns: number;
  readonly out: string;
  readonly quick: boolean;
  /** Extra Node flags for the `jitd serve` process (e.g. V8 heap limits), split on spaces. */
  readonly jitdNodeFlags: readonly string[];
  /** Append the jitd serve process's output to this file. */
  readonly jitdOutput: string | undefined;
}

export const HELP = `usage: npm run bench -- [options]

Measures jitd against real throwaway directory servers and a real \`jitd serve\` child process per section
(the kpi section needs neither: it times the reports on a filled store).
Section ldap (slapd):
  1. grant latency   sequential auto-approved requests: API round trip, API call → membership visible to an
                     independent LDAP reader, and the same add + read-back done directly with ldapts (the floor)
  2. throughput      concurrent clients doing request → release cycles
  3. mass expiry     N leases expiring in the same second: time from the latest expiry until the last
                     membership is gone, as seen by an independent LDAP reader; checked through the API
  4. peak RSS        VmHWM of the jitd serve process
Section ad (a Samba AD DC over LDAPS, jitd's ad connector):
  1. grant latency   as above; the floor is the same add of member + compare done directly with ldapts over LDAPS
  2. mass expiry     as above, with --ad-mass leases
  and the peak RSS of that section's jitd serve.
Section ssh (jitd as an OpenSSH user CA: a CA key from ssh-keygen, ed25519 user keys, no sshd needed):
  1. issuance latency  sequential POST /v1/requests with publicKey, timed from the call until the returned
                     certificate is written to a file (no fsync); against the raw cost: signUserCertificate
                     in-process (+ the same file write), and \`ssh-keygen -s\` as a process for reference
  2. throughput      concurrent clients requesting certificates: certificates per second, latency under load,
                     errors, jitd's CPU (whole process and main thread) against the cost of a SQLite commit
  3. revocation      release → the KRL served by GET /v1/ssh/krl lists the certificate (checked with ssh-keygen -Q)
Section kpi (no servers: the SQLite store jitd opens, with its migrations, in a temp folder):
  1. fill            --kpi-leases leases over 30 days across 5 roles and 200 principals (auto, manual and
                     break-glass requests; revoked at expiry first time, after retries, or still failing;
                     released, failed grants, live ones; 8 always-on principals), requests without a lease,
                     and hourly reconciler counts per role, all written through the store API
  2. reports         kpiReport and alwaysOnReport over the 30 days: 2 warm-up + --kpi-runs runs each,
                     median / p90 ms, and the rows each run reads (every lease must be read); then one
                     kpiReport in a fresh process for its peak RSS
Prints a table and writes JSON (the ad section's figures under "ad", the ssh section's under "ssh", the kpi
section's under "kpi").
Measures only: it asserts nothing and exits 0 even when a target is missed.

options:
  --targets LIST sections to run, comma-separated: ldap, ad, ssh, kpi (default ldap,ad,ssh,kpi)
  --grants N     sequential grants measured in phase 1 of each section (default 300; quick 50)
  --warmup N     unmeasured warm-up grants before phase 1 (default 30; quick 10)
  --mass N       leases expiring together in the ldap section (default 5000; quick 500)
  --ad-mass N    leases expiring together in the ad section (default 2000; quick 200)
  --groups N     groups/roles the mass leases are spread over, in each section (default 10)
  --concurrency N  parallel API requests creating the mass leases (default 16)
  --seconds N    length of the ldap section's phase 2 in seconds (default 15; quick 3; 0 skips it)
  --clients N    concurrent clients in the ldap section's phase 2 (default 8)
  --ssh-grants N    sequential certificates measured in the ssh section's phase 1 (default 300; quick 50)
  --ssh-seconds N   length of the ssh section's phase 2 in seconds (default 15; quick 3; 0 skips it)
  --ssh-clients N   concurrent clients in the ssh section's phase 2 (default 8)
  --ssh-releases N  releases timed in the ssh section's phase 3 (default 200; quick 20; 0 skips it)
  --kpi-leases LIST  leases in the kpi section's histories, comma-separated, one store each
                 (default 20000; quick 2000; 100000 takes about 2 min)
  --kpi-runs N   measured runs of each report per history in the kpi section (default 10; quick 3)
  --out FILE     where to write the JSON (default bench/results/latest.json)
  --jitd-node-flags=FLAGS  extra Node flags for the jitd serve processes, space-separated, written with "=",
                 e.g. --jitd-node-flags="--max-semi-space-size=2" (shows how much of its RSS is V8
                 heap sizing rather than live data)
  --jitd-output FILE  append everything jitd serve writes (warn-level logs, --trace-gc lines) to FILE
  --quick        small counts, for a smoke run
  -h, --help     this text
`;

function count(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}, got "${value}"`);
  return n;
}

/** A comma-separated list of whole numbers, each at least `min`. */
function counts(name: string, value: string | undefined, fallback: readonly number[], min: number): number[] {
  if (value === undefined) return [...fallback];
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < min)) throw new Error(`--${name} must be whole numbers of at least ${min}, comma-separated, got "${value}"`);
  return list;
}

function targets(value: string | undefined): BenchTarget[] {
  if (value === undefined) return [...TARGETS];
  const asked = value.split(',').map((t) => t.trim());
  const unknown = asked.filter((t) => !(TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0) throw new Error(`--targets must list some of ${TARGETS.join(', ')} (comma-separated), got "${value}"`);
  return TARGETS.filter((t) => asked.includes(t));
}

/** Parses argv; returns undefined when --help was asked for. Throws with a one-line message on bad input. */
export function parseOptions(argv: readonly string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      targets: { type: 'string' },
      grants: { type: 'string' },
      warmup: { type: 'string' },
      mass: { type: 'string' },
      'ad-mass': { type: 'string' },
      groups: { type: 'string' },
      concurrency: { type: 'string' },
      seconds: { type: 'string' },
      clients: { type: 'string' },
      'ssh-grants': { type: 'string' },
      'ssh-seconds': { type: 'string' },
      'ssh-clients': { type: 'string' },
      'ssh-releases': { type: 'string' },
      'kpi-leases': { type: 'string' },
      'kpi-runs': { type: 'string' },
      out: { type: 'string' },
      'jitd-node-flags': { type: 'string' },
      'jitd-output': { type: 'string' },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const quick = values.quick;
  return {
    targets: targets(values.targets),
    grants: count('grants', values.grants, quick ? 50 : 300, 1),
    warmup: count('warmup', values.warmup, quick ? 10 : 30, 0),
    mass: count('mass', values.mass, quick ? 500 : 5000, 1),
    adMass: count('ad-mass', values['ad-mass'], quick ? 200 : 2000, 1),
    groups: count('groups', values.groups, 10, 1),
    createConcurrency: count('concurrency', values.concurrency, 16, 1),
    seconds: count('seconds', values.seconds, quick ? 3 : 15, 0),
    clients: count('clients', values.clients, 8, 1),
    sshGrants: count('ssh-grants', values['ssh-grants'], quick ? 50 : 300, 1),
    sshSeconds: count('ssh-seconds', values['ssh-seconds'], quick ? 3 : 15, 0),
    sshClients: count('ssh-clients', values['ssh-clients'], 8, 1),
    sshReleases: count('ssh-releases', values['ssh-releases'], quick ? 20 : 200, 0),
    kpiLeases: counts('kpi-leases', values['kpi-leases'], quick ? [2000] : [20_000], 1),
    kpiRuns: count('kpi-runs', values['kpi-runs'], quick ? 3 : 10, 1),
    out: values.out ?? 'bench/results/latest.json',
    quick,
    jitdNodeFlags: (values['jitd-node-flags'] ?? '').split(' ').filter(Boolean),
    jitdOutput: values['jitd-output'],
  };
}
