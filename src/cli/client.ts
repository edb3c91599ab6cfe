// The CLI's HTTP client. Server URL and token come from flags, then JITD_URL / JITD_TOKEN, then the
// CLI config file (~/.config/jitd/cli.json: { "server": "...", "token": "..." }).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { JitdError, type ErrorKind } from '../core/errors.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ClientSettings {
  readonly server: string;
  readonly token?: string;
}

export function cliConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'jitd', 'cli.json');
}

function readCliConfig(env: NodeJS.ProcessEnv): { server?: string; token?: string } {
  try {
    return JSON.parse(readFileSync(cliConfigPath(env), 'utf8')) as { server?: string; token?: string };
  } catch {
    return {};
  }
}

export function resolveClientSettings(flags: { server?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const file = readCliConfig(env);
  const token = flags.token ?? env.JITD_TOKEN ?? file.token;
  return { server: (flags.server ?? env.JITD_URL ?? file.server ?? DEFAULT_SERVER).replace(/\/+$/, ''), ...(token ? { token } : {}) };
}

/** The server could not be reached at all. */
export class UnreachableError extends Error {}

export class ApiClient {
  private readonly settings: ClientSettings;

  constructor(settings: ClientSettings) {
    this.settings = settings;
  }

  async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    const qs = params.toString();
    return this.call<T>('GET', qs ? `${path}?${qs}` : path);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  /** A streamed (non-JSON) response body, e.g. the audit export. */
  async stream(path: string): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.send('GET', path);
    if (!response.ok || !response.body) await this.read(response);
    return response.body as unknown as AsyncIterable<Uint8Array>;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.read<T>(await this.send(method, path, body));
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.settings.token) headers.authorization = `Bearer ${this.settings.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${this.settings.server}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(`cannot reach jitd at ${this.settings.server}: ${cause?.code ?? cause?.message ?? (error as Error).message} (set --server or JITD_URL)`);
    }
  }

  private async read<T>(response: Response): Promise<T> {
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      throw new JitdError('internal', `jitd answered ${response.status} with a body that is not JSON`);
    }
    if (!response.ok) {
      const error = (json as { error?: { kind?: ErrorKind; message?: string; issues?: { path: string; message: string }[] } }).error;
      const kind = error?.kind ?? (response.status >= 500 ? 'internal' : 'invalid_input');
      const hint = response.status === 401 && !this.settings.token ? ' (no token: set --token or JITD_TOKEN)' : '';
      throw new JitdError(kind, `${error?.message ?? `HTTP ${response.status}`}${hint}`, { issues: error?.issues ?? [] });
    }
    return json as T;
  }
}
