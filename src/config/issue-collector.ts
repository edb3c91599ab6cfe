// Collects the problems found in one config file and places each one in the file (line:col).
import type { z } from 'zod';
import { dottedPath, type ConfigIssue, type ConfigIssueCode, type PathSegment } from './issue.ts';
import type { YamlSource } from './yaml-source.ts';
import { problemsFromZod, type Problem } from './zod-issues.ts';

/** Reports problems under a base path (e.g. `roles.db-owner`), so that checks only name their own fields. */
export interface Reporter {
  problem(path: readonly PathSegment[], message: string, code: ConfigIssueCode, at?: 'key' | 'value'): void;
  zod(error: z.ZodError, schema: z.ZodType, extraFields?: readonly string[]): void;
  under(...segments: readonly PathSegment[]): Reporter;
  /** The line a field is on, to point back at an earlier definition. */
  lineOf(path: readonly PathSegment[]): number;
}

export interface IssueCollector extends Reporter {
  add(issue: ConfigIssue): void;
  readonly count: number;
  /** In file order. */
  issues(): ConfigIssue[];
}

export function createIssueCollector(file: string, source: YamlSource): IssueCollector {
  const collected: ConfigIssue[] = [];
  const place = (base: readonly PathSegment[], problem: Problem): void => {
    const path = [...base, ...problem.path];
    collected.push({ file, ...source.locate(path, problem.at), path: dottedPath(path), message: problem.message, code: problem.code });
  };
  const reporter = (base: readonly PathSegment[]): Reporter => ({
    problem: (path, message, code, at) => place(base, { path, message, code, ...(at ? { at } : {}) }),
    zod: (error, schema, extraFields) => {
      for (const problem of problemsFromZod(error.issues, schema, extraFields)) place(base, problem);
    },
    under: (...segments) => reporter([...base, ...segments]),
    lineOf: (path) => source.locate([...base, ...path]).line,
  });
  return {
    ...reporter([]),
    add: (issue) => collected.push(issue),
    get count() {
      return collected.length;
    },
    issues: () => collected.map((issue, index) => ({ issue, index })).sort((a, b) => a.issue.line - b.issue.line || a.issue.col - b.issue.col || a.index - b.index).map(({ issue }) => issue),
  };
}
