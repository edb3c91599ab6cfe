// jitd token generate / hash: making API tokens for the `identities.tokens` section of jitd.yaml.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { sha256Hex } from '../../api/auth.ts';
import { emit, parseOutputFormat } from '../output.ts';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens (configured as SHA-256 hashes in jitd.yaml)');
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
