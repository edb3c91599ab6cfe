// `npm run bench`: measures jitd end to end against real directory servers and a real `jitd serve` process
// per section — LDAP (slapd), then AD (a Samba AD DC over LDAPS), then SSH (jitd as an OpenSSH CA) — and then
// the KPI and always-on reports on a filled SQLite store (kpi); prints a table (figure, value, target, met?) and
// writes the figures as JSON. It measures; it asserts nothing. `npm run bench -- --help` for the options.
import { runAdSection } from './ad-section.ts';
import { cleanup, cleanupOnSignals } from './cleanup.ts';
import { runKpiSection } from './kpi-section.ts';
import { runLdapSection } from './ldap-section.ts';
import { gitState, machineInfo } from './machine.ts';
import { HELP, parseOptions, type BenchOptions } from './options.ts';
import { formatTable, writeJson } from './report.ts';
import { runSshSection } from './ssh-section.ts';
import { round } from './stats.ts';

async function main(): Promise<number> {
  let options: BenchOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`);
    return 2;
  }
  if (!options) {
    process.stdout.write(HELP);
    return 0;
  }
  cleanupOnSignals();
  const startedAt = new Date();
  try {
    // One section after the other, each stopping its servers first: they would compete for the 2 cores.
    const ldap = options.targets.includes('ldap') ? await runLdapSection(options) : undefined;
    const ad = options.targets.includes('ad') ? await runAdSection(options) : undefined;
    const ssh = options.targets.includes('ssh') ? await runSshSection(options) : undefined;
    const kpi = options.targets.includes('kpi') ? await runKpiSection(options) : undefined;
    const git = gitState();
    const data = {
      started_at: startedAt.toISOString(),
      finished_at: new Date().toISOString(),
      duration_s: round((Date.now() - startedAt.getTime()) / 1000, 1),
      git_commit: git.commit,
      git_dirty: git.dirty,
      machine: machineInfo(),
      options,
      // The LDAP section's figures at the top level (as before there was an AD section), the AD section's under "ad".
      ...ldap?.json,
      ad: ad?.json ?? null,
      ssh: ssh?.json ?? null,
      kpi: kpi?.json ?? null,
    };
    const file = await writeJson(options.out, data);
    process.stdout.write(`\njitd benchmark — ${data.machine.cpus} × ${data.machine.cpu_model}, Node ${data.machine.node_version}, commit ${data.git_commit?.slice(0, 12) ?? 'unknown'}${data.git_dirty ? ' (+ uncommitted changes)' : ''}${options.quick ? ', --quick' : ''}\n\n`);
    process.stdout.write(`${formatTable([...(ldap?.rows ?? []), ...(ad?.rows ?? []), ...(ssh?.rows ?? []), ...(kpi?.rows ?? [])])}\n\nJSON: ${file}  (whole run ${data.duration_s} s)\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    await cleanup();
  }
}

process.exitCode = await main();
