// loadConfig: read jitd.yaml, report every problem at once (each with file:line:col and field path),
// and produce the JitdConfig only when there are none.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildConfig } from './build-config.ts';
import { checkTokens } from './check-tokens.ts';
import { fileSchema } from './file-schema.ts';
import { dottedPath, type ConfigIssue } from './issue.ts';
import { createIssueCollector, type Reporter } from './issue-collector.ts';
import { loadConnectors } from './load-connectors.ts';
import { loadRoles } from './load-roles.ts';
import { isPlainObject } from './names.ts';
import { describeReadError, resolveSecret } from './secrets.ts';
import type { ConnectorConfig, JitdConfig } from './types.ts';
import { formatConfigDuration } from './units.ts';
import { parseYamlSource } from './yaml-source.ts';
import { PARSE_PARAMS } from './zod-issues.ts';

export interface LoadConfigOptions {
  /** Where `{ env: NAME }` secrets are looked up (checked to be set); process.env by default. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LoadConfigResult {
  /** Present only when there are no issues. */
  readonly config?: JitdConfig;
  /** Every problem found, in file order. */
  readonly issues: ConfigIssue[];
}

export async function loadConfig(file: string, options: LoadConfigOptions = {}): Promise<LoadConfigResult> {
  const source = path.resolve(file);
  const configDir = path.dirname(source);
  const env = options.env ?? process.env;
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (error) {
    const reason = describeReadError(error);
    const message = reason === 'no such file' ? 'config file not found' : `cannot read the config file (${reason})`;
    return { issues: [{ file: source, line: 1, col: 1, path: '', message, code: 'config_unreadable' }] };
  }

  const yaml = parseYamlSource(text);
  const issues = createIssueCollector(source, yaml);
  // After a syntax error the data is a guess: report only what the parser found.
  if (yaml.syntaxProblems.length > 0) {
    for (const problem of yaml.syntaxProblems) issues.add({ file: source, line: problem.line, col: problem.col, path: '', message: problem.message, code: 'yaml_syntax' });
    return { issues: issues.issues() };
  }
  for (const problem of yaml.duplicateKeys) {
    issues.add({ file: source, line: problem.line, col: problem.col, path: dottedPath(problem.path), message: problem.message, code: 'duplicate_key' });
  }

  const raw = yaml.toJS();
  if (raw === null || raw === undefined) {
    issues.add({ file: source, line: 1, col: 1, path: '', message: 'the file is empty (it needs at least "version: 1")', code: 'config_empty' });
    return { issues: issues.issues() };
  }

  const parsed = fileSchema.safeParse(raw, PARSE_PARAMS);
  if (!parsed.success) issues.zod(parsed.error, fileSchema);
  else checkScheduler(parsed.data.scheduler, issues);
  if (!isPlainObject(raw)) return { issues: issues.issues() };

  checkTokens(raw.identities, issues);
  const resolvePath = (written: string): string => path.resolve(configDir, written);
  const connectors = loadConnectors(isPlainObject(raw.connectors) ? raw.connectors : {}, issues, resolvePath);
  const roles = loadRoles(isPlainObject(raw.roles) ? raw.roles : {}, connectors.declared, issues);
  await Promise.all(
    connectors.secrets.map(async ({ path: at, ref, kind }) => {
      let value: string;
      try {
        value = await resolveSecret(ref, configDir, env);
      } catch (error) {
        issues.problem([...at, 'env' in ref ? 'env' : 'file'], (error as Error).message, 'secret_unavailable');
        return;
      }
      const problem = kind.checkSecret?.(String(at.at(-1)), value);
      if (problem !== undefined) issues.problem([...at, 'env' in ref ? 'env' : 'file'], problem, 'invalid_value');
    }),
  );

  if (parsed.success) checkClaimCoversTargetOps(parsed.data.scheduler.grantTimeout, connectors.configs, issues);
  if (issues.count > 0 || !parsed.success) return { issues: issues.issues() };
  return { config: buildConfig(source, parsed.data, connectors.configs, roles), issues: [] };
}

/**
 * A worker owns a lease's target operation for `grantTimeout`. The operation and its read-back may each take up
 * to the connector's timeout; if the claim ran out first, the scheduler would start the same operation and the
 * first worker's result would lose the version race (a 409 for a release). So the claim must cover both.
 */
function checkClaimCoversTargetOps(grantTimeoutMs: number, connectors: ReadonlyMap<string, ConnectorConfig>, report: Reporter): void {
  for (const [name, connector] of connectors) {
    if (grantTimeoutMs < 2 * connector.timeoutMs) {
      report.problem(
        ['scheduler', 'grantTimeout'],
        `${formatConfigDuration(grantTimeoutMs)} is shorter than twice the timeout of connector ${name} (${formatConfigDuration(connector.timeoutMs)}): a target operation and its read-back must fit in it`,
        'duration_order',
      );
    }
  }
}

function checkScheduler(scheduler: { readonly retry: { readonly initialDelay: number; readonly maxDelay: number } }, report: Reporter): void {
  const { initialDelay, maxDelay } = scheduler.retry;
  if (initialDelay > maxDelay) {
    report.problem(
      ['scheduler', 'retry', 'initialDelay'],
      `${formatConfigDuration(initialDelay)} is longer than maxDelay ${formatConfigDuration(maxDelay)}`,
      'duration_order',
    );
  }
}
