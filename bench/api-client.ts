// A small JSON client for jitd's HTTP API over kept-alive connections (node:http), so that a latency sample
// measures jitd and one loopback round trip, not connection setup.
import { Agent, request } from 'node:http';

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
}

export class ApiError extends Error {
  readonly status: number;
  constructor(method: string, path: string, status: number, body: string) {
    super(`${method} ${path} → ${status}: ${body.slice(0, 300)}`);
    this.status = status;
  }
}

export interface LeaseView {
  readonly id: string;
  readonly state: string;
  readonly principal: string;
  readonly role: string;
  readonly requestedAt: string;
  readonly expiresAt: string;
  readonly grantConfirmedAt?: string;
  readonly revokeReason?: string;
  readonly revokeConfirmedAt?: string;
  readonly lastError?: string;
  /** What the connector recorded for the grant (for an SSH role: certificate, serial, keyId, …). */
  readonly grant?: Readonly<Record<string, string>>;
}

export class ApiClient {
  readonly url: URL;
  private readonly agent: Agent;

  constructor(url: string, maxSockets: number) {
    this.url = new URL(url);
    this.agent = new Agent({ keepAlive: true, maxSockets });
  }

  /** Sends one request; resolves with the raw body, rejects with ApiError on a non-2xx status. */
  private send(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<ApiResponse<Buffer>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method,
          path,
          headers: {
            authorization: `Bearer ${token}`,
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const bytes = Buffer.concat(chunks);
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) return reject(new ApiError(method, path, status, bytes.toString('utf8')));
            resolve({ status, body: bytes });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Sends one request; resolves with the parsed JSON body, rejects with ApiError on a non-2xx status. */
  async call<T>(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<ApiResponse<T>> {
    const { status, body: bytes } = await this.send(method, path, token, body);
    return { status, body: JSON.parse(bytes.toString('utf8')) as T };
  }

  /** GET of a binary resource (e.g. /v1/ssh/krl). */
  async fetchBytes(path: string, token: string): Promise<Buffer> {
    return (await this.send('GET', path, token)).body;
  }

  /** POST /v1/requests; returns the lease of an auto-approved request. `grantInput`: e.g. `{ publicKey }` for an SSH role. */
  async requestRole(token: string, role: string, duration: string, grantInput: Readonly<Record<string, string>> = {}): Promise<LeaseView> {
    const { body } = await this.call<{ lease?: LeaseView; request: { state: string } }>('POST', '/v1/requests', token, { role, duration, reason: 'bench', ...grantInput });
    if (!body.lease) throw new Error(`request for ${role} was not granted at once (state ${body.request.state}); the bench roles are auto-approved`);
    return body.lease;
  }

  async release(token: string, leaseId: string): Promise<LeaseView> {
    const { body } = await this.call<{ lease: LeaseView }>('POST', `/v1/leases/${encodeURIComponent(leaseId)}/release`, token, {});
    return body.lease;
  }

  close(): void {
    this.agent.destroy();
  }
}
