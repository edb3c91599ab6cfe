// Builds connector instances from config. One entry per connector kind; the switch is exhaustive, so a new
// kind in ConnectorConfig that is not handled here fails the typecheck.
import type { ConnectorConfig } from '../config/types.ts';
import type { ConnectorName } from '../core/ids.ts';
import type { Connector, ConnectorMemo } from './connector.ts';
import { createAdConnector } from './ad/connector.ts';
import { createLdapConnector } from './ldap/connector.ts';

export type SecretResolver = (ref: Extract<ConnectorConfig, { bindPassword: unknown }>['bindPassword']) => Promise<string>;

export interface ConnectorServices {
  readonly resolveSecret: SecretResolver;
  /** Where the connector keeps what it must remember across restarts. */
  readonly memo: ConnectorMemo;
}

export async function createConnector(name: ConnectorName, config: ConnectorConfig, services: ConnectorServices): Promise<Connector> {
  const { resolveSecret, memo } = services;
  switch (config.type) {
    case 'ldap':
      return createLdapConnector(name, config, { bindPassword: await resolveSecret(config.bindPassword) });
    case 'ad':
      return createAdConnector(name, config, { bindPassword: await resolveSecret(config.bindPassword) }, { memo });
    default: {
      const unknown: never = config;
      throw new Error(`unknown connector type ${String((unknown as { type?: unknown }).type)}`);
    }
  }
}
