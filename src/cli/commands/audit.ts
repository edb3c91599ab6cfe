// jitd audit verify / export: through the server's API, or straight from a store file, read-only: the one named
// in a config (--config, for when the server is down) or any copy of it (--db, e.g. a backup).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { exportAuditJsonLines } from '../../audit/export.ts';
import { verifyAuditChain, type ChainVerification } from '../../audit/verify.ts';
import type { Store } from '../../store/store.ts';
import { contextOf } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { emit } from '../output.ts';
import { configPathOf, loadConfigOrThrow } from './config-file.ts';

interface StoreFlags {
  config?: string;
  db?: string;
}

const offline = (flags: StoreFlags) => flags.config !== undefined || flags.db !== undefined;

async function withStore<T>(flags: StoreFlags, run: (store: Store) => Promise<T>): Promise<T> {
  // Loaded here only: the store and config code are not needed by the API path.
  const { openSqliteStore } = await import('../../store/sqlite/open.ts');
  const path = flags.db ?? (await loadConfigOrThrow(configPathOf(flags.config))).store.path;
  const store = await openSqliteStore(path, { readonly: true });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the tamper-evident audit trail');
  audit
    .command('verify')
    .description('recompute the hash chain and name the first event that was edited, removed or reordered')
    .option('-c, --config <file>', 'read the store named in this config directly (read-only) instead of asking the server')
    .option('--db <file>', 'read this SQLite store file directly (read-only), e.g. a backup copy')
    .action(async (opts: StoreFlags, command: Command) => {
      const { client, format } = contextOf(command);
      const result = offline(opts)
        ? await withStore(opts, async (store) => verifyAuditChain(store.readAuditRows(), await store.auditHead()))
        : await client.get<ChainVerification>('/v1/audit/verify');
      emit(format, result, () =>
        result.ok
          ? `audit chain OK: ${result.count} events${result.head ? `, head #${result.head.seq} ${result.head.hash}` : ''}`
          : `audit chain BROKEN after checking ${result.count} events: ${result.problem?.message ?? 'unknown problem'}`,
      );
      if (!result.ok) process.exitCode = EXIT.checkFailed;
    });

  audit
    .command('export')
    .description('write every audit event as JSON lines (each line verifiable on its own)')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('-c, --config <file>', 'read the store named in this config directly (read-only) instead of asking the server')
    .option('--db <file>', 'read this SQLite store file directly (read-only), e.g. a backup copy')
    .action(async (opts: StoreFlags & { out?: string }, command: Command) => {
      const out = opts.out ? createWriteStream(opts.out) : process.stdout;
      let count: number;
      if (offline(opts)) {
        count = await withStore(opts, (store) => exportAuditJsonLines(store.readAuditRows(), out));
      } else {
        const { client } = contextOf(command);
        const response = await client.stream('/v1/audit/export');
        count = 0;
        for await (const chunk of response) {
          count += (chunk as Buffer).toString('utf8').split('\n').length - 1;
          if (!out.write(chunk)) await once(out, 'drain');
        }
      }
      if (opts.out) {
        (out as ReturnType<typeof createWriteStream>).end();
        await once(out, 'finish');
        process.stderr.write(`wrote ${count} events to ${opts.out}\n`);
      }
    });
}
