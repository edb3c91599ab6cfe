// Phase 2: sustained load. K clients, each its own principal, loop request → release on one role for a
// fixed time. Every POST /v1/requests is a real grant in LDAP (added and read back) and every release a real
// removal (removed and read back), so this is the rate jitd sustains end to end, not an HTTP echo.
import { performance } from 'node:perf_hooks';
import type { ApiClient } from '../api-client.ts';
import type { BenchRole } from '../jitd-server.ts';
import { round, summarize, type Summary } from '../stats.ts';
import { runClosedLoop } from './closed-loop.ts';

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
  const { api, role } = input;
  const requestMs: number[] = [];
  const releaseMs: number[] = [];
  let requests = 0;
  let releases = 0;
  // A failed request or release counts as an error and the client starts its next cycle.
  const cycle = async (token: string) => {
    const t0 = performance.now();
    const leaseId = (await api.requestRole(token, role.name, '1h')).id;
    requests += 1;
    requestMs.push(performance.now() - t0);
    const t1 = performance.now();
    await api.release(token, leaseId);
    releases += 1;
    releaseMs.push(performance.now() - t1);
  };
  const loop = await runClosedLoop(input.tokens, input.seconds, cycle, () => `${requests} requests, ${releases} releases`);
  const elapsed = loop.elapsedSeconds;
  return {
    clients: input.tokens.length,
    seconds: round(elapsed),
    requests,
    releases,
    cycles: releases,
    errors: loop.errors,
    firstErrors: loop.firstErrors,
    requestsPerSecond: round(requests / elapsed, 1),
    cyclesPerSecond: round(releases / elapsed, 1),
    apiCallsPerSecond: round((requests + releases) / elapsed, 1),
    requestMs: summarize(requestMs),
    releaseMs: summarize(releaseMs),
  };
}
