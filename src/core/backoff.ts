// Exponential backoff with jitter for revocation retries. `random` is passed in (0 ≤ r < 1) to keep this pure.

export interface RetryPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** Fraction of the delay added or removed at random, e.g. 0.2 for ±20 %. */
  readonly jitter: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { initialDelayMs: 1_000, maxDelayMs: 300_000, factor: 2, jitter: 0.2 };

/** Delay before attempt number `failedAttempts + 1`, after `failedAttempts` (≥ 1) failures. */
export function retryDelayMs(policy: RetryPolicy, failedAttempts: number, random: number): number {
  const exponent = Math.max(0, failedAttempts - 1);
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** exponent);
  const spread = base * policy.jitter * (2 * random - 1);
  return Math.max(1, Math.round(base + spread));
}
