// jitd audit: search the audit trail (filters, newest first, a page at a time), and verify / export it — through
// the server's API, or for verify and export straight from a store file, read-only: the one named in a config
// (--config, for when the server is down) or any copy of it (--db, e.g. a backup).
//
// The filters (--principal, --role, --type, --since, --until, --request, --lease) are options of `jitd audit`
// itself, so `jitd audit export` takes them too (commander gives a parent's options to its subcommands).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Command } from 'commander';
import { exportAuditJsonLines } from '../../audit/export.ts';
import { verifyAuditChain, type ChainVerification } from '../../audit/verify.ts';
import { InvalidInputError } from '../../core/errors.ts';
import type { AuditFilter, Store } from '../../store/store.ts';
import { contextOf } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { emit, table, when } from '../output.ts';
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

/** The search's filters, as flags of `jitd audit` (their API names are in `auditQueryOf`). */
interface FilterFlags {
  principal?: string;
  role?: string;
  type?: string;
  since?: string;
  until?: string;
  request?: string;
  lease?: string;
}

/** Paging of the listing; meaningless for export and verify. */
interface PageFlags {
  limit?: string;
  before?: string;
  after?: string;
  oldestFirst?: boolean;
}

const FILTER_FLAGS: readonly (keyof FilterFlags)[] = ['principal', 'role', 'type', 'since', 'until', 'request', 'lease'];
const PAGE_FLAGS: readonly [keyof PageFlags, string][] = [
  ['limit', '--limit'],
  ['before', '--before'],
  ['after', '--after'],
  ['oldestFirst', '--oldest-first'],
];

/** The filters as GET /v1/audit and /v1/audit/export name them. */
function auditQueryOf(flags: FilterFlags): Record<string, string | undefined> {
  return { principal: flags.principal, role: flags.role, type: flags.type, since: flags.since, until: flags.until, requestId: flags.request, leaseId: flags.lease };
}

/** The store filter for a file read directly: the API's own schema and rules, with this machine's clock. */
async function offlineFilter(flags: FilterFlags): Promise<AuditFilter> {
  const { auditExportQuery } = await import('../../api/schemas.ts');
  const { auditFilterOf } = await import('../../api/audit-filter.ts');
  const query = Object.fromEntries(Object.entries(auditQueryOf(flags)).filter(([, v]) => v !== undefined));
  const parsed = auditExportQuery.safeParse(query);
  if (!parsed.success) throw InvalidInputError.of(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  return auditFilterOf(parsed.data, new Date());
}

function refuseFlags(what: string, given: readonly string[]): void {
  if (given.length > 0) throw new InvalidInputError(`${what}: ${given.join(', ')} ${given.length === 1 ? 'does' : 'do'} not apply here`);
}

interface AuditEventJson {
  seq: number;
  at: string;
  type: string;
  actor: string;
  requestId?: string;
  leaseId?: string;
  data: Record<string, unknown>;
}

const DETAILS_WIDTH = 100;

/** An event's data on one line: key=value, cut to a terminal's width. */
function detailsText(data: Record<string, unknown>): string {
  const text = Object.entries(data)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return text.length > DETAILS_WIDTH ? `${text.slice(0, DETAILS_WIDTH - 1)}…` : text;
}

export function auditEventsText(body: { events: AuditEventJson[]; next?: number }, oldestFirst: boolean): string {
  if (body.events.length === 0) return 'no audit events match';
  const rows = table(
    ['SEQ', 'AT', 'TYPE', 'ACTOR', 'ABOUT', 'DETAILS'],
    body.events.map((e) => [String(e.seq), when(e.at), e.type, e.actor, e.leaseId ?? e.requestId ?? '-', detailsText(e.data)]),
  );
  return body.next === undefined ? rows : `${rows}\nmore: run again with ${oldestFirst ? '--after' : '--before'} ${body.next}`;
}

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('search the tamper-evident audit trail (admins and auditors), newest first; verify or export it')
    .option('--principal <id>', 'events this principal did, or that are about them (their requests, leases, sign-ins, tokens)')
    .option('--role <name>', 'events about this role')
    .option('--type <types>', 'comma-separated event types, e.g. lease.revoke_failed,lease.revoked (all: docs/audit-events.md)')
    .option('--since <time>', 'at or after: 24h or 7d (ago), 2026-11-24 (UTC) or an ISO 8601 time with a zone')
    .option('--until <time>', 'before (not including): the same forms as --since')
    .option('--request <id>', 'events of this request (req-…)')
    .option('--lease <id>', 'events of this lease')
    .option('--limit <n>', 'at most this many events (1-1000, default 100)')
    .option('--before <seq>', 'the next page back: events before this sequence number (what "more:" says)')
    .option('--after <seq>', 'events after this sequence number (with --oldest-first: the next page)')
    .option('--oldest-first', 'chain order, oldest first (default: newest first)')
    .addHelpText(
      'after',
      `
The filters also apply to \`jitd audit export\` (put them before or after "export").

Examples:
  jitd audit --principal alice --since 7d
  jitd audit --type lease.revoke_failed,lease.revoked --since 2026-11-01 --until 2026-12-01
  jitd audit --role domain-admins --before 4711         (the next page back)
  jitd audit export --principal alice --since 30d --out alice.jsonl`,
    )
    .action(async (opts: FilterFlags & PageFlags, command: Command) => {
      const { client, format } = contextOf(command);
      const body = await client.get<{ events: AuditEventJson[]; next?: number }>('/v1/audit', {
        ...auditQueryOf(opts),
        order: opts.oldestFirst ? 'asc' : 'desc',
        limit: opts.limit,
        beforeSeq: opts.before,
        afterSeq: opts.after,
      });
      emit(format, body, () => auditEventsText(body, opts.oldestFirst === true));
    });

  audit
    .command('verify')
    .description('recompute the hash chain and name the first event that was edited, removed or reordered')
    .option('-c, --config <file>', 'read the store named in this config directly (read-only) instead of asking the server')
    .option('--db <file>', 'read this SQLite store file directly (read-only), e.g. a backup copy')
    .action(async (opts: StoreFlags, command: Command) => {
      const all = command.optsWithGlobals<FilterFlags & PageFlags>();
      refuseFlags('jitd audit verify checks the whole chain', [...FILTER_FLAGS.filter((f) => all[f] !== undefined).map((f) => `--${f}`), ...PAGE_FLAGS.filter(([f]) => all[f] !== undefined).map(([, flag]) => flag)]);
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
    .description('write the audit events as JSON lines, each line verifiable on its own: all of them, or those matching the filters of jitd audit')
    .option('--out <file>', 'write to this file instead of standard output')
    .option('-c, --config <file>', 'read the store named in this config directly (read-only) instead of asking the server')
    .option('--db <file>', 'read this SQLite store file directly (read-only), e.g. a backup copy')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      'after',
      `
With filters (--principal, --role, --type, --since, --until, --request, --lease: see jitd audit --help) only the
matching events are written. Each line still verifies on its own; the prevHash links between the lines of a
filtered export skip the events left out, so check the whole chain with jitd audit verify.`,
    )
    .action(async (opts: StoreFlags & { out?: string }, command: Command) => {
      const all = command.optsWithGlobals<FilterFlags & PageFlags>();
      refuseFlags('jitd audit export writes every matching event', PAGE_FLAGS.filter(([f]) => all[f] !== undefined).map(([, flag]) => flag));
      // The filters are checked (here, or by the server) before the output file is created: a bad one leaves nothing behind.
      const filter = offline(opts) ? await offlineFilter(all) : undefined;
      const response = filter === undefined ? await contextOf(command).client.stream('/v1/audit/export', auditQueryOf(all)) : undefined;
      const out = opts.out ? createWriteStream(opts.out) : process.stdout;
      let count: number;
      if (response === undefined) {
        count = await withStore(opts, (store) => exportAuditJsonLines(store.readAuditRows(filter), out));
      } else {
        count = 0;
        for await (const chunk of response) {
          // One event per line; fetch hands out Uint8Arrays (not Buffers), so count the newline bytes.
          count += chunk.reduce((lines, byte) => lines + (byte === 0x0a ? 1 : 0), 0);
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
