// Where `jitd ssh` keeps a role's key and certificate: <config dir>/jitd/ssh/<role>/ (config dir:
// $XDG_CONFIG_HOME or ~/.config). The folder is 0700 and every file 0600, written to a temporary file and
// renamed over the old one, so ssh never reads half a key or a key with another key's certificate.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { InvalidInputError } from '../../core/errors.ts';

export const KEY_NAME = 'id_ed25519';

export interface SshRoleFiles {
  readonly dir: string;
  readonly privateKey: string;
  readonly publicKey: string;
  readonly certificate: string;
}

/** The folder of a role's files. Refuses role names that would leave it (they are config keys, but the answer comes from the user). */
export function sshRoleDir(role: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/.test(role)) throw new InvalidInputError(`role "${role}" cannot name a folder for its key (letters, digits, . _ - only)`);
  const configDir = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(configDir, 'jitd', 'ssh', role);
}

/** The files `jitd ssh <role>` writes for a key it generates. */
export function generatedKeyFiles(role: string, env?: NodeJS.ProcessEnv): SshRoleFiles {
  const dir = sshRoleDir(role, env);
  const privateKey = join(dir, KEY_NAME);
  return { dir, privateKey, publicKey: `${privateKey}.pub`, certificate: `${privateKey}-cert.pub` };
}

/** The files for `--public-key FILE`: the user's own key pair, with the certificate kept in the role's folder. */
export function ownKeyFiles(role: string, publicKeyFile: string, env?: NodeJS.ProcessEnv): SshRoleFiles {
  const dir = sshRoleDir(role, env);
  const name = basename(publicKeyFile).replace(/\.pub$/, '');
  return { dir, privateKey: publicKeyFile.replace(/\.pub$/, ''), publicKey: publicKeyFile, certificate: join(dir, `${name}-cert.pub`) };
}

/** Creates the folder (and its parents jitd/ssh) with mode 0700, tightening an existing one. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and ignored for folders that exist: set it outright.
  await chmod(dir, 0o700);
  await chmod(dirname(dir), 0o700);
}

/** Writes `content` to `file` with mode 0600 through a temporary file in the same folder, fsynced, then renamed. */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.chmod(0o600);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tmp, file);
}
