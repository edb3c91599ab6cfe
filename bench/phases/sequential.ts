// The loop of the sequential latency phases: unmeasured warm-up iterations first (so JIT compilation and
// connection set-up are done), then the measured ones, in order, with a progress counter.
import { counter } from '../progress.ts';

/** Runs `step(i, measured)` for i = 0 … warmup + count − 1, one after the other; `measured` is false during the warm-up. */
export async function warmedUpSequence(label: string, warmup: number, count: number, step: (i: number, measured: boolean) => Promise<void>): Promise<void> {
  const total = warmup + count;
  const progress = counter(`${label} (incl. warm-up)`, total);
  for (let i = 0; i < total; i++) {
    await step(i, i >= warmup);
    progress.tick(i + 1);
  }
  progress.end();
}
