// Where the figures were measured: hardware, runtime and the exact code.
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpu_model: string;
  readonly memory_gb: number;
  readonly node_version: string;
  readonly platform: string;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpu_model: list[0]?.model.trim() ?? 'unknown',
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node_version: process.version,
    platform: `${process.platform} ${release()} ${process.arch}`,
  };
}

function git(args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: new URL('..', import.meta.url).pathname, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** HEAD's commit, and whether the working tree differs from it (the figures then describe uncommitted code). */
export function gitState(): { readonly commit: string | null; readonly dirty: boolean | null } {
  const commit = git(['rev-parse', 'HEAD']);
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return { commit: commit ?? null, dirty: status === undefined ? null : status.length > 0 };
}
