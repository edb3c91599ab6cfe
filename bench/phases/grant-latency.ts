// Phase 1: how long after asking is access real? Sequential auto-approved requests, each timed from sending
// POST /v1/requests until an independent LDAP reader sees the membership, then released so that the next
// request is a fresh grant. Interleaved with the same add-member + read-back done directly with ldapts
// (the floor), so both run under the same conditions.
import { performance } from 'node:perf_hooks';
import type { ApiClient } from '../api-client.ts';
import type { BenchRole } from '../jitd-server.ts';
import type { MembershipReader, RawMembershipWriter } from '../ldap-witness.ts';
import { summarize, type Summary } from '../stats.ts';
import { warmedUpSequence } from './sequential.ts';

export interface GrantLatencyInput {
  readonly api: ApiClient;
  readonly witness: MembershipReader;
  readonly raw: RawMembershipWriter;
  readonly role: BenchRole;
  /** A group no role points at, for the raw operations. */
  readonly rawGroupDn: string;
  /** Users to cycle through, with their tokens and DNs. */
  readonly users: readonly { readonly token: string; readonly dn: string }[];
  readonly warmup: number;
  readonly grants: number;
}

export interface GrantLatencyResult {
  /** POST /v1/requests sent → 201 received. */
  readonly apiMs: Summary;
  /** POST /v1/requests sent → the independent reader's compare says "member". */
  readonly grantMs: Summary;
  /** Raw ldapts modify add + compare. */
  readonly rawMs: Summary;
  /** POST /v1/leases/:id/release round trip (jitd removes the member and reads back before answering). */
  readonly releaseMs: Summary;
  /** Raw ldapts modify delete. */
  readonly rawRemoveMs: Summary;
  /** Grants whose membership the reader saw on its first compare after the response (expected: all). */
  readonly visibleAtResponse: number;
}

const VISIBLE_TIMEOUT_MS = 10_000;

async function untilMember(witness: MembershipReader, groupDn: string, dn: string): Promise<{ firstTry: boolean }> {
  const deadline = performance.now() + VISIBLE_TIMEOUT_MS;
  for (let attempt = 0; ; attempt++) {
    if (await witness.isMember(groupDn, dn)) return { firstTry: attempt === 0 };
    if (performance.now() > deadline) throw new Error(`${dn} did not become a member of ${groupDn} within ${VISIBLE_TIMEOUT_MS} ms`);
  }
}

export async function measureGrantLatency(input: GrantLatencyInput): Promise<GrantLatencyResult> {
  const { api, witness, raw, role, rawGroupDn, users } = input;
  const api_: number[] = [];
  const grant: number[] = [];
  const rawAdd: number[] = [];
  const release: number[] = [];
  const rawRemove: number[] = [];
  let visibleAtResponse = 0;
  await warmedUpSequence('grants', input.warmup, input.grants, async (i, measured) => {
    const user = users[i % users.length]!;

    const t0 = performance.now();
    const lease = await api.requestRole(user.token, role.name, '1h');
    const t1 = performance.now();
    const { firstTry } = await untilMember(witness, role.groupDn, user.dn);
    const t2 = performance.now();
    const r0 = performance.now();
    await api.release(user.token, lease.id);
    const r1 = performance.now();

    const a0 = performance.now();
    await raw.addMember(rawGroupDn, user.dn);
    if (!(await witness.isMember(rawGroupDn, user.dn))) throw new Error(`raw add of ${user.dn} is not visible to the reader`);
    const a1 = performance.now();
    await raw.removeMember(rawGroupDn, user.dn);
    const a2 = performance.now();

    if (measured) {
      api_.push(t1 - t0);
      grant.push(t2 - t0);
      release.push(r1 - r0);
      rawAdd.push(a1 - a0);
      rawRemove.push(a2 - a1);
      if (firstTry) visibleAtResponse += 1;
    }
  });
  return {
    apiMs: summarize(api_),
    grantMs: summarize(grant),
    rawMs: summarize(rawAdd),
    releaseMs: summarize(release),
    rawRemoveMs: summarize(rawRemove),
    visibleAtResponse,
  };
}
