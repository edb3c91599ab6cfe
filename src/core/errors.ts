// Every error jitd raises on purpose carries a kind. One table (src/api/http-errors.ts) maps kinds to
// HTTP statuses; the CLI maps them to exit codes. Messages of kinds below `internal` are shown to callers.

export type ErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'target_unavailable'
  | 'target_rejected'
  | 'internal';

/** One problem with an input, located by a field path such as `durationMs` or `roles.db.maxDuration`. */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export class JitdError extends Error {
  readonly kind: ErrorKind;
  readonly issues: readonly Issue[];

  constructor(kind: ErrorKind, message: string, options: { cause?: unknown; issues?: readonly Issue[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.issues = options.issues ?? [];
  }
}

export class InvalidInputError extends JitdError {
  constructor(message: string, issues: readonly Issue[] = []) {
    super('invalid_input', message, { issues });
  }

  /** One error for several issues, its message listing them all. */
  static of(issues: readonly Issue[]): InvalidInputError {
    return new InvalidInputError(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '), issues);
  }
}

export class ForbiddenError extends JitdError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

export class NotFoundError extends JitdError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class ConflictError extends JitdError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** A state machine was asked for a move its transition table does not allow. */
export class IllegalTransitionError extends ConflictError {
  readonly from: string;
  readonly to: string;
  constructor(entity: 'request' | 'lease', from: string, to: string) {
    super(`${entity} cannot go from ${from} to ${to}`);
    this.from = from;
    this.to = to;
  }
}

/** An invariant broke: this is a bug in jitd, not a problem with the input. */
export class InvariantError extends JitdError {
  constructor(message: string) {
    super('internal', `${message} (this is a bug)`);
  }
}
