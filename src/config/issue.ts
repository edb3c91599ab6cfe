// A problem found while loading jitd.yaml: what is wrong, where (file:line:col and the dotted field
// path), and a stable code that tools and tests can match on.
import path from 'node:path';

export type ConfigIssueCode =
  | 'config_unreadable'
  | 'config_empty'
  | 'yaml_syntax'
  | 'duplicate_key'
  | 'unknown_field'
  | 'missing_field'
  | 'invalid_type'
  | 'invalid_value'
  | 'unsupported_version'
  | 'bad_name'
  | 'bad_duration'
  | 'bad_size'
  | 'bad_address'
  | 'bad_subject'
  | 'bad_pattern'
  | 'bad_token_hash'
  | 'duplicate_principal'
  | 'duplicate_token'
  | 'unknown_connector'
  | 'unknown_connector_type'
  | 'duration_order'
  | 'secret_unavailable'
  | 'unsupported_feature';

export interface ConfigIssue {
  /** Absolute path of the file the issue is in. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  /** Dotted field path such as `roles.db-owner.maxDuration` or `identities.tokens[1].tokenSha256`; empty for the file itself. */
  readonly path: string;
  readonly message: string;
  readonly code: ConfigIssueCode;
}

/**
 * `jitd.yaml:14:7 roles.db-owner.maxDuration: "90x" is not a duration (…)`. The file is shown relative to
 * `cwd` when it is inside it (what people typed), absolute otherwise.
 */
export function formatIssue(issue: ConfigIssue, cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, issue.file);
  const inside = relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
  const where = `${inside ? relative : issue.file}:${issue.line}:${issue.col}`;
  return issue.path === '' ? `${where} ${issue.message}` : `${where} ${issue.path}: ${issue.message}`;
}

/** Joins path segments the way issues show them: `roles.db-owner.eligible[2]`. */
export function dottedPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

export type PathSegment = string | number;
