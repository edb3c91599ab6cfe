// The `ad` connector: a lease is membership of a principal's AD account in an AD group, Domain Admins
// included. It shares the LDAP core with the `ldap` connector (session, errors, membership operations)
// and adds what AD needs: accounts found by sAMAccountName/UPN/GUID/SID, groups kept by GUID, range
// retrieval for big groups, and time-bound member links where the forest has the PAM feature.
// See docs/connectors/active-directory.md.
import type { AdConnectorConfig } from '../../config/types.ts';
import type { ConnectorName } from '../../core/ids.ts';
import type { RoleTarget } from '../../core/role.ts';
import { ConnectorError, memoryMemo } from '../connector.ts';
import type { Connector, ConnectorCapabilities, ConnectorMemo, GrantContext, Holder, TargetRef } from '../connector.ts';
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
  const directory = createDirectory({
    connector: name,
    url: config.url,
    startTls: config.startTls,
    tls: config.tls,
    bindDn: config.bindDn,
    bindPassword: secrets.bindPassword,
    timeoutMs: config.timeoutMs,
    accessHint: ACCESS_HINT,
  });
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

  /**
   * Runs `op` on the group's current DN. When the directory says there is no such object there, the group
   * may have been renamed or moved: find it again by GUID and try once more.
   */
  const onGroup = async <T>(ref: GroupRef, op: (group: AdObject) => Promise<T>): Promise<T> => {
    const group = await objects.group(ref);
    try {
      return await op(group);
    } catch (err) {
      if (!(err instanceof ConnectorError) || ldapResultCode(err.cause) !== LdapResult.noSuchObject || ref.kind === 'dn') throw err;
      objects.forgetGroupDn(ref);
      return await op(await objects.group(ref));
    }
  };

  function validateTarget(target: RoleTarget): readonly string[] {
    const parsed = adRoleTargetSchema.safeParse(target);
    if (parsed.success) return [];
    return parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
  }

  const capabilities = (): ConnectorCapabilities => {
    const timeBound = support?.available === true;
    return {
      nativeExpiry: timeBound,
      residualAccess: timeBound
        ? {
            upToMs: 0,
            why:
              'time-bound membership: the domain controller ends the membership at expiry and caps Kerberos tickets at it; ' +
              'after an early release, tickets already issued still last until the original expiry',
          }
        : {
            upToMs: config.maxTicketLifetimeMs,
            why: 'Kerberos tickets issued during the lease keep the group in their PAC until they expire (maxTicketLifetime); sessions already logged on keep it until logoff',
          },
    };
  };

  return {
    name,
    kind: 'ad',
    get capabilities() {
      return capabilities();
    },
    timeBound: () => support,
    validateTarget,
    prepare: async () => {
      await detect();
    },

    grant: async (ctx: GrantContext) => {
      const ref = refOf(ctx.target);
      const account = await objects.account(ctx.principal);
      const timeBound = await detect();
      if (config.timeBoundMembership === 'required' && !timeBound.available) {
        throw new ConnectorError(name, `timeBoundMembership is required but ${timeBound.reason}`, { retryable: false });
      }
      await onGroup(ref, async (group) => {
        // The TTL is computed now, just before the modify, so the link ends at the lease's expiry.
        const value = timeBound.available ? timeBoundValue(account.dn, ttlSeconds(ctx.expiresAt, now())) : account.dn;
        await directory.addMember(group.dn, value, account.dn);
      });
    },

    revoke: async (ref: TargetRef) => {
      const groupRef = refOf(ref.target);
      const account = await objects.account(ref.principal);
      await onGroup(groupRef, async (group) => {
        await directory.removeMember(group.dn, account.dn);
      });
    },

    holds: async (ref: TargetRef) => {
      const groupRef = refOf(ref.target);
      const account = await objects.account(ref.principal);
      return await onGroup(groupRef, (group) => directory.hasMember(group.dn, account.dn));
    },

    inspect: async (target: RoleTarget): Promise<readonly Holder[]> => {
      const ref = refOf(target);
      return await onGroup(ref, async (group) => {
        const members = await directory.readAll(group.dn, 'member');
        if (!members.found) {
          throw new ConnectorError(name, `group ${ref.text} is not visible to ${config.bindDn} (grant it read access to the group)`, { retryable: false });
        }
        const principals = new Map<string, string>();
        for (const [dn, principal] of await objects.principalsIn(group.dn)) principals.set(keyOf(dn), principal);
        return members.values.map((raw): Holder => {
          const principal = principals.get(keyOf(raw));
          return principal === undefined ? { principal: raw, raw, mapped: false } : { principal, raw, mapped: true };
        });
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
