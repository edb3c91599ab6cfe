// Memory and CPU of a process as Linux accounts them (/proc/PID/status and /proc/PID/stat).
import { readFileSync } from 'node:fs';

export interface ProcSample {
  /** Peak resident set size so far (VmHWM), MB. */
  readonly peakRssMb: number;
  /** Current resident set size (VmRSS), MB. */
  readonly rssMb: number;
  /** User + system CPU time used so far, seconds. */
  readonly cpuSeconds: number;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux platform Node supports

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${field} line`);
  return Number(match[1]);
}

/** User + system CPU seconds in a /proc stat file (a process's or one thread's). */
function statCpuSeconds(path: string): number {
  // Fields after the command name, which is in parentheses and may contain spaces.
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/** Reads the process's memory and CPU figures; undefined when the process is gone. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      peakRssMb: statusKb(status, 'VmHWM') / 1024,
      rssMb: statusKb(status, 'VmRSS') / 1024,
      cpuSeconds: statCpuSeconds(`/proc/${pid}/stat`),
    };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of the process's main thread alone (its JavaScript event loop, where better-sqlite3 runs and
 * waits for fsync); undefined when the process is gone.
 */
export function mainThreadCpuSeconds(pid: number): number | undefined {
  try {
    return statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);
  } catch {
    return undefined;
  }
}
