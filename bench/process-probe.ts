// CPU seconds used by jitd, by the directory server (slapd or samba) and by this process between marks,
// and jitd's memory at each mark: where the machine's 2 cores went during each phase.
import { readFileSync } from 'node:fs';
import { sampleProcess } from './proc-stats.ts';
import { round } from './stats.ts';

/** One mark: wall time since the previous one and what each process used in it (keys end in _s / _mb). */
export type ProbeMark = Record<string, number | null>;

export class ProcessProbe {
  private readonly jitdPid: number;
  private readonly server: { readonly label: string | undefined; readonly pid: number | undefined };
  private last: { jitd: number; server: number; bench: number; at: number };
  /** jitd right after it answered /healthz: start-up cost, including loading the config. */
  readonly atStart: { jitd_cpu_s: number; jitd_rss_mb: number; jitd_peak_rss_mb: number };
  readonly marks: Record<string, ProbeMark> = {};

  /** `serverLabel` names the server's column in the marks (`slapd` → `slapd_cpu_s`); undefined: no such column. */
  constructor(jitdPid: number, serverLabel: string | undefined, serverPid: number | undefined) {
    this.jitdPid = jitdPid;
    this.server = { label: serverLabel, pid: serverPid };
    this.last = this.cpu();
    const jitd = sampleProcess(jitdPid);
    this.atStart = { jitd_cpu_s: this.last.jitd, jitd_rss_mb: round(jitd?.rssMb ?? Number.NaN, 1), jitd_peak_rss_mb: round(jitd?.peakRssMb ?? Number.NaN, 1) };
  }

  private cpu() {
    const self = process.cpuUsage();
    return {
      jitd: sampleProcess(this.jitdPid)?.cpuSeconds ?? 0,
      server: this.server.pid === undefined ? 0 : (sampleProcess(this.server.pid)?.cpuSeconds ?? 0),
      // This process too: the directory reader and the API clients compete with jitd and the server for the 2 cores.
      bench: (self.user + self.system) / 1e6,
      at: Date.now(),
    };
  }

  /** Records what was used since the previous mark under `name`. */
  mark(name: string): void {
    const now = this.cpu();
    const jitd = sampleProcess(this.jitdPid);
    this.marks[name] = {
      wall_s: round((now.at - this.last.at) / 1000, 2),
      jitd_cpu_s: round(now.jitd - this.last.jitd, 2),
      ...(this.server.label === undefined ? {} : { [`${this.server.label}_cpu_s`]: this.server.pid === undefined ? null : round(now.server - this.last.server, 2) }),
      bench_cpu_s: round(now.bench - this.last.bench, 2),
      jitd_rss_mb: round(jitd?.rssMb ?? Number.NaN, 1),
      jitd_peak_rss_mb: round(jitd?.peakRssMb ?? Number.NaN, 1),
    };
    this.last = now;
  }

  peakRssMb(): number {
    return round(sampleProcess(this.jitdPid)?.peakRssMb ?? Number.NaN, 1);
  }
}

/** The pid a server wrote into its pid file, or undefined (its CPU is then not accounted). */
export function pidFromFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
