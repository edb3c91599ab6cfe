// The one place where a SessionRecording becomes a `session_recordings` row and back.
import type { Selectable } from 'kysely';
import type { LeaseId } from '../../core/ids.ts';
import type { SessionEndCause, SessionRecording } from '../../core/session-recording.ts';
import type { SessionRecordingsTable } from './schema.ts';

export function sessionRecordingToRow(recording: SessionRecording, content: Uint8Array): SessionRecordingsTable {
  return {
    id: recording.id,
    lease_id: recording.leaseId,
    received_at: recording.receivedAt.getTime(),
    started_at: recording.startedAt.getTime(),
    ended_at: recording.endedAt.getTime(),
    ended_by: recording.endedBy,
    host: recording.host,
    login: recording.login,
    command: recording.command ?? null,
    terminal: recording.terminal ? 1 : 0,
    uploaded_from: recording.uploadedFrom,
    bytes: recording.bytes,
    sha256: recording.sha256,
    truncated: recording.truncated ? 1 : 0,
    content,
  };
}

export function sessionRecordingFromRow(row: Omit<Selectable<SessionRecordingsTable>, 'content'>): SessionRecording {
  return {
    id: row.id,
    leaseId: row.lease_id as LeaseId,
    receivedAt: new Date(row.received_at),
    startedAt: new Date(row.started_at),
    endedAt: new Date(row.ended_at),
    endedBy: row.ended_by as SessionEndCause,
    host: row.host,
    login: row.login,
    ...(row.command === null ? {} : { command: row.command }),
    terminal: row.terminal === 1,
    uploadedFrom: row.uploaded_from,
    bytes: Number(row.bytes),
    sha256: row.sha256,
    truncated: row.truncated === 1,
  };
}
