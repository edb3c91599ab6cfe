import { randomBytes } from 'node:crypto';

/** Short, typeable, unguessable ids such as `lease-3f9a0c…` (80 random bits). */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(10).toString('hex')}`;
}
