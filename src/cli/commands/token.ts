// jitd token generate / hash: making API tokens for the `identities.tokens` section of jitd.yaml.
// jitd token create / list / revoke: tokens jitd issues and stores (API tokens for automation, and the
// sign-in sessions listed alongside so that a stolen one can be ended).
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { sha256Hex } from '../../api/auth.ts';
import type { TokenView } from '../../api/identity-routes.ts';
import { contextOf } from '../context.ts';
import { emit, parseOutputFormat, table, when } from '../output.ts';

function tokenRows(tokens: readonly TokenView[]): string {
  return (
    table(
      ['ID', 'KIND', 'PRINCIPAL', 'SCOPES', 'EXPIRES', 'LAST USED', 'DESCRIPTION'],
      tokens.map((t) => [
        `${t.id}${t.current === true ? ' *' : ''}`,
        t.revokedAt === undefined ? t.kind : `${t.kind} (revoked)`,
        t.principal,
        t.scopes.join(','),
        when(t.expiresAt),
        when(t.lastUsedAt),
        t.description ?? '',
      ]),
    ) || 'no tokens'
  );
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens: issued by jitd (create, list, revoke) or configured as SHA-256 hashes in jitd.yaml (generate, hash)');
  token
    .command('create')
    .description('create an API token for yourself (shown once)')
    .option('--description <text>', 'what the token is for')
    .option('--scope <scopes>', 'comma-separated: read, request, approve, admin, audit, host (default read,request)')
    .option('--expires-in <duration>', 'lifetime, e.g. 30d, 90d, 1y (default 90d, at most 1y)')
    .action(async (opts: { description?: string; scope?: string; expiresIn?: string }, command: Command) => {
      const { client, format } = contextOf(command);
      const scopes = opts.scope?.split(',').map((s) => s.trim()).filter((s) => s !== '');
      const created = await client.post<{ token: string; info: TokenView }>('/v1/tokens', {
        ...(opts.description === undefined ? {} : { description: opts.description }),
        ...(scopes === undefined ? {} : { scopes }),
        ...(opts.expiresIn === undefined ? {} : { expiresIn: opts.expiresIn }),
      });
      emit(format, created, () =>
        [`token (shown once; jitd keeps only its hash): ${created.token}`, `id ${created.info.id}, scopes ${created.info.scopes.join(', ')}, expires ${when(created.info.expiresAt)}`].join('\n'),
      );
    });
  token
    .command('list')
    .description('your sessions and API tokens (admins: --principal or --all)')
    .option('--principal <id>', "someone else's tokens (admins)")
    .option('--all', "everyone's tokens (admins)")
    .option('--include-ended', 'also expired and revoked ones')
    .action(async (opts: { principal?: string; all?: boolean; includeEnded?: boolean }, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<{ tokens: TokenView[] }>('/v1/tokens', {
        principal: opts.principal,
        all: opts.all === true ? 'true' : undefined,
        includeEnded: opts.includeEnded === true ? 'true' : undefined,
      });
      emit(format, body, () => tokenRows(body.tokens));
    });
  token
    .command('revoke')
    .description('end a token or session now')
    .argument('<id>', 'the token id (from jitd token list)')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.post<{ token: TokenView }>(`/v1/tokens/${encodeURIComponent(id)}/revoke`, {});
      emit(format, body, () => `revoked ${body.token.id} (${body.token.kind} of ${body.token.principal}) at ${when(body.token.revokedAt)}`);
    });
  token
    .command('generate')
    .description('print a new random token and the config entry that accepts it')
    .requiredOption('--principal <id>', 'who the token identifies')
    .option('--group <name...>', 'groups of the principal (repeatable)')
    .action((opts: { principal: string; group?: string[] }, command: Command) => {
      const format = parseOutputFormat(command.optsWithGlobals<{ output: string }>().output);
      const value = `jitd_${randomBytes(24).toString('base64url')}`;
      const hash = sha256Hex(value);
      const groups = opts.group ?? [];
      emit(format, { token: value, tokenSha256: hash, principal: opts.principal, groups }, () =>
        [
          `token (give it to ${opts.principal}; it is not stored anywhere): ${value}`,
          '',
          'add to jitd.yaml under identities.tokens:',
          `  - principal: ${opts.principal}`,
          `    groups: [${groups.join(', ')}]`,
          `    tokenSha256: "${hash}"`,
        ].join('\n'),
      );
    });
  token
    .command('hash')
    .description('print the SHA-256 of a token (read from standard input when not given)')
    .argument('[token]', 'the token (prefer standard input: arguments end up in shell history)')
    .action(async (value: string | undefined, _opts: unknown, command: Command) => {
      const format = parseOutputFormat(command.optsWithGlobals<{ output: string }>().output);
      const hash = sha256Hex(value ?? (await readStdin()));
      emit(format, { tokenSha256: hash }, () => hash);
    });
}
