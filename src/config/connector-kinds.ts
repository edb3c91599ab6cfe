// Every connector kind jitd.yaml can declare, by `type`. A new kind adds its entry here (the Record
// type makes a ConnectorConfig type without an entry a compile error).
import { adConnectorConfigSchema, adRoleTargetSchema } from '../connectors/ad/config.ts';
import { ldapConnectorConfigSchema, ldapRoleTargetSchema } from '../connectors/ldap/config.ts';
import { parseCaKey } from '../connectors/ssh/ca-key.ts';
import { sshConnectorConfigSchema, sshRoleTargetSchema } from '../connectors/ssh/config.ts';
import { defineConnectorKind, type ConnectorKind, type ConnectorLoadContext } from './connector-kind.ts';
import { durationField } from './fields.ts';
import type { ConnectorConfig, LdapConnectorConfig } from './types.ts';

// The file form of the LDAP block: the connector's own schema, with `timeout` read as a duration
// (so a bad one is reported like every other duration) and its default kept from that schema.
const ldapFileSchema = ldapConnectorConfigSchema.extend({
  timeout: durationField.prefault(ldapConnectorConfigSchema.shape.timeout.def.defaultValue),
});

/** The connection fields every LDAP-based block shares, checked and with paths resolved; undefined after a reported problem. */
function connectionOf(
  input: { url: string; startTls: boolean; tls: { caFile?: string | undefined; serverName?: string | undefined; rejectUnauthorized: boolean } },
  { report, resolvePath }: ConnectorLoadContext,
): { url: string; startTls: boolean; tls: LdapConnectorConfig['tls'] } | undefined {
  if (input.startTls && input.url.startsWith('ldaps:')) {
    report.problem(['startTls'], 'cannot be used with an ldaps:// url (the connection is already TLS)', 'invalid_value');
    return undefined;
  }
  const { caFile, serverName, rejectUnauthorized } = input.tls;
  return {
    url: input.url,
    startTls: input.startTls,
    tls: { ...(caFile === undefined ? {} : { caFile: resolvePath(caFile) }), ...(serverName === undefined ? {} : { serverName }), rejectUnauthorized },
  };
}

const ldap = defineConnectorKind({
  findsManagers: true,
  configSchema: ldapFileSchema,
  targetSchema: ldapRoleTargetSchema,
  toConfig(input, context) {
    const connection = connectionOf(input, context);
    if (!connection) return undefined;
    return {
      type: 'ldap',
      ...connection,
      bindDn: input.bindDn,
      bindPassword: input.bindPassword,
      userDn: input.userDn,
      ...(input.placeholderMember === undefined ? {} : { placeholderMember: input.placeholderMember }),
      timeoutMs: input.timeout,
    };
  },
});

// The `ad` block: durations read like every other duration; a clear-text simple bind is never offered.
const adFileSchema = adConnectorConfigSchema.extend({
  timeout: durationField.prefault(adConnectorConfigSchema.shape.timeout.def.defaultValue),
  maxTicketLifetime: durationField.prefault(adConnectorConfigSchema.shape.maxTicketLifetime.def.defaultValue),
});

const ad = defineConnectorKind({
  configSchema: adFileSchema,
  targetSchema: adRoleTargetSchema,
  toConfig(input, context) {
    if (!input.startTls && input.url.startsWith('ldap:')) {
      context.report.problem(['url'], 'Active Directory refuses a simple bind over plain LDAP: use ldaps://host:636, or ldap://host:389 with startTls: true', 'invalid_value');
      return undefined;
    }
    const connection = connectionOf(input, context);
    if (!connection) return undefined;
    return {
      type: 'ad',
      ...connection,
      bindDn: input.bindDn,
      bindPassword: input.bindPassword,
      ...(input.baseDn === undefined ? {} : { baseDn: input.baseDn }),
      principalAttribute: input.principalAttribute,
      timeBoundMembership: input.timeBoundMembership,
      maxTicketLifetimeMs: input.maxTicketLifetime,
      timeoutMs: input.timeout,
    };
  },
});

// The `ssh` block: durations read like every other duration; the publish folder relative to the config file.
const sshFileSchema = sshConnectorConfigSchema.extend({
  clockSkew: durationField.prefault(sshConnectorConfigSchema.shape.clockSkew.def.defaultValue),
  timeout: durationField.prefault(sshConnectorConfigSchema.shape.timeout.def.defaultValue),
});

const ssh = defineConnectorKind({
  configSchema: sshFileSchema,
  targetSchema: sshRoleTargetSchema,
  // The CA key is read and parsed here too, so that `jitd config check` reports a key that is not one.
  checkSecret: (field, value) => {
    if (field !== 'caKey') return undefined;
    try {
      parseCaKey(value, '');
      return undefined;
    } catch (error) {
      // The path already names the field: keep only what is wrong with the key.
      return (error as Error).message.replace(/^CA key : /, '');
    }
  },
  toConfig: (input, { resolvePath }) => ({
    type: 'ssh',
    caKey: input.caKey,
    ...(input.publishDir === undefined ? {} : { publishDir: resolvePath(input.publishDir) }),
    clockSkewMs: input.clockSkew,
    timeoutMs: input.timeout,
    sessionGuard: input.sessionGuard,
  }),
});

export const CONNECTOR_KINDS: Readonly<Record<ConnectorConfig['type'], ConnectorKind>> = { ldap, ad, ssh };

export const CONNECTOR_TYPES: readonly string[] = Object.keys(CONNECTOR_KINDS).sort();

export function connectorKind(type: string): ConnectorKind | undefined {
  return Object.hasOwn(CONNECTOR_KINDS, type) ? CONNECTOR_KINDS[type as ConnectorConfig['type']] : undefined;
}
