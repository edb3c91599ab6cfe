// Runs a pass again and again: at once when the pass says more is due, else after the poll interval; a
// failing pass is logged and retried on the next poll. stop() waits for the pass in progress, so no target
// operation or delivery is cut off half-way. Shared by the scheduler and the notifier.
import type { Logger } from 'pino';

export class PollingLoop {
  private readonly pass: () => Promise<boolean>;
  private readonly pollIntervalMs: number;
  private readonly log: Logger;
  private readonly what: string;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;
  private stopped = true;

  /** `pass` resolves true when more work is due right away. `what` names the loop in its error log line. */
  constructor(options: { readonly pass: () => Promise<boolean>; readonly pollIntervalMs: number; readonly log: Logger; readonly what: string }) {
    this.pass = options.pass;
    this.pollIntervalMs = options.pollIntervalMs;
    this.log = options.log;
    this.what = options.what;
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.pass()
        .then((more) => this.schedule(more ? 0 : this.pollIntervalMs))
        .catch((error: unknown) => {
          this.log.error({ err: error }, `${this.what} failed; retrying on the next tick`);
          this.schedule(this.pollIntervalMs);
        });
    }, delayMs);
  }
}
