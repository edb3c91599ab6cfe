// Finding AD objects by what does not change. A role's group (DN, SID or name) is resolved to its
// objectGUID once; the GUID is kept in the connector's memo (so across restarts too) and every operation
// names the group as `<GUID=…>`, an extended DN that AD and Samba accept wherever a DN goes. Renaming or
// moving the group therefore breaks neither the role nor the revocation of leases granted before. Only
// when no object has that GUID any more (the group was deleted) is the role's text resolved again.
//
// A principal's account is looked up by the configured attribute at every grant (the name must point at
// the right person *now*), and the GUID found is kept: revocations and read-backs act on that same
// object, even if the account was renamed since.
import { AndFilter, EqualityFilter } from 'ldapts';
import type { Filter } from 'ldapts';
import { ConnectorError } from '../connector.ts';
import type { ConnectorMemo } from '../connector.ts';
import type { Directory } from '../ldap/directory.ts';
import { rawValuesOf } from '../ldap/directory.ts';
import { LdapResult, ldapResultCode } from '../ldap/errors.ts';
import { guidFromBytes, guidToBytes, sidFromBytes, sidToBytes } from './binary-ids.ts';
import type { PrincipalAttribute } from './config.ts';
import type { GroupRef } from './group-ref.ts';

/** An AD object: its GUID (stable), the extended DN that names it by GUID, and a name for messages. */
export interface AdObject {
  readonly guid: string;
  /** `<GUID=…>`: usable as the DN of an operation and as a `member` value. */
  readonly dn: string;
  readonly label: string;
}

/** An account as found by its principal id: also where it is now. */
export interface FoundAccount extends AdObject {
  readonly currentDn: string;
}

/** sAMAccountType of a normal user account (MS-SAMR SAM_NORMAL_USER_ACCOUNT): not computers, not trusts. */
const NORMAL_USER_ACCOUNT = '805306368';
const IDENTITY_ATTRIBUTES = ['objectGUID', 'objectSid', 'sAMAccountName', 'userPrincipalName'];
const BINARY = ['objectGUID', 'objectSid'];

const eq = (attribute: string, value: string | Buffer): EqualityFilter => new EqualityFilter({ attribute, value });
export const guidDn = (guid: string): string => `<GUID=${guid}>`;

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
  /** Looks the account up by its principal id now (grants); keeps its GUID for `knownAccount`. */
  findAccount(principal: string): Promise<FoundAccount>;
  /** The account granted to before (by GUID), else looked up now (revocations, read-backs). */
  knownAccount(principal: string): Promise<AdObject>;
  /** Does an object with this GUID exist? (An account that was deleted holds no membership.) */
  exists(object: AdObject): Promise<boolean>;
  /** The role's group, by GUID. */
  group(ref: GroupRef): Promise<AdObject>;
  /** After the directory said there is no object with the group's GUID: resolve the role's text again. */
  regroup(ref: GroupRef): Promise<AdObject>;
  /** The group's DN now. */
  currentDn(object: AdObject): Promise<string>;
  /** Map of member DN (as read) to principal id, for the accounts directly in the group. */
  principalsIn(groupDn: string): Promise<ReadonlyMap<string, string>>;
}

export function createDirectoryObjects(
  directory: Directory,
  options: { readonly baseDn?: string; readonly principalAttribute: PrincipalAttribute; readonly memo: ConnectorMemo },
): DirectoryObjects {
  const name = directory.connector;
  const { memo } = options;
  let base: Promise<string> | undefined;
  const groupKey = (ref: GroupRef): string => `group:${ref.text}`;
  const accountKey = (principal: string): string => `account:${principal}`;

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

  /** Entries matching `filter` under `root` (default: the base DN), with their identity attributes. */
  const find = async (action: string, filter: Filter | string, root?: string, scope: 'base' | 'sub' = 'sub'): Promise<Record<string, unknown>[]> => {
    const searchBase = root ?? (await baseDn());
    const result = await directory.run(action, undefined, (client) =>
      client.search(searchBase, { scope, filter, attributes: IDENTITY_ATTRIBUTES, explicitBufferAttributes: BINARY }),
    );
    return result.searchEntries;
  };

  const one = (what: string, entries: Record<string, unknown>[]): FoundAccount => {
    const [entry, extra] = entries;
    if (!entry) throw new ConnectorError(name, `${what} does not exist (or the service account cannot see it)`, { retryable: false });
    if (extra) throw new ConnectorError(name, `${what} is ambiguous: more than one object matches`, { retryable: false });
    const guid = guidOf(entry);
    if (guid === undefined) throw new ConnectorError(name, `${what} has no objectGUID the service account can read`, { retryable: false });
    return { guid, dn: guidDn(guid), label: what, currentDn: String(entry.dn) };
  };

  const resolveGroup = async (ref: GroupRef): Promise<AdObject> => {
    const what = `group ${ref.text}`;
    let found: FoundAccount;
    switch (ref.kind) {
      case 'sid':
        found = one(what, await find(`find ${what}`, new AndFilter({ filters: [eq('objectClass', 'group'), eq('objectSid', sidToBytes(ref.text) ?? Buffer.alloc(0))] })));
        break;
      case 'name':
        found = one(what, await find(`find ${what}`, new AndFilter({ filters: [eq('objectClass', 'group'), eq('sAMAccountName', ref.text)] })));
        break;
      case 'dn':
        try {
          found = one(what, await find(`read ${what}`, eq('objectClass', 'group'), ref.text, 'base'));
        } catch (err) {
          if (err instanceof ConnectorError && ldapResultCode(err.cause) === LdapResult.noSuchObject) {
            throw new ConnectorError(name, `${what} does not exist (or the service account cannot see it)`, { retryable: false, cause: err });
          }
          throw err;
        }
        break;
    }
    await memo.set(groupKey(ref), found.guid);
    return { guid: found.guid, dn: found.dn, label: what };
  };

  const exists = async (object: AdObject): Promise<boolean> => {
    try {
      return (await find(`look for ${object.label}`, '(objectClass=*)', object.dn, 'base')).length > 0;
    } catch (err) {
      if (err instanceof ConnectorError && ldapResultCode(err.cause) === LdapResult.noSuchObject) return false;
      throw err;
    }
  };

  const findAccount = async (principal: string): Promise<FoundAccount> => {
    const { value, problem } = principalValue(options.principalAttribute, principal);
    if (value === undefined) throw new ConnectorError(name, problem ?? 'invalid principal', { retryable: false });
    const filter = new AndFilter({ filters: [eq('sAMAccountType', NORMAL_USER_ACCOUNT), eq(options.principalAttribute, value)] });
    const found = one(`account ${principal}`, await find(`find account ${principal}`, filter));
    await memo.set(accountKey(principal), found.guid);
    return found;
  };

  return {
    baseDn,
    findAccount,
    exists,

    knownAccount: async (principal) => {
      const guid = memo.get(accountKey(principal));
      return guid === undefined ? await findAccount(principal) : { guid, dn: guidDn(guid), label: `account ${principal}` };
    },

    group: async (ref) => {
      const guid = memo.get(groupKey(ref));
      return guid === undefined ? await resolveGroup(ref) : { guid, dn: guidDn(guid), label: `group ${ref.text}` };
    },

    regroup: async (ref) => resolveGroup(ref),

    currentDn: async (object) => {
      const [entry] = await find(`read ${object.label}`, '(objectClass=*)', object.dn, 'base');
      if (!entry) throw new ConnectorError(name, `${object.label} is not visible to the service account`, { retryable: false });
      return String(entry.dn);
    },

    principalsIn: async (groupDn) => {
      const root = await baseDn();
      const result = await directory.run(`read the accounts in ${groupDn}`, undefined, (client) =>
        client.search(root, {
          scope: 'sub',
          filter: new AndFilter({ filters: [eq('sAMAccountType', NORMAL_USER_ACCOUNT), eq('memberOf', groupDn)] }),
          attributes: IDENTITY_ATTRIBUTES,
          explicitBufferAttributes: BINARY,
          // AD answers at most MaxPageSize (1,000) entries to a search without paging.
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
