// The CLI's HTTP client. Server URL and token come from flags, then JITD_URL / JITD_TOKEN, then the
// CLI config file (~/.config/jitd/cli.json: { "server": "...", "token": "..." }), then the session
// `jitd login` saved (~/.config/jitd/login.json) for its server. A saved session that expired is renewed
// with the provider's refresh token, exchanged for a new jitd session and saved, without asking anyone.
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { JitdError, type ErrorKind } from '../core/errors.ts';
import { discoverOidc, refreshTokens } from '../identity/oidc-client.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ClientSettings {
  readonly server: string;
  readonly token?: string;
  /** The saved `jitd login` session the token came from (renewed and saved again when it expires). */
  readonly login?: { readonly path: string; readonly saved: SavedLogin };
}

/** What `jitd login` keeps (mode 0600): the jitd session and what renews it. */
export interface SavedLogin {
  readonly server: string;
  readonly token: string;
  readonly tokenId: string;
  readonly expiresAt: string;
  readonly refreshToken?: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly allowInsecureHttp?: boolean;
  readonly principal: string;
  readonly displayName?: string;
}

function configDir(env: NodeJS.ProcessEnv): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'jitd');
}

export function cliConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'cli.json');
}

export function loginPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'login.json');
}

export function readLogin(path: string): SavedLogin | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as SavedLogin;
  } catch {
    throw new JitdError('invalid_input', `${path} is not valid JSON; delete it and run jitd login`);
  }
}

/** Writes the file readable by its owner only (directory 0700), atomically: a crash leaves the old one. */
export function saveLogin(path: string, login: SavedLogin): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  chmodSync(dirname(path), 0o700);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

export function deleteLogin(path: string): void {
  rmSync(path, { force: true });
}

/** An ID token exchanged for a jitd session, as POST /v1/auth/oidc/exchange answers. */
export interface ExchangeAnswer {
  readonly token: string;
  readonly tokenId: string;
  readonly expiresAt: string;
  readonly principal: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly groups: readonly string[];
}

function readCliConfig(env: NodeJS.ProcessEnv): { server?: string; token?: string } {
  try {
    return JSON.parse(readFileSync(cliConfigPath(env), 'utf8')) as { server?: string; token?: string };
  } catch {
    return {};
  }
}

function serverUrl(url: string): string {
  return url.replace(/\/+$/, '');
}

export function resolveClientSettings(flags: { server?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): ClientSettings {
  const file = readCliConfig(env);
  const token = flags.token || env.JITD_TOKEN || file.token;
  const path = loginPath(env);
  const saved = token ? undefined : readLogin(path);
  const server = serverUrl(flags.server || env.JITD_URL || file.server || saved?.server || DEFAULT_SERVER);
  if (token) return { server, token };
  // A saved session is only ever sent to the server that issued it.
  if (saved !== undefined && serverUrl(saved.server) === server) return { server, token: saved.token, login: { path, saved } };
  return { server };
}

/** The path with the query's given values (undefined and '' are left out). */
function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Seconds before its expiry at which a saved session is renewed rather than sent. */
const RENEW_EARLY_MS = 30_000;

/** The server could not be reached at all. */
export class UnreachableError extends Error {}

export class ApiClient {
  private settings: ClientSettings;

  constructor(settings: ClientSettings) {
    this.settings = settings;
  }

  get server(): string {
    return this.settings.server;
  }

  /** The saved login this client uses, if any (jitd logout). */
  get login(): ClientSettings['login'] {
    return this.settings.login;
  }

  async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    return this.call<T>('GET', withQuery(path, query));
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('POST', path, body);
  }

  /** A streamed (non-JSON) response body, e.g. the audit export. */
  async stream(path: string, query: Record<string, string | number | undefined> = {}): Promise<AsyncIterable<Uint8Array>> {
    const response = await this.send('GET', withQuery(path, query));
    if (!response.ok || !response.body) await this.read(response);
    return response.body as unknown as AsyncIterable<Uint8Array>;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.read<T>(await this.send(method, path, body));
  }

  /** Sends with the saved session renewed first when it is about to expire, and once more after a 401 if it could be renewed. */
  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const login = this.settings.login;
    if (login?.saved.refreshToken !== undefined && Date.parse(login.saved.expiresAt) - Date.now() < RENEW_EARLY_MS) await this.renew();
    const response = await this.sendOnce(method, path, body);
    if (response.status !== 401 || this.settings.login?.saved.refreshToken === undefined) return response;
    await response.body?.cancel();
    await this.renew();
    return this.sendOnce(method, path, body);
  }

  /** Refreshes with the provider, exchanges the new ID token for a jitd session, and saves it. */
  private async renew(): Promise<void> {
    const login = this.settings.login;
    if (login === undefined || login.saved.refreshToken === undefined) return;
    const { saved, path } = login;
    const oidc = await discoverOidc({
      issuer: saved.issuer,
      clientId: saved.clientId,
      groupsClaim: 'groups',
      displayNameClaim: 'name',
      emailClaim: 'email',
      scopes: [],
      allowInsecureHttp: saved.allowInsecureHttp === true,
    });
    const tokens = await refreshTokens(oidc, saved.refreshToken!);
    const answer = await this.read<ExchangeAnswer>(await this.sendOnce('POST', '/v1/auth/oidc/exchange', { idToken: tokens.idToken }, false));
    const renewed: SavedLogin = {
      ...saved,
      token: answer.token,
      tokenId: answer.tokenId,
      expiresAt: answer.expiresAt,
      ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
      principal: answer.principal,
      ...(answer.displayName === undefined ? {} : { displayName: answer.displayName }),
    };
    saveLogin(path, renewed);
    this.settings = { ...this.settings, token: renewed.token, login: { path, saved: renewed } };
  }

  private async sendOnce(method: string, path: string, body?: unknown, withToken = true): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (withToken && this.settings.token) headers.authorization = `Bearer ${this.settings.token}`;
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
      const hint = response.status === 401 && !this.settings.token ? ' (no token: run jitd login, or set --token or JITD_TOKEN)' : '';
      throw new JitdError(kind, `${error?.message ?? `HTTP ${response.status}`}${hint}`, { issues: error?.issues ?? [] });
    }
    return json as T;
  }
}
