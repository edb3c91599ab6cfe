// jitd login / logout: sign in with the organisation's OpenID Connect provider using the device
// authorization grant (RFC 8628): jitd shows a URL and a code, the person approves in any browser, and the
// CLI keeps the resulting jitd session (and the provider's refresh token) in ~/.config/jitd/login.json.
import type { Command } from 'commander';
import { JitdError } from '../../core/errors.ts';
import { discoverOidc, startDeviceLogin } from '../../identity/oidc-client.ts';
import { ApiClient, deleteLogin, loginPath, readLogin, resolveClientSettings, saveLogin, type ExchangeAnswer, type SavedLogin } from '../client.ts';
import type { GlobalFlags } from '../context.ts';
import { emit, parseOutputFormat } from '../output.ts';

interface OidcInfo {
  readonly issuer: string;
  readonly cliClientId?: string;
  readonly scopes: readonly string[];
  readonly allowInsecureHttp?: boolean;
}

/** Progress goes to stderr so that `-o json` output on stdout stays parseable. */
function say(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function login(command: Command): Promise<void> {
  const flags = command.optsWithGlobals<GlobalFlags>();
  const format = parseOutputFormat(flags.output);
  const { server } = resolveClientSettings({ ...(flags.server === undefined ? {} : { server: flags.server }) });
  const anonymous = new ApiClient({ server });
  let info: OidcInfo;
  try {
    info = await anonymous.get<OidcInfo>('/v1/auth/oidc');
  } catch (err) {
    if (err instanceof JitdError && err.kind === 'not_found') throw new JitdError('not_found', `${server} has no OIDC sign-in configured; use an API token (--token or JITD_TOKEN) instead`);
    throw err;
  }
  if (info.cliClientId === undefined) {
    throw new JitdError('not_found', `${server} has no client for jitd login (identities.oidc.cliClientId is not set); ask its administrator`);
  }
  const oidc = await discoverOidc({
    issuer: info.issuer,
    clientId: info.cliClientId,
    groupsClaim: 'groups',
    displayNameClaim: 'name',
    emailClaim: 'email',
    scopes: info.scopes,
    allowInsecureHttp: info.allowInsecureHttp === true,
  });
  const device = await startDeviceLogin(oidc);
  say(`Open ${device.verificationUri} and enter the code ${device.userCode}`);
  if (device.verificationUriComplete !== undefined) say(`(or open ${device.verificationUriComplete})`);
  say(`Waiting for you to approve (the code expires in ${Math.round(device.expiresIn / 60)} min)...`);
  const started = Date.now();
  const progress = setInterval(() => say(`  still waiting (${Math.round((Date.now() - started) / 1000)} s)`), 10_000);
  let tokens;
  try {
    tokens = await device.poll();
  } finally {
    clearInterval(progress);
  }
  const answer = await anonymous.post<ExchangeAnswer>('/v1/auth/oidc/exchange', { idToken: tokens.idToken });
  const saved: SavedLogin = {
    server,
    token: answer.token,
    tokenId: answer.tokenId,
    expiresAt: answer.expiresAt,
    ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
    issuer: info.issuer,
    clientId: info.cliClientId,
    ...(info.allowInsecureHttp === true ? { allowInsecureHttp: true } : {}),
    principal: answer.principal,
    ...(answer.displayName === undefined ? {} : { displayName: answer.displayName }),
  };
  const path = loginPath();
  saveLogin(path, saved);
  const { token: _secret, ...shown } = answer;
  void _secret;
  emit(format, { ...shown, server, savedTo: path }, () =>
    `Signed in to ${server} as ${answer.displayName ?? answer.principal} (${answer.principal}; groups: ${answer.groups.join(', ') || 'none'}) until ${answer.expiresAt}${saved.refreshToken === undefined ? '' : ', renewed automatically'}`,
  );
}

async function logout(command: Command): Promise<void> {
  const format = parseOutputFormat(command.optsWithGlobals<GlobalFlags>().output);
  const path = loginPath();
  const saved = readLogin(path);
  if (saved === undefined) {
    emit(format, { signedOut: false }, () => 'not signed in (no saved jitd login)');
    return;
  }
  let revoked = true;
  try {
    // No renewal here: a session that already ended needs no revoking.
    await new ApiClient({ server: saved.server, token: saved.token }).post('/v1/auth/logout', {});
  } catch (err) {
    if (!(err instanceof JitdError && err.kind === 'unauthenticated')) throw err;
    revoked = false;
  }
  deleteLogin(path);
  emit(format, { signedOut: true, server: saved.server, sessionRevoked: revoked }, () => `Signed out of ${saved.server}${revoked ? '' : ' (the session had already ended)'}`);
}

export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .description('sign in with your organisation\'s identity provider (device code); the session is kept in ~/.config/jitd/login.json')
    .action(async (_opts: unknown, command: Command) => login(command));
  program
    .command('logout')
    .description('end the session jitd login started and forget it')
    .action(async (_opts: unknown, command: Command) => logout(command));
}
