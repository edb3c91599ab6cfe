// The `connectors:` section: each entry is validated with the schema of its `type` (connector-kinds.ts).
import { ConnectorName } from '../core/ids.ts';
import type { ConnectorKind } from './connector-kind.ts';
import { CONNECTOR_TYPES, connectorKind } from './connector-kinds.ts';
import type { PathSegment } from './issue.ts';
import type { Reporter } from './issue-collector.ts';
import { checkName, isPlainObject } from './names.ts';
import { findSecretRefs } from './schema-walk.ts';
import type { SecretRef } from './secret.ts';
import type { ConnectorConfig } from './types.ts';
import { quote } from './units.ts';

export interface LoadedConnectors {
  /** The connectors whose config is valid. */
  readonly configs: Map<ConnectorName, ConnectorConfig>;
  /** Every declared name, with its kind when the type is known: roles are checked against these. */
  readonly declared: ReadonlyMap<string, ConnectorKind | undefined>;
  /** Secret references of the valid connectors, by field path from the file's root, with the kind that reads them. */
  readonly secrets: readonly { readonly path: readonly PathSegment[]; readonly ref: SecretRef; readonly kind: ConnectorKind }[];
}

export function loadConnectors(entries: Readonly<Record<string, unknown>>, report: Reporter, resolvePath: (written: string) => string): LoadedConnectors {
  const configs = new Map<ConnectorName, ConnectorConfig>();
  const declared = new Map<string, ConnectorKind | undefined>();
  const secrets: { path: PathSegment[]; ref: SecretRef; kind: ConnectorKind }[] = [];
  const section = report.under('connectors');
  for (const [name, raw] of Object.entries(entries)) {
    const nameOk = checkName(name, section);
    const here = section.under(name);
    if (!isPlainObject(raw)) {
      declared.set(name, undefined);
      here.problem([], `must be a mapping with a type (one of: ${CONNECTOR_TYPES.join(', ')})`, 'invalid_type');
      continue;
    }
    const kind = typeof raw.type === 'string' ? connectorKind(raw.type) : undefined;
    declared.set(name, kind);
    if (kind === undefined) {
      if (raw.type === undefined) here.problem(['type'], `is required (one of: ${CONNECTOR_TYPES.join(', ')})`, 'missing_field');
      else here.problem(['type'], `unknown connector type ${quote(raw.type)} (known types: ${CONNECTOR_TYPES.join(', ')})`, 'unknown_connector_type');
      continue;
    }
    const config = kind.load(raw, { report: here, resolvePath });
    if (config === undefined || !nameOk) continue;
    configs.set(ConnectorName(name), config);
    for (const secret of findSecretRefs(kind.configSchema, raw)) secrets.push({ path: ['connectors', name, ...secret.path], ref: secret.ref, kind });
  }
  return { configs, declared, secrets };
}
