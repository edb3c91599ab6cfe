// Names of connectors and roles: they appear in URLs, CLI arguments, audit events and dotted field
// paths, so they are kept to characters that need no quoting anywhere.
import type { Reporter } from './issue-collector.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Reports a bad name on its key; true when the name is fine. */
export function checkName(name: string, report: Reporter): boolean {
  if (NAME.test(name)) return true;
  report.problem(
    [name],
    `${JSON.stringify(name)} is not a valid name (1 to 64 letters, digits, "-" or "_", starting with a letter or digit)`,
    'bad_name',
    'key',
  );
  return false;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
