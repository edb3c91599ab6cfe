// Turns zod's issues into jitd.yaml problems: messages in the file's terms ("must be a list", "is
// required"), one problem per unknown field naming the valid ones, and the issue code.
import type { z } from 'zod';
import type { ConfigIssueCode, PathSegment } from './issue.ts';
import { fieldsAt } from './schema-walk.ts';
import { quote } from './units.ts';

/** A problem relative to the value that was parsed; `at: 'key'` points at the field's name rather than its value. */
export interface Problem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly code: ConfigIssueCode;
  readonly at?: 'key' | 'value';
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
};

function describe(input: unknown): string {
  if (typeof input === 'string') return 'text';
  if (typeof input === 'number') return Number.isInteger(input) ? 'a whole number' : 'a number';
  if (typeof input === 'boolean') return String(input);
  return quote(input);
}

const YAML_11_BOOLEAN = /^(?:yes|no|on|off|y|n|true|false)$/i;

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The messages jitd shows for zod's built-in checks (custom checks bring their own). */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) return 'is required';
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      // Values are not echoed (a misplaced secret must not end up in a log), except YAML 1.1 booleans.
      if (issue.expected === 'boolean' && typeof issue.input === 'string' && YAML_11_BOOLEAN.test(issue.input)) {
        return `must be true or false (got the text ${quote(issue.input)})`;
      }
      return `must be ${expected} (got ${describe(issue.input)})`;
    }
    case 'too_small': {
      const minimum = Number(issue.minimum);
      if (issue.origin === 'string') return minimum <= 1 ? 'must not be empty' : `must be at least ${plural(minimum, 'character', 'characters')}`;
      if (issue.origin === 'array') return minimum <= 1 ? 'must not be empty' : `must have at least ${plural(minimum, 'entry', 'entries')}`;
      return issue.inclusive ? `must be at least ${minimum}` : `must be more than ${minimum}`;
    }
    case 'too_big': {
      const maximum = Number(issue.maximum);
      if (issue.origin === 'string') return `must be at most ${plural(maximum, 'character', 'characters')}`;
      if (issue.origin === 'array') return `must have at most ${plural(maximum, 'entry', 'entries')}`;
      return issue.inclusive ? `must be at most ${maximum}` : `must be less than ${maximum}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${quote(issue.values[0])}` : `must be one of: ${issue.values.map(String).join(', ')}`;
    default:
      return undefined;
  }
};

/** What every config parse passes to zod: our messages, and the input kept on issues to tell "missing" apart. */
export const PARSE_PARAMS = { error: configErrorMap, reportInput: true } as const;

function codeOf(issue: z.core.$ZodIssue): ConfigIssueCode {
  if (issue.code === 'custom') {
    const code = (issue.params as { code?: ConfigIssueCode } | undefined)?.code;
    if (code !== undefined) return code;
  }
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) return 'missing_field';
  return issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value';
}

/**
 * When a value fits none of a union's forms, zod reports every form's complaints. If the value has the
 * right type for exactly one form (e.g. a mapping for `approval`), its complaints are the useful ones.
 */
function onlyMatchingBranch(issue: z.core.$ZodIssueInvalidUnion): readonly z.core.$ZodIssue[] | undefined {
  if (issue.input === undefined) return undefined;
  const matching = issue.errors.filter(
    (branch) => !branch.some((inner) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value')),
  );
  return matching.length === 1 ? matching[0] : undefined;
}

/**
 * Problems for zod's issues about a value validated by `schema`. `extraFields` are fields the value's
 * top-level object accepts beyond the schema's (a role's common fields next to its target fields).
 */
export function problemsFromZod(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  extraFields: readonly string[] = [],
  prefix: readonly PathSegment[] = [],
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      const valid = [...new Set([...fieldsAt(schema, path), ...(path.length === 0 ? extraFields : [])])].sort();
      for (const key of issue.keys) {
        problems.push({ path: [...path, key], message: `unknown field "${key}" (valid fields: ${valid.join(', ')})`, code: 'unknown_field', at: 'key' });
      }
      continue;
    }
    if (issue.code === 'invalid_union') {
      const branch = onlyMatchingBranch(issue);
      if (branch !== undefined) {
        problems.push(...problemsFromZod(branch, schema, extraFields, path));
        continue;
      }
    }
    const code = codeOf(issue);
    // A schema's own message describes a wrong value (e.g. a secret reference); a missing one is just missing.
    const message = code === 'missing_field' && issue.code !== 'custom' ? 'is required' : issue.message;
    problems.push({ path, message, code });
  }
  return problems;
}
