// What a host reported about one SSH session of a lease: when, where, as whom, how it ended, and the
// transcript's size and SHA-256 (the audit event carries the hash, so an edited transcript is detected).
import type { LeaseId } from './ids.ts';

/** `exit`: the session ended on its own; `lease-end`: the session guard cut it when the lease ended. */
export const SESSION_END_CAUSES = ['exit', 'lease-end'] as const;
export type SessionEndCause = (typeof SESSION_END_CAUSES)[number];

export interface SessionRecording {
  readonly id: string;
  readonly leaseId: LeaseId;
  /** When jitd stored it. */
  readonly receivedAt: Date;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly endedBy: SessionEndCause;
  /** The host's name for itself and the account the session ran as, as the host reported them. */
  readonly host: string;
  readonly login: string;
  /** The command the client asked for; absent for an interactive login shell. */
  readonly command?: string;
  /** A terminal was recorded; without one (scp, sftp, a command without -t) only the facts are kept. */
  readonly terminal: boolean;
  /** The network address the upload came from. */
  readonly uploadedFrom: string;
  readonly bytes: number;
  readonly sha256: string;
  /** The host cut the transcript at the configured limit. */
  readonly truncated: boolean;
}

/**
 * Hosts may upload a lease's sessions until a day after the lease's end: a guarded session never runs past
 * the end (the guard cuts it), and the day leaves room for an upload retried after jitd was down.
 */
export const SESSION_UPLOAD_WINDOW_MS = 24 * 3_600_000;

export function sessionUploadDeadline(leaseExpiresAt: Date): Date {
  return new Date(leaseExpiresAt.getTime() + SESSION_UPLOAD_WINDOW_MS);
}
