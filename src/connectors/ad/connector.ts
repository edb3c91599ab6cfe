// The `ad` connector: a lease is membership of a principal's AD account in an AD group, Domain Admins
// included. It shares the LDAP core with the `ldap` connector (session, errors, membership operations)
// and adds what AD needs: accounts found by sAMAccountName/UPN/GUID/SID, groups kept by GUID, range
// retrieval for big groups, and time-bound member links where the forest has the PAM feature.
// See docs/connectors/active-directory.md.
import type { AdConnectorConfig } from '../../config/types.ts';
import type { ConnectorName } from '../../core/ids.ts';
import type { RoleTarget } from '../../core/role.ts';
import { ConnectorError, memoryMemo } from '../connector.ts';
import type { Connector, ConnectorCapabilities, ConnectorMemo, GrantContext, Holder, ResidualAccess, TargetRef } from '../connector.ts';
import { createDirectory, valuesOf } from '../ldap/directory.ts';
import { normalizeDn } from '../ldap/dn.ts';
import { LdapResult, ldapResultCode } from '../ldap/errors.ts';
import { adRoleTargetSchema } from './config.ts';
import { createDirectoryObjects } from './directory-objects.ts';
import type { AdObject } from './directory-objects.ts';
import { describeGroupRef } from './group-ref.ts';
import type { GroupRef } from './group-ref.ts';
import { judgeTimeBoundSupport, partitionsDn, timeBoundValue, ttlSeconds } from './time-bound.ts';
import type { TimeBoundSupport } from './time-bound.ts';

const ACCESS_HINT =
  'delegate "Write member" on the group to the service account; for protected groups such as Domain Admins set it on ' +
  'CN=AdminSDHolder,CN=System,<domain> because SDProp resets their ACL every hour (docs/connectors/active-directory.md)';

export interface AdConnectorOptions {
  /** Where group GUIDs are kept across restarts (in memory when absent). */
  readonly memo?: ConnectorMemo;
  /** Milliseconds since the epoch; a TTL link is computed from the lease's expiry and this. */
  readonly now?: () => number;
}

export interface AdConnector extends Connector {
  /** What detection concluded about time-bound membership (undefined until the DC has been asked). */
  timeBound(): TimeBoundSupport | undefined;
}

export function createAdConnector(
  name: ConnectorName,
  config: AdConnectorConfig,
  secrets: { readonly bindPassword: string },
  options: AdConnectorOptions = {},
): AdConnector {
  const now = options.now ?? Date.now;
  const directory = createDirectory({ connector: name, config, bindPassword: secrets.bindPassword, accessHint: ACCESS_HINT });
  const objects = createDirectoryObjects(directory, {
    memo: options.memo ?? memoryMemo(),
    principalAttribute: config.principalAttribute,
    ...(config.baseDn !== undefined ? { baseDn: config.baseDn } : {}),
  });

  let support: TimeBoundSupport | undefined = config.timeBoundMembership === 'off' ? { available: false, reason: 'timeBoundMembership is off' } : undefined;
  let detecting: Promise<TimeBoundSupport> | undefined;

  /** Asks the DC once whether it takes TTL member links (again after a failure: the DC may have been down). */
  const detect = async (): Promise<TimeBoundSupport> => {
    if (support) return support;
    detecting ??= (async () => {
      const root = await directory.run('read the rootDSE', undefined, (client) =>
        client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['supportedControl', 'configurationNamingContext'] }),
      );
      const entry = root.searchEntries[0];
      const controls = valuesOf(entry, 'supportedControl');
      const [configNc] = valuesOf(entry, 'configurationNamingContext');
      let features: string[] | undefined;
      if (configNc !== undefined) {
        const partitions = await directory.readAll(partitionsDn(configNc), 'msDS-EnabledFeature');
        features = partitions.values;
      }
      support = judgeTimeBoundSupport(controls, features);
      return support;
    })().finally(() => {
      detecting = undefined;
    });
    return await detecting;
  };

  const refOf = (target: RoleTarget): GroupRef => {
    const problems = validateTarget(target);
    const ref = describeGroupRef(target.group ?? '').ref;
    if (problems.length > 0 || !ref) throw new ConnectorError(name, `invalid target: ${problems.join('; ')}`, { retryable: false });
    return ref;
  };

  const isNoSuchObject = (err: unknown): boolean => err instanceof ConnectorError && ldapResultCode(err.cause) === LdapResult.noSuchObject;

  /**
   * Runs `op` on the role's group and the account. "No such object" can mean either is gone: an account
   * that no longer exists holds nothing (`onAccountGone` says what that means for the caller); a group
   * that no longer has its GUID was deleted, so the role's text is resolved again and `op` runs once more.
   */
  const act = async <T>(ref: GroupRef, account: AdObject, op: (group: AdObject) => Promise<T>, onAccountGone: () => T): Promise<T> => {
    const group = await objects.group(ref);
    try {
      return await op(group);
    } catch (err) {
      if (!isNoSuchObject(err)) throw err;
      if (!(await objects.exists(account))) return onAccountGone();
      if (await objects.exists(group)) throw err;
      return await op(await objects.regroup(ref));
    }
  };

  function validateTarget(target: RoleTarget): readonly string[] {
    const parsed = adRoleTargetSchema.safeParse(target);
    if (parsed.success) return [];
    return parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }

  const residualAccess = (): ResidualAccess =>
    support?.available === true
      ? {
          upToMs: 0,
          why:
            'time-bound membership: the domain controller ends the membership at expiry and caps Kerberos tickets at it; ' +
            'after an early release, tickets already issued still last until the original expiry',
        }
      : {
          upToMs: config.maxTicketLifetimeMs,
          why: 'Kerberos tickets issued during the lease keep the group in their PAC until they expire (maxTicketLifetime); sessions already logged on keep it until logoff',
        };

  return {
    name,
    kind: 'ad',
    get capabilities(): ConnectorCapabilities {
      return { nativeExpiry: support?.available === true };
    },
    residualAccess,
    timeBound: () => support,
    validateTarget,
    prepare: async () => {
      await detect();
    },

    grant: async (ctx: GrantContext) => {
      const ref = refOf(ctx.target);
      // Looked up by name now: the grant must go to whoever holds the principal's name today.
      const account = await objects.findAccount(ctx.principal);
      const timeBound = await detect();
      if (config.timeBoundMembership === 'required' && !timeBound.available) {
        throw new ConnectorError(name, `timeBoundMembership is required but ${timeBound.reason}`, { retryable: false });
      }
      await act(
        ref,
        account,
        async (group) => {
          // The TTL is computed just before the modify, so that the link ends at the lease's expiry. A TTL
          // value names the account by DN: that is the form the PAM feature documents.
          const value = timeBound.available ? timeBoundValue(account.currentDn, ttlSeconds(ctx.expiresAt, now())) : account.dn;
          await directory.addMember(group, account, value);
        },
        () => {
          throw new ConnectorError(name, `${account.label} was deleted while it was being added to group ${ref.text}`, { retryable: false });
        },
      );
    },

    revoke: async (ref: TargetRef) => {
      const groupRef = refOf(ref.target);
      // The object granted to (by GUID), even if it was renamed since.
      const account = await objects.knownAccount(ref.principal);
      await act(
        groupRef,
        account,
        async (group) => {
          await directory.removeMember(group, account);
        },
        () => undefined, // a deleted account's links are gone with it
      );
    },

    holds: async (ref: TargetRef) => {
      const account = await objects.knownAccount(ref.principal);
      return await act(refOf(ref.target), account, (group) => directory.hasMember(group, account), () => false);
    },

    inspect: async (target: RoleTarget): Promise<readonly Holder[]> => {
      const ref = refOf(target);
      let group = await objects.group(ref);
      let groupDn: string;
      try {
        groupDn = await objects.currentDn(group);
      } catch (err) {
        // No object has the kept GUID: the group was deleted, resolve the role's text again.
        if (!isNoSuchObject(err)) throw err;
        group = await objects.regroup(ref);
        groupDn = await objects.currentDn(group);
      }
      // Explicit slices of 1,500 values (AD's default MaxValRange), so big groups are read the same way on every DC.
      const members = await directory.readAll(group.dn, 'member', { pageSize: 1500 });
      if (!members.found) {
        throw new ConnectorError(name, `group ${ref.text} is not visible to ${config.bindDn} (grant it read access to the group)`, { retryable: false });
      }
      const principals = new Map<string, string>();
      for (const [dn, principal] of await objects.principalsIn(groupDn)) principals.set(keyOf(dn), principal);
      return members.values.map((raw): Holder => {
        const principal = principals.get(keyOf(raw));
        return principal === undefined ? { principal: raw, raw, mapped: false } : { principal, raw, mapped: true };
      });
    },

    close: async () => directory.close(),
  };
}

function keyOf(dn: string): string {
  try {
    return normalizeDn(dn);
  } catch {
    return dn;
  }
}
