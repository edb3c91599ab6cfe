// Exit codes scripts can rely on (also listed in `jitd --help` and docs/cli.md).
import type { ErrorKind } from '../core/errors.ts';

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  invalidInput: 3,
  auth: 4,
  notFound: 5,
  conflict: 6,
  target: 7,
  unreachable: 8,
  /** `audit verify` found tampering; `config check` found problems. */
  checkFailed: 9,
} as const;

export const EXIT_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  invalid_input: EXIT.invalidInput,
  payload_too_large: EXIT.invalidInput,
  unauthenticated: EXIT.auth,
  forbidden: EXIT.auth,
  not_found: EXIT.notFound,
  conflict: EXIT.conflict,
  target_unavailable: EXIT.target,
  target_rejected: EXIT.target,
  internal: EXIT.failure,
};

export const EXIT_CODES_HELP = `Exit codes:
  0  success                       5  not found
  1  unexpected failure            6  conflict (state changed meanwhile)
  2  usage error                   7  target unavailable or refused the change
  3  invalid input (policy, flags) 8  jitd server unreachable
  4  not signed in / not allowed   9  check failed (audit verify, config check)`;
