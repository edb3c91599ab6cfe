// Reads the secrets the config refers to (see secret.ts for the reference itself): from an environment
// variable or a file. The value is never part of an error message; the variable or file name is.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretRef } from './secret.ts';

/** Why a file could not be read, in words (from the error code), without the secret's contents. */
export function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * The secret's value. Files are read as UTF-8 with one trailing newline removed (what `echo` and
 * editors add); relative file paths are resolved against `baseDir`, the config file's folder.
 * Throws when the variable is unset or empty, or the file is unreadable or empty: an empty password
 * would make LDAP bind anonymously, not fail.
 */
export async function resolveSecret(ref: SecretRef, baseDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined) throw new Error(`environment variable ${ref.env} is not set`);
    if (value === '') throw new Error(`environment variable ${ref.env} is empty`);
    return value;
  }
  const file = path.resolve(baseDir, ref.file);
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read secret file ${file} (${describeReadError(error)})`, { cause: error });
  }
  const value = content.replace(/\r?\n$/, '');
  if (value === '') throw new Error(`secret file ${file} is empty`);
  return value;
}
