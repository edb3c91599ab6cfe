// The ssh command line and the ~/.ssh/config block `jitd ssh` prints for a role, from the host, login and
// port its target names.

export interface SshRoleTargetView {
  readonly principals?: string;
  readonly host?: string;
  readonly login?: string;
  readonly port?: string;
}

/** An SSH role is one whose target lists certificate principals. */
export function isSshTarget(target: Readonly<Record<string, string>>): boolean {
  return typeof target.principals === 'string' && target.principals.length > 0;
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface LoginCommand {
  readonly argv: readonly string[];
  /** The command as one line for a shell. */
  readonly line: string;
  /** False when the role names no host or login and the line holds <user>@<host> placeholders. */
  readonly complete: boolean;
}

/** `ssh -i <key> -o CertificateFile=<cert> [-p <port>] <login>@<host>`. */
export function loginCommand(target: SshRoleTargetView, privateKey: string, certificate: string): LoginCommand {
  const complete = target.host !== undefined && target.login !== undefined;
  const destination = `${target.login ?? '<user>'}@${target.host ?? '<host>'}`;
  const argv = ['ssh', '-i', privateKey, '-o', `CertificateFile=${certificate}`, ...(target.port && target.port !== '22' ? ['-p', target.port] : []), destination];
  return { argv, line: argv.map((a) => (a === destination && !complete ? a : shellWord(a))).join(' '), complete };
}

/** An ssh_config value: double-quoted when it holds spaces. */
function configValue(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/"/g, '')}"` : value;
}

/** One `Host <role>` block of ~/.ssh/config pointing at the files `jitd ssh <role>` writes. */
export function sshConfigBlock(role: string, target: SshRoleTargetView, privateKey: string, certificate: string): string {
  return [
    `# jitd role ${role}: run \`jitd ssh ${role}\` first for a certificate, then \`ssh ${role}\``,
    `Host ${role}`,
    `  HostName ${target.host ?? ''}`,
    ...(target.login ? [`  User ${target.login}`] : []),
    ...(target.port ? [`  Port ${target.port}`] : []),
    `  IdentityFile ${configValue(privateKey)}`,
    `  CertificateFile ${configValue(certificate)}`,
    '  IdentitiesOnly yes',
  ].join('\n');
}
