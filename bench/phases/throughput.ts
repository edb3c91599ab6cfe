// Phase 2: sustained load. K clients, each its own principal, loop request → release on one role for a
// fixed time. Every POST /v1/requests is a real grant in LDAP (added and read back) and every release a real
// removal (removed and read back), so this is the rate jitd sustains end to end, not an HTTP echo.
import { performance } from 'node:perf_hooks';
import type { ApiClient } from '../api-client.ts';
import type { BenchRole } from '../jitd-server.ts';
import { counter } from '../progress.ts';
import { round, summarize, type Summary } from '../stats.ts';

export interface ThroughputInput {
  readonly api: ApiClient;
  readonly role: BenchRole;
  /** One token per client. */
  readonly tokens: readonly string[];
  readonly seconds: number;
}

export interface ThroughputResult {
  readonly clients: number;
  readonly seconds: number;
  /** Successful POST /v1/requests. */
  readonly requests: number;
  readonly releases: number;
  /** Request + release, both successful. */
  readonly cycles: number;
  readonly errors: number;
  readonly firstErrors: readonly string[];
  readonly requestsPerSecond: number;
  readonly cyclesPerSecond: number;
  readonly apiCallsPerSecond: number;
  readonly requestMs: Summary;
  readonly releaseMs: Summary;
}

export async function measureThroughput(input: ThroughputInput): Promise<ThroughputResult> {
  const { api, role, tokens } = input;
  const requestMs: number[] = [];
  const releaseMs: number[] = [];
  let requests = 0;
  let releases = 0;
  let cycles = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  const fail = (error: unknown) => {
    errors += 1;
    if (firstErrors.length < 5) firstErrors.push(error instanceof Error ? error.message : String(error));
  };
  const started = performance.now();
  const deadline = started + input.seconds * 1000;
  const progress = counter('seconds', input.seconds);
  const ticker = setInterval(() => progress.tick(Math.min(input.seconds, Math.floor((performance.now() - started) / 1000))), 250);

  const client = async (token: string) => {
    while (performance.now() < deadline) {
      let leaseId: string;
      const t0 = performance.now();
      try {
        leaseId = (await api.requestRole(token, role.name, '1h')).id;
        requests += 1;
        requestMs.push(performance.now() - t0);
      } catch (error) {
        fail(error);
        continue;
      }
      const t1 = performance.now();
      try {
        await api.release(token, leaseId);
        releases += 1;
        cycles += 1;
        releaseMs.push(performance.now() - t1);
      } catch (error) {
        fail(error);
      }
    }
  };
  await Promise.all(tokens.map(client));
  clearInterval(ticker);
  const elapsed = (performance.now() - started) / 1000;
  progress.end(`${requests} requests, ${releases} releases, ${errors} errors`);
  return {
    clients: tokens.length,
    seconds: round(elapsed),
    requests,
    releases,
    cycles,
    errors,
    firstErrors,
    requestsPerSecond: round(requests / elapsed, 1),
    cyclesPerSecond: round(cycles / elapsed, 1),
    apiCallsPerSecond: round((requests + releases) / elapsed, 1),
    requestMs: summarize(requestMs),
    releaseMs: summarize(releaseMs),
  };
}
