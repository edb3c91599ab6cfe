// Finding AD objects: a principal's account by the configured attribute, and a role's group by DN, SID
// or name. A group is resolved to its objectGUID once, the GUID is kept in the connector's memo (so across
// restarts too), and afterwards the group is found by GUID: renaming or moving it in AD breaks neither the
// role nor the revocation of leases granted before the rename. Only when no object has that GUID any
// more (the group was deleted) is the role's text resolved again.
// Accounts are looked up on every operation: a revocation must act on where the account is now.
import { AndFilter, EqualityFilter } from 'ldapts';
import type { Filter } from 'ldapts';
import { ConnectorError } from '../connector.ts';
import type { ConnectorMemo } from '../connector.ts';
import type { Directory } from '../ldap/directory.ts';
import { rawValuesOf } from '../ldap/directory.ts';
import { guidFromBytes, guidToBytes, sidFromBytes, sidToBytes } from './binary-ids.ts';
import type { PrincipalAttribute } from './config.ts';
import type { GroupRef } from './group-ref.ts';

/** An AD object as jitd keeps it: where it is now, and the GUID that stays when it moves. */
export interface AdObject {
  readonly dn: string;
  readonly guid: string;
}

/** sAMAccountType of a normal user account (MS-SAMR SAM_NORMAL_USER_ACCOUNT): not computers, not trusts. */
const NORMAL_USER_ACCOUNT = '805306368';
const IDENTITY_ATTRIBUTES = ['objectGUID', 'objectSid', 'sAMAccountName', 'userPrincipalName'];
const BINARY = ['objectGUID', 'objectSid'];

const eq = (attribute: string, value: string | Buffer): EqualityFilter => new EqualityFilter({ attribute, value });

/** The filter value a principal id stands for, or a reason it cannot be one. */
function principalValue(attribute: PrincipalAttribute, principal: string): { value?: string | Buffer; problem?: string } {
  switch (attribute) {
    case 'objectGUID': {
      const bytes = guidToBytes(principal);
      return bytes ? { value: bytes } : { problem: `principal "${principal}" is not a GUID (principalAttribute is objectGUID)` };
    }
    case 'objectSid': {
      const bytes = sidToBytes(principal);
      return bytes ? { value: bytes } : { problem: `principal "${principal}" is not a SID (principalAttribute is objectSid)` };
    }
    default:
      return { value: principal };
  }
}

/** The principal id of an entry read with IDENTITY_ATTRIBUTES, in the configured attribute's text form. */
export function principalIdOf(entry: Record<string, unknown>, attribute: PrincipalAttribute): string | undefined {
  const [value] = rawValuesOf(entry, attribute);
  if (value === undefined) return undefined;
  try {
    if (attribute === 'objectGUID') return Buffer.isBuffer(value) ? guidFromBytes(value) : undefined;
    if (attribute === 'objectSid') return Buffer.isBuffer(value) ? sidFromBytes(value) : undefined;
  } catch {
    return undefined;
  }
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

function guidOf(entry: Record<string, unknown>): string | undefined {
  const [value] = rawValuesOf(entry, 'objectGUID');
  return Buffer.isBuffer(value) && value.length === 16 ? guidFromBytes(value) : undefined;
}

export interface DirectoryObjects {
  /** The naming context searched (configured, or the DC's defaultNamingContext). */
  baseDn(): Promise<string>;
  /** The account a principal id names; a permanent error when there is none or more than one. */
  account(principal: string): Promise<AdObject>;
  /** The group a role names, resolved once to its GUID and found by GUID afterwards. */
  group(ref: GroupRef): Promise<AdObject>;
  /** Forget where a group was (after the directory said it is not there): the next lookup goes by GUID. */
  forgetGroupDn(ref: GroupRef): void;
  /** Map of member DN (as read) to principal id, for the accounts directly in `groupDn`. */
  principalsIn(groupDn: string): Promise<ReadonlyMap<string, string>>;
}

export function createDirectoryObjects(
  directory: Directory,
  options: { readonly baseDn?: string; readonly principalAttribute: PrincipalAttribute; readonly memo: ConnectorMemo },
): DirectoryObjects {
  const name = directory.connector;
  let base: Promise<string> | undefined;
  /** Group reference text → the DN last seen (may change). The GUID (never changes) is in the memo. */
  const groupDns = new Map<string, string>();
  const memoKey = (ref: GroupRef): string => `group:${ref.text}`;

  const baseDn = async (): Promise<string> => {
    if (options.baseDn !== undefined) return options.baseDn;
    base ??= directory
      .run('read the rootDSE', undefined, (client) => client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['defaultNamingContext'] }))
      .then((result) => {
        const [value] = rawValuesOf(result.searchEntries[0], 'defaultNamingContext');
        if (value === undefined) throw new ConnectorError(name, 'the server does not say its defaultNamingContext: set baseDn in the connector config', { retryable: false });
        return String(value);
      })
      .catch((err: unknown) => {
        base = undefined; // a DC that was down must be asked again next time
        throw err;
      });
    return await base;
  };

  /** Entries under the base DN matching `filter`, with their identity attributes. */
  const find = async (action: string, filter: Filter): Promise<Record<string, unknown>[]> => {
    const root = await baseDn();
    const result = await directory.run(action, undefined, (client) =>
      client.search(root, { scope: 'sub', filter, attributes: IDENTITY_ATTRIBUTES, explicitBufferAttributes: BINARY }),
    );
    return result.searchEntries;
  };

  const one = (what: string, entries: Record<string, unknown>[]): AdObject => {
    const [entry, extra] = entries;
    if (!entry) throw new ConnectorError(name, `${what} does not exist (or the service account cannot see it)`, { retryable: false });
    if (extra) throw new ConnectorError(name, `${what} is ambiguous: more than one object matches`, { retryable: false });
    const guid = guidOf(entry);
    if (guid === undefined) throw new ConnectorError(name, `${what} has no objectGUID the service account can read`, { retryable: false });
    return { dn: String(entry.dn), guid };
  };

  const groupFilter = (ref: GroupRef): Filter => {
    switch (ref.kind) {
      case 'sid':
        return new AndFilter({ filters: [eq('objectClass', 'group'), eq('objectSid', sidToBytes(ref.text) ?? Buffer.alloc(0))] });
      case 'name':
        return new AndFilter({ filters: [eq('objectClass', 'group'), eq('sAMAccountName', ref.text)] });
      case 'dn':
        return eq('objectClass', 'group');
    }
  };

  const resolveGroup = async (ref: GroupRef): Promise<AdObject> => {
    const what = `group ${ref.text}`;
    if (ref.kind !== 'dn') return one(what, await find(`find ${what}`, groupFilter(ref)));
    const result = await directory.run(`read ${what}`, ref.text, (client) =>
      client.search(ref.text, { scope: 'base', filter: groupFilter(ref), attributes: IDENTITY_ATTRIBUTES, explicitBufferAttributes: BINARY }),
    );
    return one(what, result.searchEntries);
  };

  return {
    baseDn,

    account: async (principal) => {
      const { value, problem } = principalValue(options.principalAttribute, principal);
      if (value === undefined) throw new ConnectorError(name, problem ?? 'invalid principal', { retryable: false });
      const filter = new AndFilter({ filters: [eq('sAMAccountType', NORMAL_USER_ACCOUNT), eq(options.principalAttribute, value)] });
      return one(`account ${options.principalAttribute}=${principal}`, await find(`find account ${principal}`, filter));
    },

    group: async (ref) => {
      const dn = groupDns.get(ref.text);
      const guid = options.memo.get(memoKey(ref));
      if (dn !== undefined && guid !== undefined) return { dn, guid };
      if (guid !== undefined) {
        const [entry] = await find(`find group ${ref.text} by objectGUID ${guid}`, eq('objectGUID', guidToBytes(guid) ?? Buffer.alloc(0)));
        if (entry) {
          const found = one(`group ${ref.text} (objectGUID ${guid})`, [entry]);
          groupDns.set(ref.text, found.dn);
          return found;
        }
        // No object has the GUID any more: the group was deleted. Resolve the role's text again below.
      }
      const found = await resolveGroup(ref);
      await options.memo.set(memoKey(ref), found.guid);
      groupDns.set(ref.text, found.dn);
      return found;
    },

    forgetGroupDn: (ref) => {
      groupDns.delete(ref.text);
    },

    principalsIn: async (groupDn) => {
      const root = await baseDn();
      const result = await directory.run(`read the accounts in ${groupDn}`, undefined, (client) =>
        client.search(root, {
          scope: 'sub',
          filter: new AndFilter({ filters: [eq('sAMAccountType', NORMAL_USER_ACCOUNT), eq('memberOf', groupDn)] }),
          attributes: IDENTITY_ATTRIBUTES,
          explicitBufferAttributes: BINARY,
          paged: { pageSize: 1000 },
        }),
      );
      const map = new Map<string, string>();
      for (const entry of result.searchEntries) {
        const principal = principalIdOf(entry, options.principalAttribute);
        if (principal !== undefined) map.set(String(entry.dn), principal);
      }
      return map;
    },
  };
}
