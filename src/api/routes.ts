// Every HTTP endpoint of jitd's API, as a table. Authorization is decided in the broker (what a caller may
// see and do); this file only translates HTTP to use cases and back.
import { parseDuration } from '../core/duration.ts';
import { ForbiddenError, InvalidInputError, NotFoundError } from '../core/errors.ts';
import { PrincipalId, RoleName } from '../core/ids.ts';
import { PassThrough } from 'node:stream';
import { exportAuditJsonLines } from '../audit/export.ts';
import { verifyAuditChain } from '../audit/verify.ts';
import type { Lease } from '../core/lease.ts';
import type { Broker } from '../engine/broker.ts';
import type { SshConnector } from '../connectors/ssh/connector.ts';
import { canSeeAll, type Caller } from '../engine/caller.ts';
import type { Clock } from '../engine/deps.ts';
import type { Reconciler } from '../engine/reconciler.ts';
import type { SessionRecordings } from '../engine/session-recordings.ts';
import type { ApprovalDesk } from '../engine/approvals.ts';
import type { LeaseDesk } from '../engine/lease-changes.ts';
import { retryRevocation } from '../engine/revocation-retry.ts';
import type { AuditQuery as StoreAuditQuery, Store } from '../store/store.ts';
import type { AuditEvent } from '../core/audit-event.ts';
import { auditFilterOf, type AuditFilterQuery } from './audit-filter.ts';
import { route, type Route } from './route.ts';
import type { z } from 'zod';
import { approveBody, auditExportQuery, auditQuery, cancelBody, createRequestBody, denyBody, extendBody, reviewBody, notificationQuery, leaseQuery, releaseBody, requestQuery, retryBody, revokeBody, sessionUploadQuery, sshFileQuery } from './schemas.ts';
import { approvalView, leaseView, notificationView, requestView, roleView, sessionView } from './views.ts';

type SessionUploadQuery = z.output<typeof sessionUploadQuery>;
type AuditQuery = z.output<typeof auditQuery>;

/** Events per page of GET /v1/audit unless `limit` says otherwise. */
const AUDIT_PAGE_DEFAULT = 100;

export interface ApiDeps {
  readonly broker: Broker;
  readonly reconciler?: Reconciler;
  readonly store: Store;
  readonly clock: Clock;
  readonly overdueAfterMs: number;
  readonly sessions: SessionRecordings;
  readonly approvals: ApprovalDesk;
  readonly leases: LeaseDesk;
  /** Largest session transcript accepted (server.sessionRecordingLimit). */
  readonly sessionRecordingLimitBytes: number;
}

/** The session guard sends the command line base64-encoded: it may hold any byte, headers may not. */
function commandHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined || Array.isArray(value)) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length > 16_384) {
    throw InvalidInputError.of([{ path: 'X-Jitd-Command', message: 'must be the command line in base64' }]);
  }
  return Buffer.from(value, 'base64').toString('utf8');
}

function bearer(value: string | string[] | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(value)?.[1];
}

/** The store filter for a list query (?state=a,b&principal=…&role=…&limit=…). */
function listFilter<State extends string>(query: { state?: State[]; principal?: string; role?: string; limit?: number; unreviewed?: boolean }) {
  return {
    ...(query.state ? { states: query.state } : {}),
    ...(query.principal ? { principal: PrincipalId(query.principal) } : {}),
    ...(query.role ? { role: RoleName(query.role) } : {}),
    ...(query.limit ? { limit: query.limit } : {}),
    ...(query.unreviewed ? { unreviewed: true } : {}),
  };
}

/**
 * The cursor of the page after `events`: its last seq (to pass as afterSeq in chain order, beforeSeq newest
 * first), or undefined when no matching event is left. A full page asks the store for one more event beyond it,
 * so that the last page never promises another.
 */
async function nextAuditCursor(store: Store, search: StoreAuditQuery, events: readonly AuditEvent[]): Promise<number | undefined> {
  const last = events.at(-1);
  if (last === undefined || events.length < (search.limit ?? AUDIT_PAGE_DEFAULT)) return undefined;
  const beyond = search.order === 'desc' ? { beforeSeq: last.seq } : { afterSeq: last.seq };
  const more = await store.listAuditEvents({ ...search, ...beyond, limit: 1 });
  return more.length > 0 ? last.seq : undefined;
}

function requireAuditReader(caller: Caller): void {
  if (!canSeeAll(caller)) throw new ForbiddenError('reading the audit trail requires the admin or auditor role');
}

export function apiRoutes(deps: ApiDeps): readonly Route[] {
  const { broker, store, clock } = deps;
  const now = () => clock.now();
  // 200 once the target confirmed the access gone; 202 when it is recorded but still being retried.
  const ended = (lease: Lease) => ({ status: lease.state === 'revoked' ? 200 : 202, body: { lease: leaseView(lease, now()) } });
  return [
    route({
      method: 'GET',
      url: '/v1/me',
      tag: 'identity',
      summary: 'Who the token belongs to, and what it may do',
      handler: async ({ caller }) => ({
        body: {
          principal: caller.principal.id,
          displayName: caller.principal.displayName,
          groups: caller.principal.groups,
          admin: caller.isAdmin,
          auditor: caller.isAuditor,
          // Only for a browser session: state-changing calls must send it back as X-Jitd-CSRF.
          ...(caller.csrfToken === undefined ? {} : { csrfToken: caller.csrfToken }),
        },
      }),
    }),
    route({
      method: 'GET',
      url: '/v1/roles',
      tag: 'roles',
      summary: 'Roles the caller may request, with their limits (admins and auditors see all)',
      handler: async ({ caller }) => ({ body: { roles: broker.visibleRoles(caller).map(roleView) } }),
    }),
    route({
      method: 'POST',
      url: '/v1/requests',
      tag: 'requests',
      summary: 'Ask for a role. An auto-approved request is granted in the target before the response is sent.',
      body: createRequestBody,
      okStatus: 201,
      handler: async ({ caller, body }) => {
        const durationMs = body.duration === undefined ? undefined : parseDuration(body.duration, 'duration');
        const result = await broker.requestAccess(caller, body.role, {
          ...(durationMs === undefined ? {} : { durationMs }),
          ...(body.reason === undefined ? {} : { reason: body.reason }),
          ...(body.ticket === undefined ? {} : { ticket: body.ticket }),
          ...(body.publicKey === undefined ? {} : { grantInput: { publicKey: body.publicKey } }),
          ...(body.startAt === undefined ? {} : { startAt: new Date(body.startAt) }),
        });
        return { status: 201, body: { request: requestView(result.request), lease: result.lease ? leaseView(result.lease, now()) : undefined } };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/requests',
      tag: 'requests',
      summary: 'Requests, newest first (one\'s own; admins and auditors see all)',
      query: requestQuery,
      handler: async ({ caller, query }) => {
        const requests = await broker.listRequests(caller, listFilter(query));
        return { body: { requests: requests.map(requestView) } };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/requests/:id',
      tag: 'requests',
      summary: 'One request and the decisions on it (its requester, its approvers, admins and auditors)',
      handler: async ({ caller, params }) => {
        const { request, approvals } = await deps.approvals.requestWithApprovals(caller, params.id!);
        return { body: { request: requestView(request), approvals: approvals.map(approvalView) } };
      },
    }),
    route<{ comment?: string }>({
      method: 'POST',
      url: '/v1/requests/:id/approve',
      tag: 'approvals',
      summary: 'Approve a pending request; the approval that completes it grants the lease before the response is sent',
      body: approveBody,
      handler: async ({ caller, params, body }) => {
        const result = await deps.approvals.decide(caller, params.id!, 'approve', body.comment);
        return { body: { request: requestView(result.request), lease: result.lease ? leaseView(result.lease, now()) : undefined } };
      },
    }),
    route<{ comment: string }>({
      method: 'POST',
      url: '/v1/requests/:id/deny',
      tag: 'approvals',
      summary: 'Deny a pending request, with a comment; the first denial ends it',
      body: denyBody,
      handler: async ({ caller, params, body }) => {
        const result = await deps.approvals.decide(caller, params.id!, 'deny', body.comment);
        return { body: { request: requestView(result.request) } };
      },
    }),
    route<{ reason?: string }>({
      method: 'POST',
      url: '/v1/requests/:id/cancel',
      tag: 'requests',
      summary: 'Withdraw one\'s own pending or scheduled request (admins: anyone\'s)',
      body: cancelBody,
      handler: async ({ caller, params, body }) => ({ body: { request: requestView(await broker.cancel(caller, params.id!, body.reason)) } }),
    }),
    route({
      method: 'GET',
      url: '/v1/approvals/pending',
      tag: 'approvals',
      summary: 'Pending requests the caller may decide and has not decided yet, oldest first',
      handler: async ({ caller }) => {
        const pending = await deps.approvals.waitingFor(caller);
        return { body: { requests: pending.map((p) => ({ ...requestView(p.request), approvals: p.approvals.map(approvalView) })) } };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/leases',
      tag: 'leases',
      summary: 'Leases, newest first (one\'s own; admins and auditors see all)',
      query: leaseQuery,
      handler: async ({ caller, query }) => {
        const leases = await broker.listLeases(caller, listFilter(query));
        const at = now();
        return { body: { leases: leases.map((l) => leaseView(l, at)) } };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/leases/:id',
      tag: 'leases',
      summary: 'One lease',
      handler: async ({ caller, params }) => ({ body: { lease: leaseView(await broker.getLease(caller, params.id!), now()) } }),
    }),
    route({
      method: 'POST',
      url: '/v1/leases/:id/release',
      tag: 'leases',
      summary: 'End one\'s own lease now; responds once the target has been changed (or the failure recorded)',
      body: releaseBody,
      handler: async ({ caller, params, body }) => ended(await broker.release(caller, params.id!, body.reason)),
    }),
    route<{ by: string; reason?: string }>({
      method: 'POST',
      url: '/v1/leases/:id/extend',
      tag: 'leases',
      summary: 'Holder: ask for more time on an active lease; extended at once (200) or waiting for approvers (202, with the extension request)',
      body: extendBody,
      handler: async ({ caller, params, body }) => {
        const result = await deps.leases.extend(caller, params.id!, { byMs: parseDuration(body.by, 'by'), ...(body.reason === undefined ? {} : { reason: body.reason }) });
        return { status: result.request ? 202 : 200, body: { lease: leaseView(result.lease, now()), ...(result.request ? { request: requestView(result.request) } : {}) } };
      },
    }),
    route<{ verdict: 'accepted' | 'refused'; comment?: string }>({
      method: 'POST',
      url: '/v1/leases/:id/review',
      tag: 'leases',
      summary: 'Review a break-glass lease after the fact (its role\'s approvers or an admin, never its holder); refusing revokes access that still holds',
      body: reviewBody,
      handler: async ({ caller, params, body }) => ({ body: { lease: leaseView(await deps.leases.review(caller, params.id!, body.verdict, body.comment), now()) } }),
    }),
    route({
      method: 'POST',
      url: '/v1/leases/:id/revoke',
      tag: 'leases',
      summary: 'Admin: end anyone\'s lease now, with a reason',
      body: revokeBody,
      handler: async ({ caller, params, body }) => ended(await broker.revoke(caller, params.id!, body.reason)),
    }),
    route({
      method: 'POST',
      url: '/v1/leases/:id/retry',
      tag: 'leases',
      summary:
        'Admin: attempt a failing (revoke_failed) or pending (revoking) revocation now, as the scheduler would; 200 with the lease either way: revoked, or revoke_failed with the new lastError and attempts',
      body: retryBody,
      handler: async ({ caller, params }) => ({ body: { lease: leaseView(await retryRevocation(broker.deps, caller, params.id!), now()) } }),
    }),
    route({
      method: 'GET',
      url: '/v1/status',
      tag: 'status',
      summary: 'Active leases, failed and overdue revocations, counts, and standing access found by the reconciler',
      handler: async ({ caller }) => {
        const at = now();
        const mine = !canSeeAll(caller);
        const scope = mine ? { principal: caller.principal.id } : {};
        const [active, failing, pending, approved, unreviewed] = await Promise.all([
          store.listLeases({ ...scope, states: ['granting', 'active'], limit: 1000 }),
          store.listLeases({ ...scope, states: ['revoking', 'revoke_failed'], limit: 1000 }),
          store.listRequests({ ...scope, states: ['pending'], limit: 1000 }),
          store.listRequests({ ...scope, states: ['approved'], limit: 1000 }),
          store.listLeases({ ...scope, unreviewed: true, limit: 1000 }),
        ]);
        const counts = mine ? undefined : await store.countLeases(at, deps.overdueAfterMs);
        const reconcile = mine ? undefined : deps.reconciler?.last;
        return {
          body: {
            scope: mine ? 'own' : 'all',
            at: at.toISOString(),
            active: active.map((l) => leaseView(l, at)),
            revoking: failing.map((l) => leaseView(l, at)),
            pending: pending.map(requestView),
            scheduled: approved.filter((r) => r.startAt !== undefined && r.leaseId === undefined).map(requestView),
            unreviewedBreakGlass: unreviewed.map((l) => leaseView(l, at)),
            counts: counts ? { ...counts.byState, overdueRevocations: counts.overdueRevocations, unreviewedBreakGlass: counts.unreviewedBreakGlass } : undefined,
            standingAccess: reconcile ? { checkedAt: reconcile.at, findings: reconcile.findings, errors: reconcile.errors } : undefined,
          },
        };
      },
    }),
    route<undefined, AuditQuery>({
      method: 'GET',
      url: '/v1/audit',
      tag: 'audit',
      summary:
        'Search the audit events by principal, role, type and time, in chain order or newest first (order=desc), a page at a time: `next` is the afterSeq (asc) or beforeSeq (desc) of the next page (admins and auditors)',
      query: auditQuery,
      handler: async ({ caller, query }) => {
        requireAuditReader(caller);
        const search: StoreAuditQuery = {
          ...auditFilterOf(query, now()),
          order: query.order ?? 'asc',
          limit: query.limit ?? AUDIT_PAGE_DEFAULT,
          ...(query.afterSeq === undefined ? {} : { afterSeq: query.afterSeq }),
          ...(query.beforeSeq === undefined ? {} : { beforeSeq: query.beforeSeq }),
        };
        const events = await store.listAuditEvents(search);
        const next = await nextAuditCursor(store, search, events);
        return { body: { events: events.map((e) => ({ ...e, at: e.at.toISOString() })), ...(next === undefined ? {} : { next }) } };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/audit/verify',
      tag: 'audit',
      summary: 'Recompute the hash chain of every audit event and name the first one edited, removed or reordered',
      handler: async ({ caller }) => {
        requireAuditReader(caller);
        return { body: await verifyAuditChain(store.readAuditRows(), await store.auditHead()) };
      },
    }),
    route<undefined, AuditFilterQuery>({
      method: 'GET',
      url: '/v1/audit/export',
      tag: 'audit',
      summary:
        'The audit chain as JSON lines, each line verifiable on its own: every event, or those matching the same filters as GET /v1/audit (admins and auditors)',
      produces: 'application/x-ndjson',
      query: auditExportQuery,
      handler: async ({ caller, query }) => {
        requireAuditReader(caller);
        // Parsed before the stream starts, so that a bad filter is a 400 and not a broken download.
        const filter = auditFilterOf(query, now());
        const out = new PassThrough();
        exportAuditJsonLines(store.readAuditRows(filter), out).then(
          () => out.end(),
          (error: unknown) => out.destroy(error as Error),
        );
        return { body: out };
      },
    }),
    route<undefined, z.output<typeof notificationQuery>>({
      method: 'GET',
      url: '/v1/notifications',
      tag: 'notifications',
      summary: 'The notification outbox, newest first: what was sent, what waits for a retry and why, what was refused (admins and auditors)',
      query: notificationQuery,
      handler: async ({ caller, query }) => {
        if (!canSeeAll(caller)) throw new ForbiddenError('the notification outbox is for admins and auditors');
        const messages = await store.listOutbox({ ...(query.state ? { states: query.state } : {}), ...(query.limit ? { limit: query.limit } : {}) });
        return { body: { counts: await store.countOutbox(), notifications: messages.map(notificationView) } };
      },
    }),
    route<Buffer, SessionUploadQuery>({
      method: 'POST',
      url: '/v1/leases/:id/sessions',
      tag: 'sessions',
      summary:
        "Host's session guard: upload one SSH session's transcript (body: the bytes `script` wrote). Authorized by the lease's upload token from its certificate, not an API token.",
      auth: 'handler',
      consumes: 'application/octet-stream',
      bodyLimitBytes: deps.sessionRecordingLimitBytes,
      query: sessionUploadQuery,
      okStatus: 201,
      handler: async ({ params, query, body, headers, remoteAddress }) => {
        const command = commandHeader(headers['x-jitd-command']);
        const recording = await deps.sessions.record({
          leaseId: params.id!,
          token: bearer(headers.authorization),
          startedAt: new Date(query.startedAt * 1000),
          endedAt: new Date(query.endedAt * 1000),
          endedBy: query.endedBy,
          host: query.host,
          login: query.login,
          ...(command === undefined ? {} : { command }),
          terminal: query.terminal,
          truncated: query.truncated,
          uploadedFrom: remoteAddress,
          content: body,
        });
        return { status: 201, body: { session: sessionView(recording) } };
      },
    }),
    route({
      method: 'GET',
      url: '/v1/leases/:id/sessions',
      tag: 'sessions',
      summary: "A lease's recorded SSH sessions, oldest first, without transcripts (the holder, admins and auditors)",
      handler: async ({ caller, params }) => ({ body: { sessions: (await deps.sessions.list(caller, params.id!)).map(sessionView) } }),
    }),
    route({
      method: 'GET',
      url: '/v1/sessions/:id',
      tag: 'sessions',
      summary: 'One recorded SSH session',
      handler: async ({ caller, params }) => ({ body: { session: sessionView((await deps.sessions.read(caller, params.id!)).recording) } }),
    }),
    route({
      method: 'GET',
      url: '/v1/sessions/:id/transcript',
      tag: 'sessions',
      summary: "One recorded SSH session's transcript, the bytes as recorded (terminal output with its control sequences)",
      produces: 'application/octet-stream',
      handler: async ({ caller, params }) => ({ body: Buffer.from((await deps.sessions.read(caller, params.id!)).content) }),
    }),
    route<undefined, { connector?: string }>({
      method: 'GET',
      url: '/v1/ssh/krl',
      tag: 'ssh',
      summary: "The SSH CA's Key Revocation List, as hosts use it for sshd's RevokedKeys (any token)",
      query: sshFileQuery,
      produces: 'application/octet-stream',
      handler: async ({ query }) => ({ body: await sshConnector(broker, query.connector).revocationList() }),
    }),
    route<undefined, { connector?: string }>({
      method: 'GET',
      url: '/v1/ssh/ca',
      tag: 'ssh',
      summary: "The SSH CA's public key, as hosts use it for sshd's TrustedUserCAKeys (any token)",
      query: sshFileQuery,
      produces: 'text/plain',
      handler: async ({ query }) => Promise.resolve({ body: `${sshConnector(broker, query.connector).caPublicKey()}\n` }),
    }),
  ];
}

/** The ssh connector a request means: the named one, or the only one there is. */
function sshConnector(broker: Broker, name: string | undefined): SshConnector {
  const all = [...broker.deps.connectors.values()].filter((c): c is SshConnector => c.kind === 'ssh');
  if (name !== undefined) {
    const named = all.find((c) => c.name === name);
    if (!named) throw new NotFoundError(`no ssh connector named ${name} (ssh connectors: ${all.map((c) => c.name).join(', ') || 'none'})`);
    return named;
  }
  const [only, ...others] = all;
  if (!only) throw new NotFoundError('no ssh connector is configured');
  if (others.length > 0) throw InvalidInputError.of([{ path: 'connector', message: `several ssh connectors are configured; name one of ${all.map((c) => c.name).join(', ')}` }]);
  return only;
}
