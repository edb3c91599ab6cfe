// Everything the benchmark starts (slapd, a Samba DC, jitd serve, temp dirs) registers how to undo it here.
// The undo actions run in reverse order at the end of each section (so the LDAP section's servers are gone
// before the AD section starts), on an error, and on Ctrl-C / SIGTERM / SIGHUP. (A SIGKILL of the benchmark
// is covered by the watchdog shells that the slapd and Samba harnesses and bench/jitd-server.ts start.)

type Undo = () => Promise<void> | void;

const undos: { name: string; undo: Undo }[] = [];
let running: Promise<void> | undefined;
let signalled = false;

export function onCleanup(name: string, undo: Undo): void {
  undos.push({ name, undo });
}

/**
 * Runs every action registered so far once, newest first; an action that fails does not stop the others.
 * A call while one runs joins it; a later call runs what was registered since.
 */
export function cleanup(): Promise<void> {
  running ??= (async () => {
    while (undos.length > 0) {
      const { name, undo } = undos.pop()!;
      try {
        await undo();
      } catch (error) {
        process.stderr.write(`[bench] cleanup of ${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  })().finally(() => {
    running = undefined;
  });
  return running;
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** On a signal: clean up, then exit with 128 + the signal number. A second signal is ignored while cleaning. */
export function cleanupOnSignals(): void {
  for (const signal of Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[]) {
    process.on(signal, () => {
      if (signalled) return;
      signalled = true;
      process.stderr.write(`\n[bench] ${signal}: stopping and cleaning up …\n`);
      // Twice: a section may register something new (a server it was starting) while the first pass runs.
      void cleanup()
        .then(cleanup)
        .finally(() => process.exit(EXIT_CODES[signal]));
    });
  }
}
