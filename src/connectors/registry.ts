// Builds connector instances from config. One entry per connector kind; the switch is exhaustive, so a new
// kind in ConnectorConfig that is not handled here fails the typecheck.
import { join } from 'node:path';
import type { SecretRef } from '../config/secret.ts';
import type { ConnectorConfig } from '../config/types.ts';
import type { ConnectorName } from '../core/ids.ts';
import type { Connector, ConnectorMemo } from './connector.ts';
import { createAdConnector } from './ad/connector.ts';
import { createLdapConnector } from './ldap/connector.ts';
import { parseCaKey } from './ssh/ca-key.ts';
import { createSshConnector } from './ssh/connector.ts';

export type SecretResolver = (ref: SecretRef) => Promise<string>;

export interface ConnectorServices {
  readonly resolveSecret: SecretResolver;
  /** Where the connector keeps what it must remember across restarts. */
  readonly memo: ConnectorMemo;
  /** jitd's data folder (absolute), for connectors that publish files. */
  readonly dataDir: string;
  /** How hosts reach jitd (server.publicUrl), for connectors whose targets call back (SSH session uploads). */
  readonly publicUrl: string;
  /** Largest SSH session transcript jitd accepts (server.sessionRecordingLimit). */
  readonly sessionRecordingLimitBytes: number;
}

export async function createConnector(name: ConnectorName, config: ConnectorConfig, services: ConnectorServices): Promise<Connector> {
  const { resolveSecret, memo, dataDir, publicUrl, sessionRecordingLimitBytes } = services;
  switch (config.type) {
    case 'ldap':
      return createLdapConnector(name, config, { bindPassword: await resolveSecret(config.bindPassword) });
    case 'ad':
      return createAdConnector(name, config, { bindPassword: await resolveSecret(config.bindPassword) }, { memo });
    case 'ssh': {
      const ca = parseCaKey(await resolveSecret(config.caKey), 'caKey');
      return createSshConnector(name, config, {
        ca,
        memo,
        publishDir: config.publishDir ?? join(dataDir, 'ssh', name),
        sessionUpload: { publicUrl, limitBytes: sessionRecordingLimitBytes },
      });
    }
    default: {
      const unknown: never = config;
      throw new Error(`unknown connector type ${String((unknown as { type?: unknown }).type)}`);
    }
  }
}
