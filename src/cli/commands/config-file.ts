// Finding and loading jitd.yaml for the commands that run on the server side (serve, config check, and the
// offline forms of audit verify/export).
import { formatIssue, type ConfigIssue } from '../../config/issue.ts';
import type { JitdConfig } from '../../config/types.ts';
import { EXIT } from '../exit-codes.ts';

export const DEFAULT_CONFIG = 'jitd.yaml';

export function configPathOf(flag: string | undefined): string {
  return flag || process.env.JITD_CONFIG || DEFAULT_CONFIG;
}

/** Thrown when the config has problems; the CLI prints every one and exits with `checkFailed`. */
export class ConfigProblems extends Error {
  readonly issues: readonly ConfigIssue[];
  readonly exitCode = EXIT.checkFailed;
  constructor(issues: readonly ConfigIssue[]) {
    super(`${issues.map((i) => formatIssue(i)).join('\n')}\n${issues.length} problem${issues.length === 1 ? '' : 's'} in the configuration`);
    this.issues = issues;
  }
}

export async function loadConfigOrThrow(path: string): Promise<JitdConfig> {
  const { loadConfig } = await import('../../config/load.ts');
  const { config, issues } = await loadConfig(path);
  if (!config || issues.length > 0) throw new ConfigProblems(issues);
  return config;
}
