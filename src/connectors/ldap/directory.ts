// The LDAP core shared by the `ldap` and `ad` connectors: one bound session, every error classified into
// a ConnectorError, and the three group-membership operations with the result codes that mean "already
// done" on OpenLDAP and on Active Directory. What differs between directories (how a principal becomes
// a member value, placeholders, native expiry) stays in the connectors.
import { readFileSync } from 'node:fs';
import { Attribute, Change } from 'ldapts';
import type { Client, Control } from 'ldapts';
import { ConnectorError } from '../connector.ts';
import { LdapResult, classifyLdapError, ldapResultCode } from './errors.ts';
import type { LdapErrorContext } from './errors.ts';
import { createLdapSession } from './session.ts';

/** The connection part of an LDAP-based connector's config (`ldap` and `ad` share it). */
export interface DirectoryConfig {
  readonly url: string;
  readonly startTls: boolean;
  readonly tls: { readonly caFile?: string; readonly serverName?: string; readonly rejectUnauthorized: boolean };
  readonly bindDn: string;
  readonly timeoutMs: number;
}

export interface DirectoryOptions {
  readonly connector: string;
  readonly config: DirectoryConfig;
  readonly bindPassword: string;
  /** Said after "insufficient access rights" when the service account may not change a group. */
  readonly accessHint: string;
}

/**
 * An entry to act on: a DN, or a DN (which may be an AD extended DN such as `<GUID=…>`) with the name
 * messages should use for it.
 */
export type EntryRef = string | { readonly dn: string; readonly label: string };

const dnOf = (ref: EntryRef): string => (typeof ref === 'string' ? ref : ref.dn);
const labelOf = (ref: EntryRef): string => (typeof ref === 'string' ? ref : ref.label);

/** What adding a member value did. */
export type AddOutcome = 'added' | 'present';
/** What removing a member value did; `last-member` means the group's object class needs one member. */
export type RemoveOutcome = 'removed' | 'absent' | 'last-member';

export interface Directory {
  readonly connector: string;
  /** Runs `op` on the bound session; anything thrown comes out as a ConnectorError described by `action`. */
  run<T>(action: string, group: string | undefined, op: (client: Client) => Promise<T>): Promise<T>;
  /** Like `run`, but an LDAP result code in `accept` is returned instead of thrown (undefined: success). */
  runAccepting(action: string, group: string | undefined, accept: readonly number[], op: (client: Client) => Promise<void>): Promise<number | undefined>;
  /**
   * Adds `value` to the group's `member`. "Already there" is success. `member` is what a compare can
   * confirm with (it differs from `value` when the value carries a TTL).
   */
  addMember(group: EntryRef, member: EntryRef, value?: string): Promise<AddOutcome>;
  removeMember(group: EntryRef, member: EntryRef): Promise<RemoveOutcome>;
  /** Does the group list `member` in `member` now? Answered by the directory with an LDAP compare. */
  hasMember(group: EntryRef, member: EntryRef): Promise<boolean>;
  /**
   * Every value of `attribute` of the entry. A server may answer with a slice (`member;range=0-1499`, as AD
   * does for big groups); the rest is asked for until the slice that ends in `*`. With `pageSize`, slices
   * are asked for from the start (servers that cut at their own limit then still answer every request).
   */
  readAll(dn: string, attribute: string, options?: { readonly pageSize?: number; readonly controls?: Control | Control[] }): Promise<{ found: boolean; values: string[] }>;
  close(): Promise<void>;
}

export const memberChange = (operation: 'add' | 'delete', value: string): Change =>
  new Change({ operation, modification: new Attribute({ type: 'member', values: [value] }) });

function readCa(connector: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConnectorError(connector, `cannot read tls.caFile ${file}: ${(err as Error).message}`, { retryable: false, cause: err });
  }
}

/** The values of `attribute` in a search entry (attribute names compared case-insensitively). */
export function valuesOf(entry: Record<string, unknown> | undefined, attribute: string): string[] {
  return rawValuesOf(entry, attribute).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/** Like `valuesOf`, but binary values stay Buffers (objectGUID, objectSid). */
export function rawValuesOf(entry: Record<string, unknown> | undefined, attribute: string): unknown[] {
  if (!entry) return [];
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

// `member;range=0-1499` or `member;range=1500-*` as the directory names a partial answer.
const RANGE = /^([^;]+);range=(\d+)-(\d+|\*)$/i;

/**
 * The slice of `attribute` in an answer: its values and where it ended (undefined: it was the last, `-*`).
 * Samba may name two slices for one request (the asked-for range, empty, and the `-*` one that holds the
 * values): the last slice wins, then the fullest.
 */
function rangedSlice(entry: Record<string, unknown>, attribute: string): { values: string[]; end?: number } | undefined {
  const slices = Object.keys(entry)
    .map((key) => ({ key, match: RANGE.exec(key) }))
    .filter(({ match }) => match?.[1]?.toLowerCase() === attribute.toLowerCase())
    .map(({ key, match }) => ({ values: valuesOf(entry, key), end: match?.[3] === '*' ? undefined : Number(match?.[3]) }));
  if (slices.length === 0) return undefined;
  const last = slices.find((s) => s.end === undefined);
  return last ?? slices.reduce((a, b) => (b.values.length > a.values.length ? b : a));
}

export function createDirectory({ connector: name, config, bindPassword, accessHint }: DirectoryOptions): Directory {
  const options = { ...config, bindPassword, accessHint };
  const session = createLdapSession({
    url: options.url,
    startTls: options.startTls,
    tls: {
      ...(options.tls.caFile !== undefined ? { ca: readCa(name, options.tls.caFile) } : {}),
      ...(options.tls.serverName !== undefined ? { serverName: options.tls.serverName } : {}),
      rejectUnauthorized: options.tls.rejectUnauthorized,
    },
    bindDn: options.bindDn,
    bindPassword: options.bindPassword,
    timeoutMs: options.timeoutMs,
  });
  let closed = false;

  const context = (action: string, group: string | undefined): LdapErrorContext => ({
    connector: name,
    url: options.url,
    bindDn: options.bindDn,
    timeoutMs: options.timeoutMs,
    action,
    accessHint: options.accessHint,
    ...(group !== undefined ? { group } : {}),
  });

  const run = async <T>(action: string, group: string | undefined, op: (client: Client) => Promise<T>): Promise<T> => {
    if (closed) throw new ConnectorError(name, 'the connector is closed', { retryable: false });
    try {
      return await session.run(op);
    } catch (err) {
      throw classifyLdapError(err, context(action, group));
    }
  };

  const runAccepting = async (
    action: string,
    group: string | undefined,
    accept: readonly number[],
    op: (client: Client) => Promise<void>,
  ): Promise<number | undefined> => {
    try {
      await run(action, group, op);
      return undefined;
    } catch (err) {
      const code = ldapResultCode(err instanceof ConnectorError ? err.cause : err);
      if (code !== undefined && accept.includes(code)) return code;
      throw err;
    }
  };

  const hasMember = async (group: EntryRef, member: EntryRef): Promise<boolean> => {
    try {
      // A compare answers exactly this question and, unlike a filtered search, fails loudly when the
      // service account may not read `member` instead of looking like "not a member".
      return await run(`read member ${labelOf(member)} of ${labelOf(group)}`, labelOf(group), (client) => client.compare(dnOf(group), 'member', dnOf(member)));
    } catch (err) {
      // The group has no `member` value at all (OpenLDAP with some schemas, AD for an empty group): nobody holds it.
      if (err instanceof ConnectorError && ldapResultCode(err.cause) === LdapResult.noSuchAttribute) return false;
      throw err;
    }
  };

  return {
    connector: name,
    run,
    runAccepting,
    hasMember,

    addMember: async (group, member, value = dnOf(member)) => {
      const action = `add ${labelOf(member)} to ${labelOf(group)}`;
      // 20 typeOrValueExists: already a member (OpenLDAP). 68 entryAlreadyExists: the same, said by AD —
      // confirmed with a read because 68 is not specific to member values.
      const code = await runAccepting(action, labelOf(group), [LdapResult.typeOrValueExists, LdapResult.alreadyExists], (client) =>
        client.modify(dnOf(group), memberChange('add', value)),
      );
      if (code === undefined) return 'added';
      if (code === LdapResult.alreadyExists && !(await hasMember(group, member))) {
        throw new ConnectorError(name, `cannot ${action}: the server says it already exists, but it is not a member`, { retryable: false });
      }
      return 'present';
    },

    removeMember: async (group, member) => {
      const action = `remove ${labelOf(member)} from ${labelOf(group)}`;
      // 16 noSuchAttribute: not a member (OpenLDAP, and AD for an empty group). 53 unwillingToPerform: AD's
      // answer for a non-member, but also a generic refusal, so it only counts once a read confirms it.
      // 65 objectClassViolation: the last member of a groupOfNames, which needs one.
      const remove = (client: Client): Promise<void> => client.modify(dnOf(group), memberChange('delete', dnOf(member)));
      const code = await runAccepting(action, labelOf(group), [LdapResult.noSuchAttribute, LdapResult.unwillingToPerform, LdapResult.objectClassViolation], remove);
      if (code === undefined) return 'removed';
      if (code === LdapResult.objectClassViolation) return 'last-member';
      if (code === LdapResult.unwillingToPerform && (await hasMember(group, member))) {
        // Still a member: the refusal was real. Ask once more so that the caller gets the server's own error.
        await run(action, labelOf(group), remove);
        return 'removed';
      }
      return 'absent';
    },

    readAll: async (dn, attribute, options = {}) => {
      const values: string[] = [];
      const slice = (start: number): string => (options.pageSize === undefined ? `${attribute};range=${start}-*` : `${attribute};range=${start}-${start + options.pageSize - 1}`);
      let request = options.pageSize === undefined ? attribute : slice(0);
      for (;;) {
        const result = await run(`read ${attribute} of ${dn}`, dn, (client) =>
          client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes: [request] }, options.controls),
        );
        const entry = result.searchEntries[0];
        if (!entry) return { found: false, values };
        const ranged = rangedSlice(entry, attribute);
        if (!ranged) {
          values.push(...valuesOf(entry, attribute));
          return { found: true, values };
        }
        values.push(...ranged.values);
        if (ranged.end === undefined || ranged.values.length === 0) return { found: true, values };
        request = slice(ranged.end + 1);
      }
    },

    close: async () => {
      closed = true;
      await session.close();
    },
  };
}
