// The `ldap` connector: a lease is membership of a principal's entry in a group (the group's `member`
// attribute, as in groupOfNames). Grant adds the member value, revoke removes it, holds() compares one
// value, inspect() reads the group. See docs/connectors/ldap.md.
import { readFileSync } from 'node:fs';
import { Attribute, Change } from 'ldapts';
import type { Client } from 'ldapts';
import type { LdapConnectorConfig } from '../../config/types.ts';
import type { ConnectorName } from '../../core/ids.ts';
import type { RoleTarget } from '../../core/role.ts';
import { ConnectorError } from '../connector.ts';
import type { Connector, GrantContext, Holder, TargetRef } from '../connector.ts';
import { ldapRoleTargetSchema } from './config.ts';
import { isDn, normalizeDn, parseDn } from './dn.ts';
import { LdapResult, classifyLdapError, ldapResultCode } from './errors.ts';
import type { LdapErrorContext } from './errors.ts';
import { parsePrincipalDnTemplate } from './principal-dn.ts';
import { createLdapSession } from './session.ts';

const memberChange = (operation: 'add' | 'delete', dn: string): Change =>
  new Change({ operation, modification: new Attribute({ type: 'member', values: [dn] }) });

function readCa(connector: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConnectorError(connector, `cannot read tls.caFile ${file}: ${(err as Error).message}`, { retryable: false, cause: err });
  }
}

function valuesOf(entry: Record<string, unknown> | undefined, attribute: string): string[] {
  if (!entry) return [];
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute);
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

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
  const session = createLdapSession({
    url: config.url,
    startTls: config.startTls,
    tls: {
      ...(config.tls.caFile !== undefined ? { ca: readCa(name, config.tls.caFile) } : {}),
      ...(config.tls.serverName !== undefined ? { serverName: config.tls.serverName } : {}),
      rejectUnauthorized: config.tls.rejectUnauthorized,
    },
    bindDn: config.bindDn,
    bindPassword: secrets.bindPassword,
    timeoutMs: config.timeoutMs,
  });
  let closed = false;

  const context = (action: string, group?: string): LdapErrorContext => ({
    connector: name,
    url: config.url,
    bindDn: config.bindDn,
    timeoutMs: config.timeoutMs,
    action,
    ...(group !== undefined ? { group } : {}),
  });

  const groupOf = (target: RoleTarget): string => {
    const problems = validateTarget(target);
    if (problems.length > 0) throw new ConnectorError(name, `invalid target: ${problems.join('; ')}`, { retryable: false });
    return target.group ?? '';
  };

  const memberDnOf = (principal: string): string => {
    if (principal.length === 0) throw new ConnectorError(name, 'the principal id is empty', { retryable: false });
    return users.dnOf(principal);
  };

  /** Runs an operation on the shared session; anything thrown comes out as a ConnectorError. */
  const run = async <T>(ctx: LdapErrorContext, op: (client: Client) => Promise<T>): Promise<T> => {
    if (closed) throw new ConnectorError(name, 'the connector is closed', { retryable: false });
    try {
      return await session.run(op);
    } catch (err) {
      throw classifyLdapError(err, ctx);
    }
  };

  /** Like `run`, but an LDAP result code in `accept` is returned instead of thrown. */
  const runAccepting = async (ctx: LdapErrorContext, accept: readonly number[], op: (client: Client) => Promise<void>): Promise<number | undefined> => {
    try {
      await run(ctx, op);
      return undefined;
    } catch (err) {
      const code = ldapResultCode(err instanceof ConnectorError ? err.cause : err);
      if (code !== undefined && accept.includes(code)) return code;
      throw err;
    }
  };

  const holdsDn = async (group: string, memberDn: string): Promise<boolean> => {
    const ctx = context(`read member ${memberDn} of ${group}`, group);
    try {
      // A compare answers exactly this question and, unlike a filtered search, fails loudly when the
      // service account may not read `member` instead of looking like "not a member".
      return await run(ctx, (client) => client.compare(group, 'member', memberDn));
    } catch (err) {
      // The group has no `member` value at all (possible with some schemas): nobody holds it.
      if (err instanceof ConnectorError && ldapResultCode(err.cause) === LdapResult.noSuchAttribute) return false;
      throw err;
    }
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
      const group = groupOf(ctx.target);
      const dn = memberDnOf(ctx.principal);
      const errorCtx = context(`add ${dn} to ${group}`, group);
      // 20 typeOrValueExists: already a member (OpenLDAP). 68 entryAlreadyExists: the same, said by AD —
      // confirmed with a read because 68 is not specific to member values.
      const code = await runAccepting(errorCtx, [LdapResult.typeOrValueExists, LdapResult.alreadyExists], (client) =>
        client.modify(group, memberChange('add', dn)),
      );
      if (code === LdapResult.alreadyExists && !(await holdsDn(group, dn))) {
        throw new ConnectorError(name, `cannot add ${dn} to ${group}: the server says it already exists, but it is not a member`, { retryable: false });
      }
    },

    revoke: async (ref: TargetRef) => {
      const group = groupOf(ref.target);
      const dn = memberDnOf(ref.principal);
      const errorCtx = context(`remove ${dn} from ${group}`, group);
      // 16 noSuchAttribute: not a member (OpenLDAP, and AD for an empty group). 53 unwillingToPerform: AD's
      // answer for a non-member, but also a generic refusal, so it only counts once a read confirms it.
      // 65 objectClassViolation: `dn` is the last member and groupOfNames needs one.
      const code = await runAccepting(errorCtx, [LdapResult.noSuchAttribute, LdapResult.unwillingToPerform, LdapResult.objectClassViolation], (client) =>
        client.modify(group, memberChange('delete', dn)),
      );
      if (code === LdapResult.unwillingToPerform) {
        if (await holdsDn(group, dn)) await run(errorCtx, (client) => client.modify(group, memberChange('delete', dn)));
        return;
      }
      if (code !== LdapResult.objectClassViolation) return;
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
      await runAccepting(errorCtx, [LdapResult.noSuchAttribute], (client) =>
        client.modify(group, [memberChange('add', placeholder), memberChange('delete', dn)]),
      );
    },

    holds: async (ref: TargetRef) => holdsDn(groupOf(ref.target), memberDnOf(ref.principal)),

    inspect: async (target: RoleTarget): Promise<readonly Holder[]> => {
      const group = groupOf(target);
      const ctx = context(`read members of ${group}`, group);
      const result = await run(ctx, (client) => client.search(group, { scope: 'base', filter: '(objectClass=*)', attributes: ['member'] }));
      const entry = result.searchEntries[0];
      if (!entry) {
        throw new ConnectorError(name, `group ${group} is not visible to ${config.bindDn} (grant it read access to the group)`, { retryable: false });
      }
      const holders: Holder[] = [];
      for (const raw of valuesOf(entry, 'member')) {
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

    close: async () => {
      closed = true;
      await session.close();
    },
  };
}
