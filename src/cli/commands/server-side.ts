// jitd serve / config check: the commands that read jitd.yaml.
import type { Command } from 'commander';
import { EXIT } from '../exit-codes.ts';
import { emit, parseOutputFormat } from '../output.ts';
import { configPathOf, loadConfigOrThrow } from './config-file.ts';

// The server side (store, connectors, HTTP) is loaded only by the commands that need it, so that the
// everyday client commands start fast.

export function registerServerCommands(program: Command): void {
  program
    .command('serve')
    .description('run the jitd server: API, expiry scheduler and reconciler (refuses an invalid config)')
    .option('-c, --config <file>', 'configuration file (default: $JITD_CONFIG or ./jitd.yaml)')
    .action(async (opts: { config?: string }) => {
      const { startJitd } = await import('../../serve/start-jitd.ts');
      const config = await loadConfigOrThrow(configPathOf(opts.config));
      const jitd = await startJitd(config);
      process.stderr.write(`jitd ${config.roles.length} role(s) listening on ${jitd.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`jitd: ${signal}, stopping…\n`);
          jitd.close().then(resolve, resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });

  const config = program.command('config').description('work with jitd.yaml');
  config
    .command('check')
    .description('validate the configuration and print every problem as FILE:LINE:COL path: message')
    .option('-c, --config <file>', 'configuration file (default: $JITD_CONFIG or ./jitd.yaml)')
    .action(async (opts: { config?: string }, command: Command) => {
      const format = parseOutputFormat(command.optsWithGlobals<{ output: string }>().output);
      const path = configPathOf(opts.config);
      const { loadConfig } = await import('../../config/load.ts');
      const { formatIssue } = await import('../../config/issue.ts');
      const { config: loaded, issues } = await loadConfig(path);
      emit(format, { ok: issues.length === 0, file: path, issues }, () =>
        issues.length === 0
          ? `${path}: OK (${loaded?.roles.length ?? 0} roles, ${loaded?.connectors.size ?? 0} connectors, ${loaded?.identities.tokens.length ?? 0} token identities)`
          : `${issues.map((i) => formatIssue(i)).join('\n')}\n${issues.length} problem${issues.length === 1 ? '' : 's'}`,
      );
      if (issues.length > 0) process.exitCode = EXIT.checkFailed;
    });
}
