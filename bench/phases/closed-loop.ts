// The load loop shared by the throughput phases: each client repeats one iteration (awaiting it before the
// next: a closed loop, so the offered load adapts to how fast jitd answers) until the time is up. An
// iteration that throws counts as an error and the client goes on with the next one.
import { performance } from 'node:perf_hooks';
import { counter } from '../progress.ts';

export interface ClosedLoopResult {
  /** Wall seconds from the start until the last client finished its last iteration. */
  readonly elapsedSeconds: number;
  readonly errors: number;
  /** The messages of the first few errors. */
  readonly firstErrors: readonly string[];
}

/** Runs `iteration(client)` over and over on every client for `seconds`; `note` is printed at the end. */
export async function runClosedLoop<C>(clients: readonly C[], seconds: number, iteration: (client: C) => Promise<void>, note: () => string): Promise<ClosedLoopResult> {
  let errors = 0;
  const firstErrors: string[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const progress = counter('seconds', seconds);
  const ticker = setInterval(() => progress.tick(Math.min(seconds, Math.floor((performance.now() - started) / 1000))), 250);
  const loop = async (client: C) => {
    while (performance.now() < deadline) {
      try {
        await iteration(client);
      } catch (error) {
        errors += 1;
        if (firstErrors.length < 5) firstErrors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(clients.map(loop));
  clearInterval(ticker);
  const elapsedSeconds = (performance.now() - started) / 1000;
  progress.end(`${note()}, ${errors} errors`);
  return { elapsedSeconds, errors, firstErrors };
}
