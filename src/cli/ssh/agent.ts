// Loading a key and its certificate into the user's ssh-agent for exactly as long as the certificate is valid.
// The agent is a convenience: when there is none, or it refuses, the files on disk still work.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export type AgentOutcome =
  | { readonly loaded: true; readonly seconds: number; readonly socket: string }
  | { readonly loaded: false; readonly why: string; readonly warning: boolean };

function sshAdd(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = execFile('ssh-add', args, { env, timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? Number((error as { code: number }).code) : -1) : 0;
      const output = `${stderr}${stdout}`.trim() || (error && code === -1 ? error.message : '');
      done({ code, output });
    });
    // ssh-add asks for a passphrase on the terminal only when the key has one (a --public-key key may).
    child.stdin?.end();
  });
}

/**
 * `ssh-add -t <seconds> <key>`: ssh-add loads `<key>-cert.pub` with the key. When the certificate lives
 * elsewhere (a --public-key key), the pair is offered from a private temporary folder under those names.
 */
export async function loadIntoAgent(privateKey: string, certificate: string, validBefore: Date, env: NodeJS.ProcessEnv = process.env): Promise<AgentOutcome> {
  const socket = env.SSH_AUTH_SOCK;
  if (!socket) return { loaded: false, why: 'no ssh-agent (SSH_AUTH_SOCK is not set)', warning: false };
  const seconds = Math.floor((validBefore.getTime() - Date.now()) / 1000);
  if (seconds <= 0) return { loaded: false, why: 'the certificate has already expired', warning: true };
  let key = privateKey;
  let staging: string | undefined;
  if (resolve(certificate) !== resolve(`${privateKey}-cert.pub`)) {
    staging = await mkdtemp(join(tmpdir(), 'jitd-ssh-add-'));
    key = join(staging, 'key');
    await symlink(resolve(privateKey), key);
    await copyFile(certificate, `${key}-cert.pub`);
  }
  try {
    const { code, output } = await sshAdd(['-t', String(seconds), key], env);
    if (code !== 0) return { loaded: false, why: `ssh-add failed${output ? `: ${output.split('\n').join('; ')}` : ` (exit ${code})`}`, warning: true };
    if (!/Certificate added/.test(output)) return { loaded: false, why: `ssh-add loaded the key but not its certificate: ${output.split('\n').join('; ')}`, warning: true };
    return { loaded: true, seconds, socket };
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}
