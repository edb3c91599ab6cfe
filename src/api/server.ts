// The HTTP server: JSON API under /v1, /v1/openapi.json, /healthz, /metrics, browser sign-in under /auth and
// the web portal (its pages and /assets/).
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ForbiddenError, InvalidInputError, JitdError } from '../core/errors.ts';
import { PrincipalId } from '../core/ids.ts';
import type { Caller } from '../engine/caller.ts';
import type { EngineMetrics } from '../engine/metrics.ts';
import { describeScopes, type Authenticator } from './auth.ts';
import { registerBrowserAuth } from './browser-auth.ts';
import { toErrorResponse } from './http-errors.ts';
import { identityRoutes, type IdentityDeps } from './identity-routes.ts';
import { reportRoutes } from './report-routes.ts';
import { openApiDocument } from './openapi.ts';
import { registerPortal } from './portal.ts';
import { requiredScope, routeKey } from './route-scopes.ts';
import { apiRoutes, type ApiDeps } from './routes.ts';

export interface ServerOptions extends ApiDeps {
  readonly authenticator: Authenticator;
  /** Sign-in and the tokens jitd issues (the store and clock are ApiDeps'). */
  readonly identity: Omit<IdentityDeps, 'store' | 'clock'> & {
    /** How browsers reach jitd (server.publicUrl): the sign-in redirect URI is `${publicUrl}/auth/callback`. */
    readonly publicUrl: string;
  };
  readonly metrics: EngineMetrics;
  readonly log: Logger;
  readonly bodyLimitBytes: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly version: string;
  /** Where the built portal is (default dist/portal in jitd's directory). */
  readonly portalDir?: string;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: 'body' | 'query'): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? (where === 'query' ? {} : undefined));
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.join('.') : where,
    message: issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message,
  }));
  throw InvalidInputError.of(issues);
}

/** The caller of routes that authenticate in their handler: sees nothing, may do nothing. */
const ANONYMOUS: Caller = { principal: { id: PrincipalId('anonymous'), groups: [] }, isAdmin: false, isAuditor: false, scopes: new Set() };

function rawBody(value: unknown, contentType: string): Buffer {
  if (Buffer.isBuffer(value)) return value;
  // No body at all is an empty upload; any other content type is a mistake worth naming.
  if (value === undefined || value === null) return Buffer.alloc(0);
  throw InvalidInputError.of([{ path: 'body', message: `send the body as ${contentType}` }]);
}

export function buildServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes,
    logger: false,
    ...(options.tls ? { https: { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) } } : {}),
  });
  const identityDeps: IdentityDeps = { ...options.identity, store: options.store, clock: options.clock };
  const routes = [...apiRoutes(options), ...identityRoutes(identityDeps), ...reportRoutes({ store: options.store, clock: options.clock, roles: options.broker.deps.roles })];
  for (const spec of routes) {
    if (requiredScope(spec.method, spec.url) === undefined) throw new Error(`the route ${routeKey(spec.method, spec.url)} has no scope in src/api/route-scopes.ts`);
  }
  const openapi = openApiDocument(routes, options.version);

  // Raw uploads (SSH session transcripts) arrive as bytes; routes that take them say so with `consumes`.
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });

  app.setErrorHandler((error, request, reply) => {
    const response = toErrorResponse(error);
    if (!response.exposed) options.log.error({ err: error, method: request.method, url: request.url }, 'request failed');
    else if (error instanceof JitdError && (error.kind === 'target_unavailable' || error.kind === 'target_rejected')) {
      options.log.warn({ method: request.method, url: request.url, error: error.message }, 'target error');
    }
    void reply.code(response.status).send(response.body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { kind: 'not_found', message: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` } });
  });

  app.get('/healthz', async () => {
    await options.store.auditHead();
    return { status: 'ok' };
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.header('content-type', options.metrics.registry.contentType);
    return options.metrics.registry.metrics();
  });
  app.get('/v1/openapi.json', async () => openapi);
  registerBrowserAuth(app, {
    ...identityDeps,
    authenticator: options.authenticator,
    publicUrl: options.identity.publicUrl,
    secureCookies: options.tls !== undefined || options.identity.publicUrl.startsWith('https:'),
    log: options.log,
  });

  registerPortal(app, options.portalDir);

  for (const spec of routes) {
    app.route({
      method: spec.method,
      url: spec.url,
      ...(spec.bodyLimitBytes === undefined ? {} : { bodyLimit: spec.bodyLimitBytes }),
      handler: async (request, reply) => {
        const caller = spec.auth === 'handler' ? ANONYMOUS : await options.authenticator.authenticate(request);
        const scope = requiredScope(spec.method, spec.url);
        if (scope !== null && scope !== undefined && caller.scopes?.has(scope) !== true) {
          throw new ForbiddenError(`this token lacks the \`${scope}\` scope (it has: ${describeScopes(caller.scopes)})`);
        }
        if (!spec.consumes && Buffer.isBuffer(request.body)) throw InvalidInputError.of([{ path: 'body', message: 'send the body as application/json' }]);
        const body = spec.consumes ? rawBody(request.body, spec.consumes) : parse(spec.body, request.body, 'body');
        const query = parse(spec.query, request.query, 'query');
        const result = await spec.handler({ caller, body, query, params: request.params as Record<string, string>, headers: request.headers, remoteAddress: request.ip });
        void reply.code(result.status ?? 200);
        if (spec.produces) void reply.header('content-type', spec.produces);
        return result.body;
      },
    });
  }
  return app;
}
