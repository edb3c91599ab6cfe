// The `jitd` command line.
import { Command, CommanderError, Option } from 'commander';
import { JitdError } from '../core/errors.ts';
import { UnreachableError } from './client.ts';
import { registerAccessCommands } from './commands/access.ts';
import { registerApprovalCommands } from './commands/approvals.ts';
import { registerNotificationCommands } from './commands/notifications.ts';
import { registerAuditCommands } from './commands/audit.ts';
import { registerReportCommands } from './commands/report.ts';
import { ConfigProblems } from './commands/config-file.ts';
import { registerLoginCommands } from './commands/login.ts';
import { registerServerCommands } from './commands/server-side.ts';
import { registerSessionCommands } from './commands/session.ts';
import { registerSshCommands } from './commands/ssh.ts';
import { registerTokenCommands } from './commands/token.ts';
import { registerViewCommands } from './commands/views.ts';
import { EXIT, EXIT_BY_KIND, EXIT_CODES_HELP } from './exit-codes.ts';

export function buildProgram(): Command {
  const program = new Command('jitd')
    .description('just-in-time privileged access: ask for a role, get it now, lose it on time')
    .option('--server <url>', 'jitd server URL (env JITD_URL; default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env JITD_TOKEN)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\nThe server URL and token can also be kept in ~/.config/jitd/cli.json as {"server": "...", "token": "..."}.\n\n${EXIT_CODES_HELP}`);
  registerAccessCommands(program);
  registerApprovalCommands(program);
  registerNotificationCommands(program);
  registerSshCommands(program);
  registerSessionCommands(program);
  registerViewCommands(program);
  registerAuditCommands(program);
  registerReportCommands(program);
  registerServerCommands(program);
  registerTokenCommands(program);
  registerLoginCommands(program);
  // Subcommands report usage errors through the same path, so scripts see exit code 2.
  program.exitOverride();
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  return program;
}

function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof ConfigProblems) return error.exitCode;
  if (error instanceof UnreachableError) return EXIT.unreachable;
  if (error instanceof JitdError) return EXIT_BY_KIND[error.kind];
  return EXIT.failure;
}

/** `jitd … | head`: the reader went away, which is not an error of ours; stop quietly as other CLIs do. */
function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  exitQuietlyOnClosedPipe();
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (!(error instanceof CommanderError)) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`jitd: ${message}\n`);
      if (error instanceof JitdError) for (const issue of error.issues.length > 1 ? error.issues : []) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
    }
    return exitCodeOf(error);
  }
}

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
