// What a server needs to accept jitd's certificates, built from what the API says (the CA key, the roles):
// sshd_config lines, the CA key file, one principals file per account, a KRL refresh script with its
// systemd timer, and where the session guard goes. `jitd ssh host-setup` prints these or writes them to a folder.
import { InvalidInputError } from '../../core/errors.ts';
import { shellWord } from './login-command.ts';

export const CA_KEY_PATH = '/etc/ssh/jitd_ca.pub';
export const PRINCIPALS_DIR = '/etc/ssh/principals';
export const KRL_PATH = '/etc/ssh/jitd_revoked.krl';
export const REFRESH_SCRIPT_PATH = '/usr/local/lib/jitd/krl-refresh';
export const DEFAULT_TOKEN_FILE = '/etc/jitd/host-token';
export const DEFAULT_SESSION_GUARD = '/usr/local/lib/jitd/session-guard';
const UNIT = 'jitd-krl-refresh';

export interface HostSetupRole {
  readonly name: string;
  readonly connector: string;
  readonly target: Readonly<Record<string, string>>;
}

export interface HostSetupInput {
  /** `GET /v1/ssh/ca`: the CA public key line. */
  readonly caPublicKey: string;
  /** The SSH roles this host serves. */
  readonly roles: readonly HostSetupRole[];
  /** The jitd base URL hosts fetch the KRL from. */
  readonly server: string;
  /** Set when several ssh connectors exist (the KRL URL names it). */
  readonly connector?: string;
  readonly tokenFile: string;
  readonly sessionGuard: string;
}

export interface HostFile {
  /** Where it goes on the host. */
  readonly path: string;
  /** Its name in --output-dir. */
  readonly name: string;
  readonly mode: number;
  readonly content: string;
}

export interface HostSetup {
  readonly files: readonly HostFile[];
  /** What to do that a file cannot say (enable the timer, install the guard, roles without a login). */
  readonly steps: readonly string[];
}

const split = (value: string | undefined): string[] => (value ?? '').split(',').filter((v) => v.length > 0);

export function sshdConfigLines(): string {
  return [
    '# jitd: certificate logins (add near the top of /etc/ssh/sshd_config, or as /etc/ssh/sshd_config.d/jitd.conf',
    '# where sshd_config includes that folder; the first value of a keyword wins), then `sshd -t && systemctl reload ssh`.',
    `TrustedUserCAKeys ${CA_KEY_PATH}`,
    `AuthorizedPrincipalsFile ${PRINCIPALS_DIR}/%u`,
    `RevokedKeys ${KRL_PATH}`,
    '# Logs the certificate key id (lease id) and serial of every login.',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/**
 * The KRL refresh script. The rules: fetch to a temporary file; only a successful fetch of a non-empty body
 * that starts like a KRL replaces the live file (rename: sshd never reads half a file); on any failure the
 * last good file stays (a missing RevokedKeys file makes sshd refuse every key) and the script exits 1, so
 * the timer's failure shows in `systemctl --failed` and the journal. The token is read from a root-only file
 * and handed to curl on a file descriptor, never on the command line.
 */
export function krlRefreshScript(server: string, connector: string | undefined, tokenFile: string): string {
  const url = `${server.replace(/\/+$/, '')}/v1/ssh/krl${connector ? `?connector=${encodeURIComponent(connector)}` : ''}`;
  return `#!/bin/bash
# Written by \`jitd ssh host-setup\`: fetches jitd's key revocation list for sshd's RevokedKeys.
# Run by ${UNIT}.timer every minute. The variables below can be overridden from the environment.
set -uo pipefail
url="\${JITD_KRL_URL:-${url}}"
token_file="\${JITD_TOKEN_FILE:-${tokenFile}}"
krl="\${JITD_KRL_FILE:-${KRL_PATH}}"

fail() {
  echo "jitd-krl-refresh: $*; keeping the last good $krl" >&2
  exit 1
}

[ -r "$token_file" ] || fail "cannot read the host token file $token_file"
token="$(cat "$token_file")" || fail "cannot read the host token file $token_file"
[ -n "$token" ] || fail "the host token file $token_file is empty"

tmp="$(mktemp "$krl.XXXXXX")" || fail "cannot create a temporary file beside $krl"
trap 'rm -f "$tmp"' EXIT

# printf is a shell builtin: the token never appears in the process list.
curl --fail --silent --show-error --max-time 30 --header @<(printf 'Authorization: Bearer %s\\n' "$token") --output "$tmp" "$url" \\
  || fail "fetching $url failed"
[ -s "$tmp" ] || fail "$url answered an empty body"
[ "$(head -c 6 "$tmp")" = SSHKRL ] || fail "$url did not answer a KRL"
chmod 0644 "$tmp" && sync "$tmp" && mv -f "$tmp" "$krl" || fail "cannot replace $krl"
`;
}

function systemdService(): string {
  return `[Unit]
Description=Fetch jitd's SSH key revocation list for sshd (RevokedKeys)
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart=${REFRESH_SCRIPT_PATH}
`;
}

function systemdTimer(): string {
  // OnCalendar, not OnUnitActiveSec: the timer keeps firing after a failed run.
  return `[Unit]
Description=Refresh jitd's SSH key revocation list every minute

[Timer]
OnBootSec=5s
OnCalendar=minutely
RandomizedDelaySec=15s
AccuracySec=1s

[Install]
WantedBy=timers.target
`;
}

export function hostSetup(input: HostSetupInput): HostSetup {
  const caLine = input.caPublicKey.trim();
  if (!/^\S+ \S+/.test(caLine)) throw new InvalidInputError('GET /v1/ssh/ca did not answer a public key line');
  const byLogin = new Map<string, Set<string>>();
  const withoutLogin: HostSetupRole[] = [];
  for (const role of input.roles) {
    const login = role.target.login;
    if (login === undefined) {
      withoutLogin.push(role);
      continue;
    }
    const set = byLogin.get(login) ?? new Set<string>();
    for (const principal of split(role.target.principals)) set.add(principal);
    byLogin.set(login, set);
  }
  const files: HostFile[] = [
    { path: '/etc/ssh/sshd_config.d/jitd.conf', name: 'sshd_config.jitd', mode: 0o644, content: sshdConfigLines() },
    { path: CA_KEY_PATH, name: 'jitd_ca.pub', mode: 0o644, content: `${caLine}\n` },
    ...[...byLogin.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([login, principals]) => ({ path: `${PRINCIPALS_DIR}/${login}`, name: `principals/${login}`, mode: 0o644, content: `${[...principals].sort().join('\n')}\n` })),
    { path: REFRESH_SCRIPT_PATH, name: 'krl-refresh', mode: 0o755, content: krlRefreshScript(input.server, input.connector, input.tokenFile) },
    { path: `/etc/systemd/system/${UNIT}.service`, name: `${UNIT}.service`, mode: 0o644, content: systemdService() },
    { path: `/etc/systemd/system/${UNIT}.timer`, name: `${UNIT}.timer`, mode: 0o644, content: systemdTimer() },
  ];
  const steps = [
    `Files are root-owned; ${PRINCIPALS_DIR} and its files must not be group- or world-writable (sshd's StrictModes).`,
    `Put a host token (a jitd token identity of this host's own; any token may read the KRL) in ${shellWord(input.tokenFile)}, owner root, mode 0600.`,
    `Fetch the first KRL before sshd uses RevokedKeys (a missing file refuses every key): ${REFRESH_SCRIPT_PATH}`,
    `Then: systemctl daemon-reload && systemctl enable --now ${UNIT}.timer && sshd -t && systemctl reload ssh`,
  ];
  const guarded = input.roles.filter((r) => r.target.endSessionsAtExpiry === 'true' || r.target.recordSessions === 'true').map((r) => r.name);
  if (guarded.length > 0) {
    steps.push(
      `Roles ${guarded.join(', ')} end sessions at the lease's end: their certificates force the session guard. Install it (host/session-guard in the jitd source) at ${input.sessionGuard}, owner root, mode 0755; this path must equal the connector's sessionGuard, or those logins fail.`,
    );
  }
  const recorded = input.roles.filter((r) => r.target.recordSessions === 'true').map((r) => r.name);
  if (recorded.length > 0) {
    steps.push(
      `Roles ${recorded.join(', ')} record sessions: the guard needs curl and script (util-linux) and must reach jitd's server.publicUrl over HTTPS from this host; consider mounting /proc with hidepid=2 so that other users cannot read the upload token in the guard's command line.`,
    );
  }
  for (const role of withoutLogin) {
    steps.push(`Role ${role.name} names no login: add its principals (${split(role.target.principals).join(', ')}) to ${PRINCIPALS_DIR}/<account> of the account it should log in as.`);
  }
  return { files, steps };
}
