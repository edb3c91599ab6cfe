// The `ldap` connector: a lease is membership of a principal's entry in a group (the group's `member`
// attribute, as in groupOfNames). Grant adds the member value, revoke removes it, holds() compares one
// value, inspect() reads the group. See docs/connectors/ldap.md.
import type { LdapConnectorConfig } from '../../config/types.ts';
import { PrincipalId as PrincipalIdOf, type ConnectorName, type PrincipalId } from '../../core/ids.ts';
import type { RoleTarget } from '../../core/role.ts';
import { ConnectorError } from '../connector.ts';
import type { Connector, GrantContext, Holder, TargetRef } from '../connector.ts';
import { ldapRoleTargetSchema } from './config.ts';
import { createDirectory, memberChange } from './directory.ts';
import { isDn, normalizeDn, parseDn } from './dn.ts';
import { LdapResult } from './errors.ts';
import { parsePrincipalDnTemplate } from './principal-dn.ts';

export function createLdapConnector(name: ConnectorName, config: LdapConnectorConfig, secrets: { readonly bindPassword: string }): Connector {
  const users = (() => {
    try {
      return parsePrincipalDnTemplate(config.userDn);
    } catch (err) {
      throw new ConnectorError(name, (err as Error).message, { retryable: false, cause: err });
    }
  })();
  if (config.placeholderMember !== undefined && !isDn(config.placeholderMember)) {
    throw new ConnectorError(name, `placeholderMember "${config.placeholderMember}" is not a DN`, { retryable: false });
  }
  const placeholderKey = config.placeholderMember === undefined ? undefined : normalizeDn(config.placeholderMember);
  const directory = createDirectory({ connector: name, config, bindPassword: secrets.bindPassword, accessHint: 'grant it write access to member of the group' });

  const groupOf = (target: RoleTarget): string => {
    const problems = validateTarget(target);
    if (problems.length > 0) throw new ConnectorError(name, `invalid target: ${problems.join('; ')}`, { retryable: false });
    return target.group ?? '';
  };

  const memberDnOf = (principal: string): string => {
    if (principal.length === 0) throw new ConnectorError(name, 'the principal id is empty', { retryable: false });
    return users.dnOf(principal);
  };

  function validateTarget(target: RoleTarget): readonly string[] {
    const parsed = ldapRoleTargetSchema.safeParse(target);
    if (!parsed.success) {
      return parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
    }
    try {
      if (parseDn(parsed.data.group).length === 0) return ['group: must be a DN such as cn=admins,ou=groups,dc=example,dc=com'];
    } catch (err) {
      return [`group: ${(err as Error).message}`];
    }
    return [];
  }

  return {
    name,
    kind: 'ldap',
    // OpenLDAP has no per-value expiry; dds expires whole entries (docs/connectors/ldap.md).
    capabilities: { nativeExpiry: false },
    validateTarget,

    grant: async (ctx: GrantContext) => {
      await directory.addMember(groupOf(ctx.target), memberDnOf(ctx.principal));
    },

    // The person's entry names their manager by DN (inetOrgPerson `manager`); it counts when it fits userDn.
    managerOf: async (principal: PrincipalId) => {
      const { values } = await directory.readAll(memberDnOf(principal), 'manager');
      const manager = values[0] === undefined ? undefined : users.principalOf(values[0]);
      return manager === undefined ? undefined : PrincipalIdOf(manager);
    },

    revoke: async (ref: TargetRef) => {
      const group = groupOf(ref.target);
      const dn = memberDnOf(ref.principal);
      if ((await directory.removeMember(group, dn)) !== 'last-member') return;
      if (config.placeholderMember === undefined) {
        throw new ConnectorError(
          name,
          `cannot remove ${dn} from ${group}: it is the last member and the group's object class requires one; set placeholderMember in the connector config`,
          { retryable: false },
        );
      }
      // Put the placeholder in and take the member out in one modify: the group is never empty and
      // never without the placeholder. 16 here means someone removed `dn` meanwhile: done as well.
      const placeholder = config.placeholderMember;
      await directory.runAccepting(`remove ${dn} from ${group}`, group, [LdapResult.noSuchAttribute], (client) =>
        client.modify(group, [memberChange('add', placeholder), memberChange('delete', dn)]),
      );
    },

    holds: async (ref: TargetRef) => directory.hasMember(groupOf(ref.target), memberDnOf(ref.principal)),

    inspect: async (target: RoleTarget): Promise<readonly Holder[]> => {
      const group = groupOf(target);
      const members = await directory.readAll(group, 'member');
      if (!members.found) {
        throw new ConnectorError(name, `group ${group} is not visible to ${config.bindDn} (grant it read access to the group)`, { retryable: false });
      }
      const holders: Holder[] = [];
      for (const raw of members.values) {
        let key: string | undefined;
        try {
          key = normalizeDn(raw);
        } catch {
          key = undefined; // not a DN the parser understands: still a holder, reported by its raw value
        }
        if (key !== undefined && key === placeholderKey) continue;
        const principal = users.principalOf(raw);
        holders.push({ principal: principal ?? raw, raw, mapped: principal !== undefined });
      }
      return holders;
    },

    close: async () => directory.close(),
  };
}
