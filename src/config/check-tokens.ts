// API tokens: one entry per principal, and no token shared by two entries (a hash collision means the
// same bearer token would authenticate as either). Checked on the raw list so that these problems are
// reported together with any schema problem elsewhere in the list.
import type { Reporter } from './issue-collector.ts';
import { isPlainObject } from './names.ts';

export function checkTokens(identities: unknown, report: Reporter): void {
  if (!isPlainObject(identities) || !Array.isArray(identities.tokens)) return;
  const tokens = report.under('identities', 'tokens');
  const principals = new Map<string, number>();
  const hashes = new Map<string, number>();
  identities.tokens.forEach((entry: unknown, index) => {
    if (!isPlainObject(entry)) return;
    const { principal, tokenSha256 } = entry;
    if (typeof principal === 'string') {
      const first = principals.get(principal);
      if (first === undefined) principals.set(principal, index);
      else tokens.problem([index, 'principal'], `${JSON.stringify(principal)} already has a token (identities.tokens[${first}], line ${tokens.lineOf([first, 'principal'])})`, 'duplicate_principal');
    }
    if (typeof tokenSha256 === 'string') {
      const hash = tokenSha256.toLowerCase();
      const first = hashes.get(hash);
      if (first === undefined) hashes.set(hash, index);
      else tokens.problem([index, 'tokenSha256'], `same token hash as identities.tokens[${first}] (line ${tokens.lineOf([first, 'tokenSha256'])}): every token must be different`, 'duplicate_token');
    }
  });
}
