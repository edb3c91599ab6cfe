// jitd session list / show: the SSH sessions hosts recorded for a lease ("what did they do").
import type { Command } from 'commander';
import type { SessionView } from '../../api/views.ts';
import { NotFoundError } from '../../core/errors.ts';
import { contextOf } from '../context.ts';
import { emit, table, when } from '../output.ts';

async function bytesOf(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function what(session: SessionView): string {
  return session.command ?? 'login shell';
}

function heading(session: SessionView): string {
  const end = session.endedBy === 'lease-end' ? 'cut at the lease end' : 'ended';
  const facts = [
    `${session.login}@${session.host}`,
    `${what(session)}`,
    `${when(session.startedAt)} to ${when(session.endedAt)} (${end})`,
    `${session.bytes} bytes${session.truncated ? ', truncated at the limit' : ''}`,
    `sha256 ${session.sha256}`,
  ];
  return `=== session ${session.id}: ${facts.join('; ')} ===`;
}

export function registerSessionCommands(program: Command): void {
  const session = program.command('session').description('SSH sessions recorded for a lease (roles with recordSessions)');

  session
    .command('list')
    .description("a lease's recorded sessions, oldest first")
    .argument('<lease>', 'a lease id')
    .action(async (leaseId: string, _opts: unknown, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<{ sessions: SessionView[] }>(`/v1/leases/${encodeURIComponent(leaseId)}/sessions`);
      emit(format, body, () =>
        body.sessions.length === 0
          ? `no recorded sessions for ${leaseId}`
          : table(
              ['SESSION', 'HOST', 'LOGIN', 'STARTED', 'ENDED', 'END', 'BYTES', 'COMMAND'],
              body.sessions.map((s) => [s.id, s.host, s.login, when(s.startedAt), when(s.endedAt), s.endedBy, String(s.bytes) + (s.truncated ? '+' : ''), what(s)]),
            ),
      );
    });

  session
    .command('show')
    .description("what was done: the transcripts of a lease's sessions (or of one session), as the terminal showed them")
    .argument('<lease>', 'a lease id')
    .option('--session <id>', 'only this session (ses-…)')
    .option('--raw', 'only the transcript bytes, without headings (for a file or a terminal replay)')
    .addHelpText(
      'after',
      `
Transcripts hold the terminal's output with its control sequences: shown on a terminal they look as they
did. Use -o json for the facts with each transcript as text, or --raw > file to keep the exact bytes; the
sha256 in the listing and in the audit event (session.recorded) is of those bytes.`,
    )
    .action(async (leaseId: string, opts: { session?: string; raw?: boolean }, command: Command) => {
      const { client, format } = contextOf(command);
      const { sessions } = await client.get<{ sessions: SessionView[] }>(`/v1/leases/${encodeURIComponent(leaseId)}/sessions`);
      const chosen = opts.session === undefined ? sessions : sessions.filter((s) => s.id === opts.session);
      if (opts.session !== undefined && chosen.length === 0) {
        throw new NotFoundError(`lease ${leaseId} has no recorded session ${opts.session} (see jitd session list ${leaseId})`);
      }
      const transcripts = await Promise.all(chosen.map(async (s) => bytesOf(await client.stream(`/v1/sessions/${encodeURIComponent(s.id)}/transcript`))));
      if (format === 'json') {
        emit(format, { sessions: chosen.map((s, i) => ({ ...s, transcript: transcripts[i]?.toString('utf8') ?? '' })) }, () => '');
        return;
      }
      if (chosen.length === 0) {
        process.stdout.write(`no recorded sessions for ${leaseId}\n`);
        return;
      }
      chosen.forEach((s, i) => {
        if (!opts.raw) process.stdout.write(`${heading(s)}\n`);
        const bytes = transcripts[i] ?? Buffer.alloc(0);
        process.stdout.write(bytes);
        if (!opts.raw) process.stdout.write(s.terminal ? '\n' : '(no terminal: output not recorded)\n');
      });
    });
}
