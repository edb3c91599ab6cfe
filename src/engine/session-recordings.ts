// SSH session transcripts: a host's session guard uploads one per session, authorized by the per-lease
// token its certificate carries; holders of the lease, admins and auditors read them back. The recording
// and its `session.recorded` audit event (with the transcript's SHA-256) are committed together.
import { createHash } from 'node:crypto';
import { ConflictError, JitdError, NotFoundError } from '../core/errors.ts';
import { LeaseId } from '../core/ids.ts';
import { sessionUploadDeadline, type SessionRecording } from '../core/session-recording.ts';
import type { Broker } from './broker.ts';
import type { Caller } from './caller.ts';

/** What the session guard sends: the recording's facts as the host states them, its token and its bytes. */
export type SessionUpload = Omit<SessionRecording, 'id' | 'leaseId' | 'receivedAt' | 'bytes' | 'sha256'> & {
  readonly leaseId: string;
  /** The bearer token the upload came with. */
  readonly token: string | undefined;
  readonly content: Uint8Array;
};

export interface SessionRecordings {
  record(upload: SessionUpload): Promise<SessionRecording>;
  list(caller: Caller, leaseId: string): Promise<readonly SessionRecording[]>;
  read(caller: Caller, recordingId: string): Promise<{ readonly recording: SessionRecording; readonly content: Uint8Array }>;
}

const invalidToken = () => new JitdError('unauthenticated', 'invalid session upload token for this lease');

export function sessionRecordings(broker: Broker): SessionRecordings {
  const { store, connectors, clock, newId } = broker.deps;
  return {
    async record(upload) {
      if (upload.token === undefined) throw new JitdError('unauthenticated', 'missing session upload token (send "Authorization: Bearer <token>" as the session guard does)');
      const lease = await store.getLease(LeaseId(upload.leaseId));
      // The same answer for an unknown lease and a wrong token: the endpoint is open to hosts, not people.
      if (!lease) throw invalidToken();
      const connector = connectors.get(lease.connector);
      if (!connector?.acceptsSessionUpload?.(lease.grantRecord, upload.token)) throw invalidToken();
      const now = clock.now();
      const deadline = sessionUploadDeadline(lease.expiresAt);
      if (now.getTime() > deadline.getTime()) throw new ConflictError(`lease ${lease.id} took session uploads until ${deadline.toISOString()}`);
      const recording: SessionRecording = {
        id: newId('ses'),
        leaseId: lease.id,
        receivedAt: now,
        startedAt: upload.startedAt,
        endedAt: upload.endedAt,
        endedBy: upload.endedBy,
        host: upload.host,
        login: upload.login,
        ...(upload.command === undefined ? {} : { command: upload.command }),
        terminal: upload.terminal,
        uploadedFrom: upload.uploadedFrom,
        bytes: upload.content.byteLength,
        sha256: createHash('sha256').update(upload.content).digest('hex'),
        truncated: upload.truncated,
      };
      const { id, leaseId, receivedAt, startedAt, endedAt, ...facts } = recording;
      await store.commit({
        insertSessionRecordings: [{ recording, content: upload.content }],
        events: [
          {
            type: 'session.recorded',
            at: now,
            actor: lease.principal,
            requestId: lease.requestId,
            leaseId,
            data: { recordingId: id, startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString(), ...facts },
          },
        ],
      });
      broker.deps.log.info({ leaseId, recordingId: id, host: recording.host, bytes: recording.bytes, receivedAt }, 'session recorded');
      return recording;
    },

    async list(caller, leaseId) {
      const lease = await broker.getLease(caller, leaseId);
      return store.listSessionRecordings(lease.id);
    },

    async read(caller, recordingId) {
      const found = await store.readSessionRecording(recordingId);
      if (!found) throw new NotFoundError(`no session recording ${recordingId}`);
      try {
        await broker.getLease(caller, found.recording.leaseId);
      } catch (err) {
        if (err instanceof NotFoundError) throw new NotFoundError(`no session recording ${recordingId}`);
        throw err;
      }
      return found;
    },
  };
}
