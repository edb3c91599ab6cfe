// A route is data: method, path, schemas and a handler. The server registers the table and the OpenAPI
// document is generated from the same table, so the two cannot drift apart.
import type { z } from 'zod';
import type { Caller } from '../engine/caller.ts';

export interface HandlerContext<Body, Query> {
  /** The bearer token's caller; for routes with `auth: 'handler'`, an anonymous caller that may see nothing. */
  readonly caller: Caller;
  readonly body: Body;
  readonly query: Query;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer's address (the proxy's, behind one). */
  readonly remoteAddress: string;
}

export interface RouteResult {
  readonly status?: number;
  readonly body: unknown;
}

export interface Route<Body = unknown, Query = unknown> {
  readonly method: 'GET' | 'POST';
  /** Fastify path syntax, e.g. /v1/leases/:id */
  readonly url: string;
  readonly summary: string;
  readonly tag: string;
  readonly body?: z.ZodType<Body>;
  /** The body is raw bytes of this content type (a Buffer), not JSON. */
  readonly consumes?: 'application/octet-stream';
  /** Overrides server.bodyLimit for this route. */
  readonly bodyLimitBytes?: number;
  /** `handler`: the handler authenticates the call itself (e.g. a per-lease upload token); default: API tokens. */
  readonly auth?: 'token' | 'handler';
  readonly query?: z.ZodType<Query>;
  readonly okStatus?: number;
  /** Content type of a successful response when it is not JSON (the handler then returns a stream). */
  readonly produces?: string;
  readonly handler: (ctx: HandlerContext<Body, Query>) => Promise<RouteResult>;
}

/** Keeps each route's handler typed by its own schemas while the table holds them all. */
export function route<Body = undefined, Query = undefined>(spec: Route<Body, Query>): Route {
  return spec as unknown as Route;
}
